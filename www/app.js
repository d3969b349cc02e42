/* KindleChat page. ES5 only: the old Kindle WebKit has no let, =>, fetch, Promise,
   classList, dataset or bind. E-ink: one redraw per server answer, of the last block only. */
(function () {
'use strict';

var P = $('pager'), M = $('messages'), SP = $('spacer');
var WAIT = 25;  // seconds the server may hold a long poll
var S = {font: 20, back: [], fwd: [], seq: 0, nav: 0, touched: {}};

/* ---- every word the script shows, in one table (index.html holds the rest) ---- */
var T = {
  serverError: 'Server error ', unreachable: 'Cannot reach the KindleChat server.',
  you: 'You', gemini: 'Gemini', thoughts: 'Thoughts', writing: 'Gemini is writing...',
  stopped: 'Stopped.', interrupted: 'Interrupted.', wrong: 'Something went wrong.', kept: ' The text so far is kept.',
  retry: 'Retry', tooLong: 'This message is too long.', tryingAgain: ' Trying again...',
  noChats: 'No chats yet.', newChat: 'New chat', messages: ' messages', del: 'Delete', delSure: 'Delete for good?',
  keySaved: 'A key is saved (never shown): paste a new one to replace it.',
  noKey: 'No key yet: create one at aistudio.google.com.', demoNoKey: ' Demo mode needs none.', saved: 'Saved.',
  demo: 'Demo mode: replies come from the built-in emulator.',
  // issue 13: where an answer came from, models, thinking, quotas
  searchedFor: 'Searched for: ', sources: 'Sources', pagesRead: 'Pages read: ',
  urlBad: {ERROR: 'could not be read.', PAYWALL: 'is behind a paywall: not read.',
    UNSAFE: 'was not read (Google judged it unsafe).', UNSPECIFIED: 'may not have been read.'},
  modelsLoading: 'Loading the list of models...',
  modelsFailed: 'The list of models could not be loaded: ', modelKept: ' The model stays ',
  notListed: ' (not in the list: typed by name)', use: 'Use ', andRetry: ' and try again',
  noOther: 'Pick another model in Settings.',
  levels: [['', 'Default'], ['MINIMAL', 'Minimal'], ['LOW', 'Low'], ['MEDIUM', 'Medium'], ['HIGH', 'High']]
};

function $(id) { return document.getElementById(id); }
function show(el, on) { el.style.display = on ? '' : 'none'; }
function trim(s) { return s.replace(/^\s+|\s+$/g, ''); }
// Markdown (markdown.js) owns the one way text reaches the DOM: as text nodes, glyphs replaced.
var make = Markdown.make, addText = Markdown.addText;
function clear(el) { while (el.firstChild) { el.removeChild(el.firstChild); } }
function setText(el, text) { if (el.textContent !== text) { clear(el); if (text) { addText(el, text); } } }
function button(text, cls, fn) { var b = make('button', cls, text); b.type = 'button'; b.onclick = fn; return b; }
// API offsets count code points, JS strings UTF-16 units
function cpLength(s) { return s.length - (s.match(/[\uD800-\uDBFF][\uDC00-\uDFFF]/g) || []).length; }

// localStorage may be missing, full or emptied at launch: the page works without it
function load(k) { try { return localStorage.getItem(k); } catch (e) { return null; } }
function save(k, v) { try { if (v === null) { localStorage.removeItem(k); } else { localStorage.setItem(k, v); } } catch (e) {} }

/* ---- HTTP API: cb(error, data), error = {code, message, status} ---- */
function api(method, path, body, cb, timeout) {
  var xhr = new XMLHttpRequest(), done = false, timer;
  xhr.open(method, path, true);
  if (body) { xhr.setRequestHeader('Content-Type', 'application/json'); }
  xhr.onreadystatechange = function () {
    if (xhr.readyState !== 4 || done) { return; }
    done = true;
    clearTimeout(timer);
    var d = null, st = xhr.status, err;
    try { d = JSON.parse(xhr.responseText); } catch (e) {}
    if (st >= 200 && st < 300) { return cb(null, d || {}); }
    err = (d && d.error) || {message: st ? T.serverError + st + '.' : T.unreachable};
    err.status = st;
    cb(err, d);
  };
  if (timeout) { timer = setTimeout(function () { xhr.abort(); }, timeout); }
  xhr.send(body ? JSON.stringify(body) : null);
  return xhr;
}
// After a failure, tries again ever more rarely (3 s doubling to 60 s): an idle page that
// polls forever wears out the Kindle browser's connection ("Website Unaccessible").
function later(fn) { setTimeout(fn, S.wait = Math.min(2 * S.wait || 3000, 60000)); }
function chatPath(id, rest) { return '/api/chats/' + id + (rest || ''); }   // ids are [0-9a-f]
function notice(text) { setText($('notice'), text || ''); show($('notice'), text); layout(); }

/* ---- messages ---- */
function messageEl(m) {
  var user = m.role === 'user', el = make('div', 'msg ' + (user ? 'user' : 'model')), r = el.reply = {el: el, text: '', thoughts: ''};
  el.appendChild(make('div', 'who', user ? T.you : T.gemini));
  show(r.th = el.appendChild(make('div', 'thoughts')), false);
  r.body = el.appendChild(make('div', 'body'));
  r.src = el.appendChild(make('div', 'sources'));
  r.note = el.appendChild(make('div', 'note'));
  if (user) { addText(r.body, m.text); } else { update(r, m.text, m.thoughts, m); }
  return el;
}

function update(r, text, thoughts, d) {   // all in one task: one redraw
  var st = d.status || 'done', end = st !== 'streaming' && st !== 'done', e = d.error && d.error.message, note = e || {stopped: T.stopped, interrupted: T.interrupted}[st] || '';
  if (text) { r.text += text; Markdown.grow(r); }
  if (d.sources || d.queries || d.urls) { sources(r, d); }
  if (thoughts) {
    if (!r.thoughts) { r.th.appendChild(make('div', 'who', T.thoughts)); }
    r.thoughts += thoughts;
    addText(r.th, thoughts);
  }
  show(r.th, r.thoughts && S.thoughts);
  if (r.el.getAttribute('data-status') !== st) { r.el.setAttribute('data-status', st); }
  if (st === 'streaming' && !r.text) { note = T.writing; }
  if (st === 'error' && !e) { note = T.wrong; }
  if (d.finish && d.finish.message) { note += ' ' + d.finish.message; }
  // a server message is whole: add nothing to it
  if (!e && note && r.text && end) { note += T.kept; }
  setNote(r, trim(note), end);
  if (st === 'error' && d.error && d.error['switch']) { offerSwitch(r); }
}

// Where an answer came from, drawn again only when it changed (e-ink). The searches are
// plain text: Google's own suggestions come as HTML and CSS, which the page never runs.
function sources(r, d) {
  var key = JSON.stringify([d.sources, d.queries, d.urls]), list, i, li, u, read = [];
  if (key === r.srcKey) { return; }
  r.srcKey = key;
  clear(r.src);
  if (d.queries && d.queries.length) { r.src.appendChild(make('p', 'searched', T.searchedFor + d.queries.join('; '))); }
  if (d.sources && d.sources.length) {
    r.src.appendChild(make('div', 'who', T.sources));
    list = r.src.appendChild(make('ol'));
    for (i = 0; i < d.sources.length; i++) {
      li = list.appendChild(make('li', '', d.sources[i].title || d.sources[i].site));
      if (d.sources[i].site && d.sources[i].site !== d.sources[i].title) { li.appendChild(make('span', 'site', ' \u00B7 ' + d.sources[i].site)); }
    }
  }
  for (i = 0; d.urls && i < d.urls.length; i++) {
    u = d.urls[i];
    if (u.status === 'SUCCESS') { read.push(u.url); } else { r.src.appendChild(make('p', 'url-bad', u.url + ' ' + (T.urlBad[u.status] || T.urlBad.UNSPECIFIED))); }
  }
  if (read.length) { r.src.appendChild(make('p', 'url-read', T.pagesRead + read.join(', '))); }
}

function setNote(r, text, withRetry) {
  if (r.noteText === text && r.retry === withRetry) { return; }
  r.noteText = text;
  r.retry = withRetry;
  clear(r.note);
  if (text) { r.note.appendChild(make('span', '', text)); }
  if (withRetry) { r.note.appendChild(button(T.retry, 'retry', retry)); }
}

function onlyLastRetry() {   // only the last reply can be generated again
  for (var i = 0, list = M.childNodes, r; i < list.length - 1; i++) { r = list[i].reply; if (r.retry) { setNote(r, r.noteText, false); } }
}

function renderChat(chat) {
  var msgs = chat.messages, i, user = null, el, r;
  stopFollowing();
  clear(M);
  for (i = 0; i < msgs.length; i++) {
    el = M.appendChild(messageEl(msgs[i]));
    if (msgs[i].role === 'user') { user = el; }
  }
  onlyLastRetry();
  show($('empty'), !i);
  layout();
  turnTo(user);
  if (i && msgs[i - 1].status === 'streaming') {   // pick the reply up where it is
    r = el.reply;
    follow(chat.id, i - 1, r, cpLength(r.text), cpLength(r.thoughts));
  }
}

function openChat(id, quiet) {
  var n = ++S.nav;
  api('GET', chatPath(id), null, function (err, chat) {
    if (n !== S.nav) { return; }   // the user went on
    if (err && err.status === 404) { return newChat(); }
    if (err) { notice(err.message); return quiet && later(function () { openChat(id, true); }); }
    save('kc.chat', S.chat = chat.id);
    S.wait = 0;
    notice('');
    view('chat');
    renderChat(chat);
  });
}

function recent() {
  api('GET', '/api/chats', null, function (err, d) {
    if (err) { notice(err.message); return later(recent); }
    return d.chats.length ? openChat(d.chats[0].id, true) : newChat();
  });
}

function newChat() {
  save('kc.chat', 'new');   // chosen, not lost
  S.chat = null; S.nav++;
  view('chat');
  renderChat({messages: []});
}

/* ---- the long poll; after a failure it resumes at its offset ---- */
function follow(chat, index, r, offset, toff) {
  stopFollowing();
  busy(true);
  poll(S.live = {chat: chat, index: index, r: r, offset: offset, toff: toff, fails: 0});
}

function stopFollowing() {
  var live = S.live || {};
  S.live = null;
  clearTimeout(live.timer);
  if (live.xhr) { live.xhr.abort(); }
  busy(false);
}

function poll(live) {
  live.timer = null;
  if (S.live !== live || live.xhr) { return; }
  live.sent = +new Date();
  live.xhr = api('GET', chatPath(live.chat, '/messages/' + live.index) + '?from=' + live.offset +
    '&tfrom=' + live.toff + '&wait=' + WAIT, null, function (err, d) {
    live.xhr = null;
    if (S.live !== live) { return; }
    if (err && !(err.status >= 400 && err.status < 500)) {   // Wi-Fi drop, sleep, restart: again, slower
      live.fails++;
      notice(err.message + T.tryingAgain);
      return again(live, Math.min(1000 * live.fails * live.fails, 15000));
    }
    if (err) {   // gone, or the server has less text than the page (it lost its last second)
      stopFollowing();
      return err.code === 'bad_offset' ? openChat(live.chat) : notice(err.message);
    }
    if (live.fails) { live.fails = 0; notice(''); }
    var text = d.text || '', th = d.thoughts || '', atEnd = endVisible();
    live.offset = d.next;
    live.toff = d.thoughts_next || live.toff;
    if (text || th || d.status !== live.r.el.getAttribute('data-status')) {
      update(live.r, text, th, d);
      followPage(atEnd);
    }
    if (d.status === 'streaming') { again(live, 0); } else { stopFollowing(); }
  }, (WAIT + 20) * 1000);
}

// Never faster than the throttle, whatever the answer: a reply stuck at the same offset
// made the page spin on instant answers.
function again(live, ms) {
  live.timer = setTimeout(function () { poll(live); }, Math.max(ms, live.sent + Math.max(S.throttle || 500, 250) - new Date()));
}

function wake() {   // after sleep, timers may have been frozen
  var live = S.live;
  if (live && live.timer) { clearTimeout(live.timer); again(live, 0); }
}

function busy(on) { show($('send'), !on); show($('stop'), on); $('stop').disabled = !on; }

/* ---- send, stop, retry ---- */
function send() {
  var box = $('message'), text = box.value;
  if (!/\S/.test(text) || S.sending || S.live) { return; }
  S.sending = true;
  function post(id) {
    api('POST', chatPath(id, '/messages'), {text: text, search: $('search').checked}, function (err, d) {
      S.sending = false;   // on an error the draft stays in the box
      if (err) { return notice(err.status === 413 && !err.code ? T.tooLong : err.message); }
      box.value = '';
      save('kc.draft', null);
      $('search').checked = !!S.search;
      notice('');
      show($('empty'), false);
      var user = M.appendChild(messageEl({role: 'user', text: text}));
      var reply = M.appendChild(messageEl({role: 'model', status: 'streaming'}));
      onlyLastRetry();
      layout();
      turnTo(user);
      follow(id, d.index, reply.reply, 0, 0);
    });
  }
  if (S.chat) { return post(S.chat); }
  api('POST', '/api/chats', {}, function (err, d) {
    if (err) { S.sending = false; return notice(err.message); }
    save('kc.chat', S.chat = d.id);
    post(d.id);
  });
}

function stop() {
  var live = S.live;
  if (!live) { return; }
  $('stop').disabled = true;
  api('POST', chatPath(live.chat, '/messages/' + live.index + '/stop'), {}, function (err) {
    if (err) { busy(true); notice(err.message); }
  });
}

function retry() {
  var id = S.chat;
  if (!id || S.live) { return; }
  api('POST', chatPath(id, '/retry'), {}, function (err, d) {
    if (err) { return notice(err.message); }
    notice('');
    var el = messageEl({role: 'model', status: 'streaming'});
    M.replaceChild(el, M.lastChild);
    layout();
    follow(id, d.index, el.reply, 0, 0);
  });
}

/* ---- pages: the pager is one screen high and turns like a book ---- */
function step() { return Math.max(40, P.clientHeight - Math.round(S.font * 1.8)); }
function endVisible() { return SP.offsetTop <= P.scrollTop + P.clientHeight + 2; }

// The next page starts at the innermost block the bottom edge cuts (no line cut in two);
// a block taller than the screen goes on with a line of overlap.
function nextTop(top) {
  var edge = top + P.clientHeight, base = P.getBoundingClientRect().top - P.scrollTop, to = edge, i, r,
    els = atEdge(edge, base);
  for (i = 0; i < els.length; i++) {
    r = els[i].getBoundingClientRect();
    if (isCut(els[i]) && r.top - base < edge && r.bottom - base > edge + 1) { to = to === edge ? r.top - base : Math.max(to, r.top - base); }
  }
  return to > top + 9 ? Math.floor(to) - 4 : top + step();
}

// What an edge may cut: lines of text (paragraphs, items, rows, code, headings, labels).
var CUTS = 'p,li,pre,tr,hr,h3,h4,h5,h6,.who,.note,.user .body';
function isCut(el) {
  return /^(P|LI|PRE|TR|HR|H[3-6])$/.test(el.tagName) || /(^| )(who|note)( |$)/.test(el.className) ||
    (el.className === 'body' && /user/.test(el.parentNode.className));
}

// Only the elements near the edge are asked where they are. A reply's blocks stand one
// under the other, so the one at the edge is found by halving: asking every block made
// each page turn cost more the longer the reply (issue 12.5).
function atEdge(edge, base) {
  var out = [], msgs = M.childNodes, i, j, k, el, kids, r, inner;
  for (i = 0; i < msgs.length; i++) {
    r = msgs[i].getBoundingClientRect();
    if (r.top - base >= edge || r.bottom - base <= edge + 1) { continue; }
    kids = msgs[i].childNodes;
    for (j = 0; j < kids.length; j++) {
      el = kids[j] === msgs[i].reply.body && /model/.test(msgs[i].className) ? blockAt(kids[j], edge, base) : kids[j];
      if (!el) { continue; }
      out.push(el);
      for (k = 0, inner = el.querySelectorAll(CUTS); k < inner.length; k++) { out.push(inner[k]); }
    }
  }
  return out;
}

// The last of body's blocks that starts above the edge, if it reaches past it.
function blockAt(body, edge, base) {
  var list = body.childNodes, lo = 0, hi = list.length - 1, mid;
  if (hi < 0 || list[0].getBoundingClientRect().top - base >= edge) { return null; }
  while (lo < hi) {   // list[lo] starts above the edge
    mid = Math.ceil((lo + hi) / 2);
    if (list[mid].getBoundingClientRect().top - base < edge) { lo = mid; } else { hi = mid - 1; }
  }
  return list[lo].getBoundingClientRect().bottom - base > edge + 1 ? list[lo] : null;
}

function followPage(wasAtEnd) {
  if ($('follow').checked && wasAtEnd) { while (!endVisible()) { turn(1); } }
  pageBar();
}

// Previous goes back to the exact tops Next came from, and Next after Previous to the
// exact top Previous left, like a book: a streaming reply may have redrawn the block at
// a page's edge meanwhile, and working the edge out again would move the page.
function turnTo(el) { S.back = []; S.fwd = []; P.scrollTop = el ? el.offsetTop - 4 : 0; pageBar(); }
function turn(dir) {
  if (dir < 0) {
    if (P.scrollTop > 0) { S.fwd.push(P.scrollTop); }
    P.scrollTop = S.back.length ? S.back.pop() : P.scrollTop - step();
  } else if (!endVisible()) {
    S.back.push(P.scrollTop);
    P.scrollTop = S.fwd.length ? S.fwd.pop() : nextTop(P.scrollTop);
  }
  pageBar();
}

function pageBar() { $('prev').disabled = P.scrollTop <= 0; $('next').disabled = endVisible(); }

// The chat view fills the window exactly: the document itself never scrolls.
function layout() {
  if ($('chat-view').style.display) { return; }
  P.style.height = '50px';
  var rest = document.body.offsetHeight - 50;
  P.style.height = Math.max(150, window.innerHeight - rest) + 'px';
  SP.style.height = P.clientHeight + 'px';
  pageBar();
}

/* ---- views: chat, chats, settings ---- */
function view(name) {
  show($('chat-view'), name === 'chat');
  show($('chats-view'), name === 'chats');
  show(F, name === 'settings');
  window.scrollTo(0, 0);
  layout();
}

function showChats() {
  view('chats');
  api('GET', '/api/chats', null, function (err, d) {
    var chats = (d && d.chats) || [], i, list = $('chat-list');
    setText(list, err ? err.message : chats.length ? '' : T.noChats);
    for (i = 0; i < chats.length; i++) { list.appendChild(chatRow(chats[i])); }
  });
}

function chatRow(c) {
  var row = make('div', 'chat' + (c.id === S.chat ? ' current' : '')), del, d = new Date(c.updated * 1000 || c.updated);
  row.setAttribute('data-id', c.id);
  row.appendChild(button(c.title || T.newChat, 'open', function () { openChat(c.id); }))
    .appendChild(make('span', 'meta', (isNaN(d) ? '' : d.toLocaleString()) +
      (c.count ? ' \u00B7 ' + c.count + T.messages : '')));
  // two taps: the new Kindle browser has no confirm()
  del = row.appendChild(button(T.del, 'delete', function () {
    if (!del.getAttribute('data-armed')) { del.setAttribute('data-armed', 1); return setText(del, T.delSure); }
    api('DELETE', chatPath(c.id), {}, function (err) {
      if (err) { return notice(err.message); }
      row.parentNode.removeChild(row);
      if (c.id === S.chat) { newChat(); view('chats'); }
    });
  }));
  return row;
}

var F = $('settings-view'), FIELDS = ['model', 'system_instruction', 'temperature', 'throttle_ms'];
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
  if (S.search !== !!s.google_search) { $('search').checked = !!s.google_search; }   // a new default
  S.search = !!s.google_search;
  S.model = s.model;
  show($('thinking-field'), 'thinking_level' in s);
  if ('thinking_level' in s && !t['thinking-list']) { S.level = s.thinking_level || ''; }
  drawChoices();
  if (!t['set-api-key']) { $('set-api-key').value = ''; }
  F.setAttribute('data-state', 'ready');
  setText($('api-key-state'), s.api_key_set ? T.keySaved : T.noKey + (s.demo ? T.demoNoKey : ''));
}

function saveSettings() {
  var body = {show_thoughts: $('set-show-thoughts').checked, google_search: $('set-google-search').checked,
    url_context: $('set-url-context').checked}, i, v, n, key = trim($('set-api-key').value);
  if (S.level !== undefined) { body.thinking_level = S.level; }
  if (key) { body.api_key = key; }
  for (i = 0; i < FIELDS.length; i++) {
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
}
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
    layout();
  });
}
function switchTo(name) {
  return function () {
    api('PUT', '/api/settings', {model: name}, function (err, s) {
      if (err) { return notice(err.message); }
      S.model = s.model;
      if (!S.touched['set-model']) { field('model').value = s.model; }
      retry();
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
  layout();
}
function fontBy(d) { return function () { setFont(S.font + d); save('kc.font', S.font); }; }

function health() {
  api('GET', '/api/health', null, function (err, h) {
    if (err) { return later(health); }
    setText($('banner'), T.demo);
    show($('banner'), h.demo);
    layout();
  });
}

/* ---- start ---- */
var box = $('message'), y0 = 0, i, b = document.getElementsByTagName('button');
var CLICKS = {send: send, stop: stop, 'new-chat': newChat, 'show-chats': showChats, 'save-settings': saveSettings,
  'show-settings': function () { view('settings'); setText($('settings-status'), ''); getSettings(); loadModels(false); },
  'refresh-models': function () { loadModels(true); },
  'font-smaller': fontBy(-2), 'font-larger': fontBy(2),
  prev: function () { turn(-1); }, next: function () { turn(1); },
  follow: function () { save('kc.follow', $('follow').checked ? null : 'off'); }};
for (i in CLICKS) { $(i).onclick = CLICKS[i]; }
for (i = 0; i < b.length; i++) { if (b[i].className === 'back') { b[i].onclick = function () { view('chat'); }; } }
F.onsubmit = function () { saveSettings(); return false; };
F.oninput = F.onchange = F.onkeyup = function (e) {
  var id = (e || window.event).target.id;
  S.touched[id] = 1;
  if (id === 'set-model') { drawChoices(); }
};
$('follow').checked = load('kc.follow') !== 'off';
// default text size from the screen width: 20 px on a 758 px Paperwhite
setFont(parseInt(load('kc.font'), 10) || Math.max(18, Math.min(40, Math.round((window.innerWidth || 758) / 38))));
box.value = load('kc.draft') || '';
box.onkeyup = box.oninput = box.onchange = function () { save('kc.draft', box.value || null); };
box.onkeydown = function (e) {
  e = e || window.event;
  if (e.keyCode === 13 && !e.shiftKey && !e.ctrlKey && !e.altKey) { send(); return false; }
};
// A swipe turns a page (a shortcut only: the old browser sends no touch events).
P.addEventListener('touchstart', function (e) { y0 = e.touches[0].clientY; }, false);
P.addEventListener('touchend', function (e) {
  var dy = e.changedTouches[0].clientY - y0;
  if (Math.abs(dy) > 40) { turn(dy < 0 ? 1 : -1); }
}, false);
window.onresize = layout;
window.onfocus = window.onpageshow = window.ononline = wake;
document.addEventListener('visibilitychange', wake, false);
health();
getSettings();
// The new Kindle browser may empty localStorage at launch: then open the newest chat.
var last = load('kc.chat');
if (last === 'new') { newChat(); } else if (last) { openChat(last, true); } else { recent(); }
}());
