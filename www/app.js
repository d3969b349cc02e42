/* KindleChat page: the chat, its long poll and its pages, the views, and the start.
   ES5 only: the old Kindle WebKit has no let, =>, fetch, Promise, classList, dataset or
   bind. E-ink: one redraw per server answer, of the last block only. Loaded last, after
   strings.js (the words), markdown.js (the renderer), kit.js (KC: state, API, helpers)
   and settings.js (the Settings view). */
(function () {
'use strict';

var K = KC, T = K.T, S = K.S, $ = K.$, api = K.api, make = K.make, addText = K.addText,
  button = K.button, show = K.show, clear = K.clear, setText = K.setText, trim = K.trim,
  notice = K.notice, load = K.load, save = K.save, later = K.later, chatPath = K.chatPath,
  cpLength = K.cpLength;
var P = $('pager'), M = $('messages'), SP = $('spacer');
var WAIT = 25;  // seconds the server may hold a long poll

/* ---- messages ---- */
function messageEl(m) {
  var user = m.role === 'user', el = make('div', 'msg ' + (user ? 'user' : 'model')), r = el.reply = {el: el, text: '', thoughts: ''};
  r.who = S.chatProfile || S.profile || T.gemini;   // a reply is headed by the chat's profile (its service)
  el.appendChild(make('div', 'who', user ? T.you : r.who));
  show(r.th = el.appendChild(make('div', 'thoughts')), false);
  r.body = el.appendChild(make('div', 'body'));
  r.src = el.appendChild(make('div', 'sources'));
  r.note = el.appendChild(make('div', 'note'));
  r.fu = el.appendChild(make('div', 'follow-ups'));   // quick.js
  if (user) { addText(r.body, m.text); } else { update(r, m.text, m.thoughts, m); }
  return el;
}

var LIVE = {streaming: 1, reconnecting: 1};   // a reply's statuses before its end

function update(r, text, thoughts, d) {   // all in one task: one redraw
  var st = d.status || 'done', end = !LIVE[st] && st !== 'done', e = d.error && d.error.message, note = e || {stopped: T.stopped, interrupted: T.interrupted}[st] || '';
  if (text) { r.text += text; Markdown.grow(r); }
  if (d.sources || d.queries || d.urls) { sources(r, d); }
  if (d.book) { K.bookNote(r, d.book); }   // books.js
  if (thoughts) {
    if (!r.thoughts) { r.th.appendChild(make('div', 'who', T.thoughts)); }
    r.thoughts += thoughts;
    addText(r.th, thoughts);
  }
  show(r.th, r.thoughts && S.thoughts);
  if (r.el.getAttribute('data-status') !== st) { r.el.setAttribute('data-status', st); }
  if (st === 'streaming' && !r.text) { note = T.writing.replace('%s', r.who); }
  if (st === 'reconnecting') { note = T.reconnecting; }   // a cut reply waits, then goes on by itself
  if (st === 'error' && !e) { note = T.wrong; }
  if (d.finish && d.finish.message) { note += ' ' + d.finish.message; }
  // a server message is whole: add nothing to it
  if (!e && note && r.text && end) { note += T.kept; }
  setNote(r, trim(note), end);
  if (st === 'error' && d.error && d.error['switch']) { K.offerSwitch(r, d.error); }
  if (st === 'error' && d.error && d.error.use_default) { K.offerDefault(r); }
  K.followUps(r, d);
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
  for (var i = 0, list = M.childNodes, r; i < list.length - 1; i++) { r = list[i].reply; if (r.retry) { setNote(r, r.noteText, false); } if (r.fu) { K.followUps(r, {}); } }
}

function renderChat(chat) {
  var msgs = chat.messages, i, user = null, el, r;
  stopFollowing();
  // Which profile and model answer here: the chat's own, or (a new chat) the current one.
  S.chatProfile = chat.profile || '';
  S.chatModel = chat.profile ? chat.model : '';
  K.showSource();
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
  watchQuiet(S.live);
}

// A reply with no new text for QUIET ms says, once, in the status line, whom it waits for.
var QUIET = 15000;
function watchQuiet(live) {
  clearTimeout(live.quiet);
  if (live.said) { live.said = 0; notice(''); }   // text came: the word has done its work
  if (!live.once) { live.quiet = setTimeout(function () { if (S.live === live) { live.said = live.once = 1; notice(T.stillWaiting.replace('%s', live.r.who)); } }, QUIET); }
}

function stopFollowing() {
  var live = S.live || {};
  S.live = null;
  clearTimeout(live.timer);
  clearTimeout(live.quiet);
  if (live.said) { notice(''); }
  if (live.xhr) { live.xhr.abort(); }
  busy(false);
}

function poll(live) {
  live.timer = null;
  if (S.live !== live || live.xhr) { return; }
  live.sent = +new Date();
  live.xhr = api('GET', chatPath(live.chat, '/messages/' + live.index) + '?from=' + live.offset +
    '&tfrom=' + live.toff + '&wait=' + WAIT, null, function (err, d) {
    var t0 = +new Date();   // the answer's whole handling is the update's cost (again)
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
    if (text || th) { watchQuiet(live); }
    if (text || th || d.status !== live.r.el.getAttribute('data-status')) {
      update(live.r, text, th, d);
      followPage(atEnd);   // reads positions: the layout is done here, in this task
    }
    live.cost = +new Date() - t0;
    if (LIVE[d.status]) { again(live, 0); } else { stopFollowing(); }
  }, (WAIT + 20) * 1000);
}

// Never faster than the throttle, whatever the answer: a reply stuck at the same offset
// made the page spin on instant answers. And never busy more than a quarter of the time: on
// a slow core (the JIT-less Kindle browser) an update of a long reply costs more than the
// throttle, and polling at once after it kept the main thread busy 60% of a reply (issue
// 12.5). Then updates come less often and bring more text each, which e-ink prefers too;
// at most PACE_MAX apart, so the text still flows.
var PACE = 4, PACE_MAX = 5000;   // the handler's cost, times 4: the paint after it adds ~35%
function again(live, ms) {
  var every = Math.max(S.throttle || 500, 250, Math.min(PACE * (live.cost || 0), PACE_MAX));
  live.timer = setTimeout(function () { poll(live); }, Math.max(ms, live.sent + every - new Date()));
}

function wake() {   // after sleep, timers may have been frozen
  var live = S.live;
  if (live && live.timer) { clearTimeout(live.timer); again(live, 0); }
}

function busy(on) { show($('send'), !on); show($('stop'), on); $('stop').disabled = !on; }

/* ---- send, stop, retry ---- */
function send() { sendText($('message').value, true); }
// fromBox: the text is the box's (emptied once it is sent); a follow-up leaves a draft be.
function sendText(text, fromBox) {
  var box = $('message');
  if (!/\S/.test(text) || S.sending || S.live) { return; }
  S.sending = true;
  function post(id) {
    api('POST', chatPath(id, '/messages'), {text: text, search: $('search').checked}, function (err, d) {
      S.sending = false;   // on an error the draft stays in the box
      if (err) { return notice(err.status === 413 && !err.code ? T.tooLong : err.message); }
      if (fromBox) { box.value = ''; save('kc.draft', null); }
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

// The last of body's blocks that starts above the edge, if it reaches past it; in a
// reply, looked for in its sheaves (markdown.js), then in the sheaf's blocks.
function blockAt(body, edge, base) {
  var list = body.childNodes, lo = 0, hi = list.length - 1, mid;
  if (hi < 0 || list[0].getBoundingClientRect().top - base >= edge) { return null; }
  while (lo < hi) {   // list[lo] starts above the edge
    mid = Math.ceil((lo + hi) / 2);
    if (list[mid].getBoundingClientRect().top - base < edge) { lo = mid; } else { hi = mid - 1; }
  }
  if (list[lo].className === 'sheaf') { return blockAt(list[lo], edge, base); }
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
  show($('save-book'), !!S.chat);   // library.js: a chat open can be saved as a book
  pageBar();
}

/* ---- views: chat, chats, settings ---- */
var VIEWS = K.views;
function view(name) {
  for (var i = 0; i < VIEWS.length; i++) { show($(VIEWS[i] + '-view'), VIEWS[i] === name); }
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
    .appendChild(make('span', 'meta', (isNaN(d) ? '' : K.when(d)) +
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
var CLICKS = {send: send, stop: stop, 'new-chat': newChat, 'show-chats': showChats,
  'show-settings': K.openSettings, prev: function () { turn(-1); }, next: function () { turn(1); },
  follow: function () { save('kc.follow', $('follow').checked ? null : 'off'); }};
for (i in CLICKS) { $(i).onclick = CLICKS[i]; }
for (i = 0; i < b.length; i++) { if (b[i].className === 'back') { b[i].onclick = function () { view('chat'); }; } }
K.layout = layout;
K.view = view;
K.retry = retry;
K.openChat = openChat;   // phone.js: a message sent from the phone
K.sendText = sendText;
$('follow').checked = load('kc.follow') !== 'off';
// default text size from the screen width: 20 px on a 758 px Paperwhite
K.setFont(parseInt(load('kc.font'), 10) || Math.max(18, Math.min(40, Math.round((window.innerWidth || 758) / 38))));
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
K.getSettings();
// The new Kindle browser may empty localStorage at launch: then open the newest chat.
var last = load('kc.chat');
if (last === 'new') { newChat(); } else if (last) { openChat(last, true); } else { recent(); }
}());
