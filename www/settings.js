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
function putProfile(body) { return function () { S.models = $('model-list').kcFor = null; put(body, 0, function () { loadModels(false); }); }; }
function profileBody(model, key) {   // the current profile's fields, as PUT /api/settings takes them
  var body = {profiles: {}}, p = body.profiles[S.profile] = {model: model};
  if (key) { p.api_key = key; }
  if (trim(field('base_url').value)) { p.base_url = trim(field('base_url').value); }
  return body;
}

// Every save: a tap's (keys: the fields it settles) or Save's (all). The newest answer
// fills the form and says "Saved."; then() runs after any answer but an error.
function put(body, keys, then) {
  var n = ++S.seq;
  setText($('settings-status'), '');
  api('PUT', '/api/settings', body, function (err, s) {
    var i, last = n === S.seq;
    if (err || last) { setText($('settings-status'), err ? err.message : T.saved); }
    if (err) { return then && notice(err.message); }
    if (last) { if (keys) { for (i = 0; i < keys.length; i++) { delete S.touched[keys[i]]; } } else { S.touched = {}; } fillSettings(s); }
    if (then) { then(); }
  });
}

// The header: the chat's profile and its model now (the next reply's).
function showSource() {
  var name = S.chatProfile || S.profile, p = name && S.profiles ? S.profiles[name] : null;
  var before = $('chat-source').offsetHeight;
  setText($('chat-source'), name ? name + T.profileOf + ((p ? p.model : S.chatModel) || '') : '');
  // The header's height sets the chat's: fit the page again when a line came or went
  if ($('chat-source').offsetHeight !== before && K.layout) { K.layout(); }
}

function saveSettings() {
  var body = profileBody(trim(field('model').value), trim($('set-api-key').value)), i, v;
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
  put(body);
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
    var st = err ? T.modelsFailed + err.message + T.modelKept + field('model').value + '. ' : '', i;
    // A profile from a preset has no model: the list's first (no list: a send asks for one).
    for (i = 0; S.prof && !S.prof.model && !S.touched['set-model'] && models && i < models.length; i++) {
      if (models[i].available !== false) { return pickModel(models[i].name)(); }
    }
    setText($('model-state'), trim(st));
    drawChoices();
  });
}
function entry(name) {
  for (var i = 0; S.models && i < S.models.length; i++) { if (S.models[i].name === name) { return S.models[i]; } }
  return {};
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
    if (models[i].available === false) { continue; }   // a 404 said the key may not
    list.appendChild(choice(models[i].display_name || models[i].name, models[i].name === cur, pickModel(models[i].name)));
    listed = listed || models[i].name === cur;
  }
  setText($('model-typed'), models.length && cur && !listed ? cur + T.notListed : '');
  pageModels(cur);
  // the levels the model takes (the server leaves out those it refused), and Default
  var takes = ',' + (entry(cur).levels || ['MINIMAL', 'LOW', 'MEDIUM', 'HIGH']).join(',') + ',';
  clear(list = $('thinking-list'));
  for (i = 0; i < T.levels.length; i++) {
    if (takes.indexOf(',' + T.levels[i][0] + ',') >= 0 || !T.levels[i][0]) { list.appendChild(choice(T.levels[i][1], T.levels[i][0] === S.level, pickLevel(T.levels[i][0]))); }
  }
  drawLanguages();
}
// A screenful of models (lists.js) in a third of the window: Settings scrolls as a whole,
// so the list can't take the rest of the window. A save redraws the list: it stays on the
// page shown, but turns to the chosen model's when the choice changes or Settings opens.
function modelRoom() { return window.innerHeight / 3; }
function newPages() { $('model-list').kcFor = null; pageModels(field('model').value); }   // the rows' sizes changed
function pageModels(cur) {
  var list = $('model-list'), row = list.querySelector('[data-chosen]');
  K.pageList(list, true, modelRoom);
  if (row && list.kcFor !== cur) { K.pageTo(list, row); list.kcFor = cur; }
}
// Automatic, then each table by its own name (a reader who can't read this page finds theirs)
function drawLanguages() {
  var list = $('language-list'), code;
  clear(list);
  list.appendChild(choice(T.langAuto, !S.language, pickLanguage('')));
  for (code in Strings) { if (Strings.hasOwnProperty(code)) { list.appendChild(choice(Strings[code].langName, code === S.language, pickLanguage(code))); } }
}
function pickLanguage(code) { return function () { S.language = code; drawChoices(); put({language: code}, ['language-list']); }; }
function choice(text, chosen, fn) {
  var b = button(text, 'choice', fn);
  if (chosen) { b.setAttribute('data-chosen', '1'); }
  return b;
}
function pickModel(name) { return function () { field('model').value = name; drawChoices(); put(profileBody(name), ['set-model']); }; }
function pickLevel(level) { return function () { S.level = level; drawChoices(); put({thinking_level: level}, ['thinking-list']); }; }

