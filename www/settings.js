/* The Settings view: the form, Gemini's model list and thinking levels, the text size.
   ES5 only (see app.js). Loaded after kit.js; adds openSettings, getSettings, setFont and
   offerSwitch to KC for app.js. */
(function () {
'use strict';

var K = KC, T = K.T, S = K.S, $ = K.$, api = K.api, make = K.make, button = K.button, show = K.show,
  clear = K.clear, setText = K.setText, trim = K.trim, notice = K.notice, save = K.save;

var F = $('settings-view'), FIELDS = ['model', 'system_instruction', 'temperature', 'throttle_ms', 'book_budget'];
function field(name) { return $('set-' + name.replace(/_/g, '-')); }

// A late answer never undoes typing: fields touched since the request keep their value
// (a slow GET once wiped a key being pasted).
function fillSettings(s) {
  var i, f, t = S.touched;
  for (i = 0; i < FIELDS.length; i++) { f = field(FIELDS[i]); t[f.id] || (f.value = s[FIELDS[i]] == null ? '' : s[FIELDS[i]]); }
  S.thoughts = !!s.show_thoughts;
  S.throttle = s.throttle_ms;
  if (!t['set-show-thoughts']) { $('set-show-thoughts').checked = S.thoughts; }
  if (!t['set-google-search']) { $('set-google-search').checked = !!s.google_search; }
  if (!t['set-url-context']) { $('set-url-context').checked = s.url_context !== false; }
  fillLessTyping(s, t);
  if (S.search !== !!s.google_search) { $('search').checked = !!s.google_search; }   // a new default
  S.search = !!s.google_search;
  fillProfiles(s, t);
  if (!t['language-list']) { S.language = s.language || ''; }
  K.useLanguage(s.language);
  show($('thinking-field'), 'thinking_level' in s);
  if ('thinking_level' in s && !t['thinking-list']) { S.level = s.thinking_level || ''; }
  drawChoices();
  if (!t['set-api-key']) { $('set-api-key').value = ''; }
  F.setAttribute('data-state', 'ready');
  setText($('api-key-state'), S.prof.api_key_set ? T.keySaved : (S.prof.kind === 'gemini' ? T.noKey :
    S.prof.ready ? T.noKeyNeeded : T.noKeyOther) + (s.demo ? T.demoNoKey : ''));
}

// Provider profiles (issue 16): the current one picked by a tap, new ones from presets;
// the model, key and base URL fields edit the current one.
function fillProfiles(s, t) {
  var n, i, list = $('profile-list'), ps = s.presets || [];
  S.profiles = s.profiles || {};
  S.profile = s.profile || 'Gemini';
  S.prof = S.profiles[S.profile] || {kind: 'gemini', model: s.model, api_key_set: s.api_key_set};
  S.model = S.prof.model;
  if (!t['set-model']) { field('model').value = S.model || ''; }
  if (!t['set-base-url']) { field('base_url').value = S.prof.base_url || ''; }
  setText($('profile-head'), S.profile);
  show($('delete-profile'), S.profile !== 'Gemini');
  clear(list);
  for (n in S.profiles) { list.appendChild(choice(n, n === S.profile, putProfile({profile: n}))); }
  clear(list = $('preset-list'));
  for (i = 0; i < ps.length; i++) { list.appendChild(choice(ps[i].name, false, addPreset(ps[i]))); }
}
function addPreset(p) {
  return function () {
    var name = p.name, n = 2, body = {profiles: {}};
    while (S.profiles[name]) { name = p.name + ' ' + n++; }   // a second OpenRouter key: "OpenRouter 2"
    body.profiles[name] = {kind: p.kind, base_url: p.base_url, model: ''};
    body.profile = name;
    putProfile(body)();
  };
}
function putProfile(body) {
  return function () {
    var n = ++S.seq;
    api('PUT', '/api/settings', body, function (err, s) {
      setText($('settings-status'), err ? err.message : T.saved);
      if (err || n !== S.seq) { return; }
      S.touched = {}; S.models = null;
      fillSettings(s);
      loadModels(false);
    });
  };
}
function profileBody(model, key) {   // the current profile's fields, as PUT /api/settings takes them
  var body = {profiles: {}}, p = body.profiles[S.profile] = {model: model};
  if (key) { p.api_key = key; }
  if (trim(field('base_url').value)) { p.base_url = trim(field('base_url').value); }
  return body;
}

function saveSettings() {
  var body = profileBody(trim(field('model').value), trim($('set-api-key').value)), i, v, n;
  body.show_thoughts = $('set-show-thoughts').checked;
  body.google_search = $('set-google-search').checked;
  body.url_context = $('set-url-context').checked;
  if (S.level !== undefined) { body.thinking_level = S.level; }
  saveLessTyping(body);
  if (S.language !== undefined) { body.language = S.language; }
  for (i = 1; i < FIELDS.length; i++) {   // FIELDS[0], the model, is the profile's
    v = field(FIELDS[i]).value;
    if (i !== 1) { v = trim(v).replace(',', '.'); }
    body[FIELDS[i]] = v;
  }
  n = ++S.seq;
  api('PUT', '/api/settings', body, function (err, s) {
    if (!err && n === S.seq) { S.touched = {}; fillSettings(s); }
    setText($('settings-status'), err ? err.message : T.saved);
  });
}
// Less typing (quick.js): the one-tap prompts, one a line (the default set shown when
// unset, and saved as unset, so it follows the page's language), and the follow-ups.
function fillLessTyping(s, t) {
  S.quick = s.quick_prompts;
  S.translateTo = s.translate_to;
  if (!t['set-quick-prompts']) { $('set-quick-prompts').value = (S.quick || K.quickDefaults()).join('\n'); }
  if (!t['set-follow-ups']) { $('set-follow-ups').checked = s.follow_ups !== false; }
  K.drawQuick();
}
function saveLessTyping(body) {
  var lines = trim($('set-quick-prompts').value).split(/\s*\n\s*/);
  if (S.touched['set-quick-prompts']) { body.quick_prompts = lines.join('\n') === K.quickDefaults().join('\n') ? null : lines; }
  body.follow_ups = $('set-follow-ups').checked;
}

// The model is picked from Gemini's list, or typed by name (a model not listed, or no
// list: a bad key, no network). The text field is what is saved.
function loadModels(refresh) {
  setText($('model-state'), T.modelsLoading);
  withModels(refresh, function (err) {
    setText($('model-state'), err ? T.modelsFailed + err.message + T.modelKept + field('model').value + '.' : '');
    drawChoices();
  });
}
function withModels(refresh, cb) {
  if (S.models && !refresh) { return cb(null, S.models); }
  api('GET', '/api/models' + (refresh ? '?refresh=1' : ''), null, function (err, d) {
    if (!err) { S.models = d.models || []; }
    cb(err, S.models);
  });
}

// The choices as buttons (taps only; the chosen one black): models and thinking levels.
function drawChoices() {
  var models = S.models || [], cur = field('model').value, list = $('model-list'), i, listed = false;
  clear(list);
  for (i = 0; i < models.length; i++) {
    list.appendChild(choice(models[i].display_name || models[i].name, models[i].name === cur, pickModel(models[i].name)));
    listed = listed || models[i].name === cur;
  }
  setText($('model-typed'), models.length && cur && !listed ? cur + T.notListed : '');
  clear(list = $('thinking-list'));
  for (i = 0; i < T.levels.length; i++) { list.appendChild(choice(T.levels[i][1], T.levels[i][0] === S.level, pickLevel(T.levels[i][0]))); }
  drawLanguages();
}
// Automatic, then each table by its own name (a reader who can't read this page finds theirs)
function drawLanguages() {
  var list = $('language-list'), code;
  clear(list);
  list.appendChild(choice(T.langAuto, !S.language, pickLanguage('')));
  for (code in Strings) { if (Strings.hasOwnProperty(code)) { list.appendChild(choice(Strings[code].langName, code === S.language, pickLanguage(code))); } }
}
function pickLanguage(code) { return function () { S.language = code; S.touched['language-list'] = 1; drawChoices(); }; }
function choice(text, chosen, fn) {
  var b = button(text, 'choice', fn);
  if (chosen) { b.setAttribute('data-chosen', '1'); }
  return b;
}
function pickModel(name) { return function () { field('model').value = name; S.touched['set-model'] = 1; drawChoices(); }; }
function pickLevel(level) { return function () { S.level = level; S.touched['thinking-list'] = 1; drawChoices(); }; }

// A model's daily quota used up: one tap switches to another model of the list and
// asks again (the quota is per model; it comes back at midnight Pacific time).
function offerSwitch(r) {
  var text = r.noteText;
  if (r.offered === text) { return; }
  r.offered = text;
  withModels(false, function (err, models) {
    var i, n = 0, box = r.note;
    if (!r.retry || r.noteText !== text) { return; }   // a later note took its place
    for (i = 0; models && i < models.length && n < 2; i++) {
      if (models[i].name !== S.model) { n++; box.appendChild(button(T.use + (models[i].display_name || models[i].name) + T.andRetry, 'switch', switchTo(models[i].name))); }
    }
    if (!n) { box.appendChild(make('span', 'hint', ' ' + T.noOther)); }
    K.layout();
  });
}
function switchTo(name) {
  return function () {
    api('PUT', '/api/settings', profileBody(name), function (err, s) {
      if (err) { return notice(err.message); }
      S.model = (s.profiles[s.profile] || s).model;
      if (!S.touched['set-model']) { field('model').value = S.model; }
      K.retry();
    });
  };
}

function getSettings() {   // only the newest answer counts
  var n = ++S.seq;
  S.touched = {};
  F.setAttribute('data-state', 'loading');
  api('GET', '/api/settings', null, function (err, s) { if (!err && n === S.seq) { fillSettings(s); } });
}

function setFont(px) {
  S.font = Math.max(12, Math.min(48, px));
  document.body.style.fontSize = S.font + 'px';
  setText($('font-size'), S.font + ' px');
  K.layout();
}
function fontBy(d) { return function () { setFont(S.font + d); save('kc.font', S.font); }; }

var CLICKS = {'save-settings': saveSettings, 'refresh-models': function () { loadModels(true); },
  'delete-profile': function () { var b = {profiles: {}}; b.profiles[S.profile] = null; putProfile(b)(); },
  'font-smaller': fontBy(-2), 'font-larger': fontBy(2)}, id;
for (id in CLICKS) { $(id).onclick = CLICKS[id]; }
F.onsubmit = function () { saveSettings(); return false; };
F.oninput = F.onchange = F.onkeyup = function (e) {
  var id = (e || window.event).target.id;
  S.touched[id] = 1;
  if (id === 'set-model') { drawChoices(); }
};
K.openSettings = function () { K.view('settings'); setText($('settings-status'), ''); getSettings(); loadModels(false); };
K.getSettings = getSettings;
K.setFont = setFont;
K.drawLanguages = drawLanguages;   // app.js: again once every table is in (kit.js allTables)
K.offerSwitch = offerSwitch;
}());
