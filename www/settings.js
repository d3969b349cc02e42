/* The Settings view: the form, the service's model list and thinking levels, the text size.
   A choice (model, level, language, a box) is saved when tapped; typed fields have a Save
   beside them. ES5 only (see app.js). Loaded after kit.js; adds openSettings, getSettings,
   setFont, showSource, offerSwitch and offerDefault to KC for app.js. */
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
  showSource();
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
  disarm();
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

// A tapped choice, saved at once ("Saved."); keys: the fields it settles (S.touched).
function putNow(body, keys) {
  var n = ++S.seq;
  setText($('settings-status'), '');
  api('PUT', '/api/settings', body, function (err, s) {
    var i;
    if (err || n === S.seq) { setText($('settings-status'), err ? err.message : T.saved); }   // a later save speaks for itself
    if (err || n !== S.seq) { return; }
    for (i = 0; i < keys.length; i++) { delete S.touched[keys[i]]; }
    fillSettings(s);
  });
}

// The chat header: the chat's profile and the model its next reply will use (the
// profile's own now, so a switch shows at once).
function showSource() {
  var name = S.chatProfile || S.profile, p = name && S.profiles ? S.profiles[name] : null;
  setText($('chat-source'), name ? name + T.profileOf + ((p ? p.model : S.chatModel) || '') : '');
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
  setText($('settings-status'), '');   // "Saved." speaks of this save, not of a tap before it
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
  withModels(refresh, function (err, models) {
    var first = firstAvailable(models, '');
    setText($('model-state'), err ? T.modelsFailed + err.message + T.modelKept + field('model').value + '.' : '');
    // A profile just made from a preset has no model: the service's first listed one,
    // or (no list) a word asking for one before it is used.
    if (S.prof && !S.prof.model && !S.touched['set-model']) {
      if (!err && first) { return pickModel(first)(); }
      setText($('model-state'), (err ? $('model-state').textContent + ' ' : '') + T.noModelYet);
    }
    drawChoices();
  });
}
function firstAvailable(models, not) {
  for (var i = 0; models && i < models.length; i++) { if (models[i].available !== false && models[i].name !== not) { return models[i].name; } }
  return '';
}
function modelEntry(name) {
  for (var i = 0; S.models && i < S.models.length; i++) { if (S.models[i].name === name) { return S.models[i]; } }
  return null;
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
    if (models[i].available === false) { continue; }   // the key may no longer use it (a 404 said so)
    list.appendChild(choice(models[i].display_name || models[i].name, models[i].name === cur, pickModel(models[i].name)));
    listed = listed || models[i].name === cur;
  }
  setText($('model-typed'), models.length && cur && !listed ? cur + T.notListed : '');
  drawLevels(modelEntry(cur));
  drawLanguages();
}
// The levels the model takes (the server's word: those it refused are left out), and Default.
function drawLevels(entry) {
  var list = $('thinking-list'), takes = entry && entry.levels ? ',' + entry.levels.join(',') + ',' : '', i, code;
  clear(list);
  for (i = 0; i < T.levels.length; i++) {
    code = T.levels[i][0];
    if (code && takes && takes.indexOf(',' + code + ',') < 0 || code && entry && entry.levels && !entry.levels.length) { continue; }
    list.appendChild(choice(T.levels[i][1], code === S.level, pickLevel(code)));
  }
}
// Automatic, then each table by its own name (a reader who can't read this page finds theirs)
function drawLanguages() {
  var list = $('language-list'), code;
  clear(list);
  list.appendChild(choice(T.langAuto, !S.language, pickLanguage('')));
  for (code in Strings) { if (Strings.hasOwnProperty(code)) { list.appendChild(choice(Strings[code].langName, code === S.language, pickLanguage(code))); } }
}
function pickLanguage(code) { return function () { S.language = code; drawChoices(); putNow({language: code}, ['language-list']); }; }
function choice(text, chosen, fn) {
  var b = button(text, 'choice', fn);
  if (chosen) { b.setAttribute('data-chosen', '1'); }
  return b;
}
function pickModel(name) { return function () { field('model').value = name; drawChoices(); putNow(profileBody(name), ['set-model']); }; }
function pickLevel(level) { return function () { S.level = level; drawChoices(); putNow({thinking_level: level}, ['thinking-list']); }; }