// A model gone or a day's quota used up: one tap sets the chat's profile to the
// server's replacement or lighter models (of the key's own list) and asks again.
function offerSwitch(r, err) {
  var text = r.noteText, names = (err.replacement ? [err.replacement] : []).concat(err.suggest || []);
  if (r.offered === text) { return; }
  r.offered = text;
  withModels(false, function () {   // the list's names for them
    var i;
    if (!r.retry || r.noteText !== text) { return; }   // a later note took its place
    for (i = 0; i < names.length && i < 3; i++) { r.note.appendChild(button(T.use + (entry(names[i]).display_name || names[i]) + T.andRetry, 'switch', again({model: names[i]}))); }
    if (!i) { r.note.appendChild(make('span', 'hint', ' ' + T.noOther)); }
    K.layout();
  });
}
// The chat's profile changed as p says (Gemini's options are top-level), then Retry.
function again(p) {
  return function () {
    var b = {profiles: {}}, name = S.chatProfile || S.profile;
    if (p.options && name === 'Gemini') { b = p.options; } else { b.profiles[name] = p; }
    put(b, [], K.retry);
  };
}
// A thinking level refused: one tap asks again with the model's default.
function offerDefault(r) {
  if (r.offeredDefault === r.noteText) { return; }
  r.offeredDefault = r.noteText;
  r.note.appendChild(button(T.useDefault, 'switch', again({options: {thinking_level: ''}})));
  K.layout();
}
// Delete profile: two taps, as chats do, the second after a moment (a double tap never deletes).
function disarm() { var d = $('delete-profile'); d.removeAttribute('data-armed'); setText(d, T.deleteProfile); }
function deleteProfile() {
  var d = $('delete-profile'), armed = +d.getAttribute('data-armed'), b = {profiles: {}};
  if (!armed) { d.setAttribute('data-armed', +new Date()); return setText(d, T.delSure); }
  if (+new Date() - armed < 800) { return; }
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
function fontBy(d) { return function () { setFont(S.font + d); save('kc.font', S.font); newPages(); }; }

var CLICKS = {'save-settings': saveSettings, 'refresh-models': function () { loadModels(true); },
  'delete-profile': deleteProfile,
  'font-smaller': fontBy(-2), 'font-larger': fontBy(2)}, id;
for (id in CLICKS) { $(id).onclick = CLICKS[id]; }
F.onsubmit = function () { saveSettings(); return false; };
// A box is saved when ticked; each typed field has a Save beside it.
var BOXES = {'set-show-thoughts': 'show_thoughts', 'set-google-search': 'google_search', 'set-url-context': 'url_context',
  'set-follow-ups': 'follow_ups'}, TYPED = ['api-key', 'base-url', 'model', 'system-instruction', 'temperature', 'quick-prompts', 'throttle-ms'];
for (id = 0; id < TYPED.length; id++) {
  var f = $('set-' + TYPED[id]), b = f.parentNode.insertBefore(button(T.save, 'save-field', saveSettings), f.nextSibling);
  b.setAttribute('data-t', 'save');
}
F.oninput = F.onchange = F.onkeyup = function (e) {
  var el = (e || window.event).target, id = el.id, body = {};
  S.touched[id] = 1;
  if (id === 'set-model') { drawChoices(); }
  if (BOXES[id] && (e || window.event).type === 'change') { body[BOXES[id]] = el.checked; put(body, [id]); }
};
K.openSettings = function () { K.view('settings'); newPages(); setText($('settings-status'), ''); getSettings(); loadModels(false); };
K.getSettings = getSettings;
K.setFont = setFont;
K.drawLanguages = drawLanguages;   // app.js: again once every table is in (kit.js allTables)
K.offerSwitch = offerSwitch;
K.offerDefault = offerDefault;
K.showSource = showSource;
}());