// A model the key may no longer use, or a daily quota used up: one tap switches the
// chat's profile to another model and asks again. The server names them (the
// replacement Google's message or the key's list gives, lighter ones for a quota);
// without its word, the list's first others.
function offerSwitch(r, err) {
  var text = r.noteText;
  if (r.offered === text) { return; }
  r.offered = text;
  err = err || {};
  withModels(false, function (e, models) {
    var i, n = 0, box = r.note, names = [], seen = {}, mine = !S.chatProfile || S.chatProfile === S.profile;
    if (!r.retry || r.noteText !== text) { return; }   // a later note took its place
    seen[err.model || S.chatModel || S.model] = 1;
    for (i = 0; mine && models && i < models.length; i++) { if (models[i].available === false) { seen[models[i].name] = 1; } }
    names = (err.replacement ? [err.replacement] : []).concat(err.suggest || []);
    for (i = 0; mine && !names.length && models && i < models.length; i++) { names.push(models[i].name); }
    for (i = 0; i < names.length && n < 3; i++) {
      if (seen[names[i]]) { continue; }
      seen[names[i]] = 1; n++;
      box.appendChild(button(T.use + ((modelEntry(names[i]) || {}).display_name || names[i]) + T.andRetry, 'switch', switchTo(names[i])));
    }
    if (!n) { box.appendChild(make('span', 'hint', ' ' + T.noOther)); }
    K.layout();
  });
}
function switchTo(name) {
  return function () {
    var body = {profiles: {}};
    body.profiles[S.chatProfile || S.profile] = {model: name};
    api('PUT', '/api/settings', body, function (err, s) {
      if (err) { return notice(err.message); }
      fillSettings(s);
      K.retry();
    });
  };
}
// A thinking level the model refused: one tap asks again with the model's default.
function offerDefault(r) {
  var text = r.noteText;
  if (r.offeredDefault === text) { return; }
  r.offeredDefault = text;
  r.note.appendChild(button(T.useDefault, 'switch', function () {
    var body = {}, name = S.chatProfile || S.profile;
    if (name && name !== 'Gemini') { body.profiles = {}; body.profiles[name] = {options: {thinking_level: ''}}; } else { body.thinking_level = ''; }
    api('PUT', '/api/settings', body, function (err, s) {
      if (err) { return notice(err.message); }
      fillSettings(s);
      K.retry();
    });
  }));
  K.layout();
}

// Delete profile: two taps, as chats do; the second counts only after a moment, so a
// double tap never deletes.
var ARM_MS = 800;
function disarm() { var del = $('delete-profile'); del.removeAttribute('data-armed'); setText(del, T.deleteProfile); }
function deleteProfile() {
  var del = $('delete-profile'), armed = +del.getAttribute('data-armed'), b = {profiles: {}};
  if (!armed) { del.setAttribute('data-armed', +new Date()); return setText(del, T.delSure); }
  if (+new Date() - armed < ARM_MS) { return; }
  b.profiles[S.profile] = null;
  putProfile(b)();
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
  'delete-profile': deleteProfile,
  'font-smaller': fontBy(-2), 'font-larger': fontBy(2)}, id;
for (id in CLICKS) { $(id).onclick = CLICKS[id]; }
F.onsubmit = function () { saveSettings(); return false; };
// The boxes are saved when ticked; each typed field has a Save beside it (the form's Save too).
var BOXES = {'set-show-thoughts': 'show_thoughts', 'set-google-search': 'google_search', 'set-url-context': 'url_context',
  'set-follow-ups': 'follow_ups'};
var TYPED = ['set-api-key', 'set-base-url', 'set-model', 'set-system-instruction', 'set-temperature', 'set-quick-prompts',
  'set-throttle-ms'];
for (id = 0; id < TYPED.length; id++) {
  var typed = $(TYPED[id]), beside = button(T.save, 'save-field', saveSettings);
  beside.setAttribute('data-t', 'save');
  typed.parentNode.insertBefore(beside, typed.nextSibling);
}
F.oninput = F.onchange = F.onkeyup = function (e) {
  var el = (e || window.event).target, id = el.id, body = {};
  S.touched[id] = 1;
  if (id === 'set-model') { drawChoices(); }
  if (BOXES[id] && (e || window.event).type === 'change') { body[BOXES[id]] = el.checked; putNow(body, [id]); }
};
K.openSettings = function () { K.view('settings'); setText($('settings-status'), ''); getSettings(); loadModels(false); };
K.getSettings = getSettings;
K.setFont = setFont;
K.offerSwitch = offerSwitch;
K.offerDefault = offerDefault;
K.showSource = showSource;
}());
