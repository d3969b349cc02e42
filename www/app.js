/* KindleChat page: the chat, its long poll and its pages, the views, and the start.
   ES5 only: the old Kindle WebKit has no let, =>, fetch, Promise, classList, dataset or
   bind. E-ink: one redraw per server answer, of the last block only. Loaded last, after
   strings.js (the words), markdown.js (the renderer), kit.js (KC: state, API, helpers),
   pager.js (the pages), message.js (a message drawn) and settings.js (the Settings view). */
(function () {
'use strict';

var K = KC, T = K.T, S = K.S, $ = K.$, api = K.api, show = K.show, clear = K.clear, setText = K.setText,
  notice = K.notice, load = K.load, save = K.save, later = K.later, chatPath = K.chatPath,
  cpLength = K.cpLength;
var M = $('messages'), G = K.pages, layout = K.layout, turnTo = G.turnTo, followPage = G.followPage,
  endVisible = G.endVisible;   // pager.js
var WAIT = 25;  // seconds the server may hold a long poll

var messageEl = K.messageEl, update = K.update, onlyLastRetry = K.onlyLastRetry, LIVE = K.LIVE;   // message.js

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

// Stop takes Send's place under the finger: guarded as it appears (kit.js).
function busy(on) {
  if (on && $('stop').style.display) { K.guard($('stop')); }
  show($('send'), !on); show($('stop'), on); $('stop').disabled = !on;
}

/* ---- send, stop, retry ---- */
function send() { sendText($('message').value, true); }
// fromBox: the text is the box's (emptied once it is sent); a follow-up leaves a draft be.
function sendText(text, fromBox) {
  var box = $('message');
  if (!/\S/.test(text) || S.sending || S.live) { return; }
  S.sending = true;
  function post(id, created) {
    api('POST', chatPath(id, '/messages'), {text: text, search: $('search').checked}, function (err, d) {
      S.sending = false;   // on an error the draft stays in the box
      if (err && created) { forget(id); }   // no empty "New chat" in Chats
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
    post(d.id, true);
  });
}
function forget(id) {
  if (S.chat === id) { save('kc.chat', 'new'); S.chat = null; }
  api('DELETE', chatPath(id), {}, function () {});
}

function stop() {
  var live = S.live;
  if (!live || K.guarded($('stop'))) { return; }
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

function saveBook() {
  var b = $('save-book');
  if (!S.chat || b.disabled) { return; }
  b.disabled = true;
  api('POST', chatPath(S.chat, '/save'), {}, function (err, d) {
    b.disabled = false;
    notice(err ? err.message : T.savedAs + d.path + '.');
  });
}

/* ---- views: chat, chats, settings; the library's, loaded at its first tap ---- */
var VIEWS = K.views;
function view(name) {
  for (var i = 0; i < VIEWS.length; i++) { show($(VIEWS[i] + '-view'), VIEWS[i] === name); }
  window.scrollTo(0, 0);
  layout();
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
var box = $('message'), i, b = document.getElementsByTagName('button');
var CLICKS = {send: send, stop: stop, 'new-chat': newChat, 'show-chats': K.showChats,
  'show-settings': function () { K.openSettings(); K.allTables(K.drawLanguages); },
  follow: function () { save('kc.follow', $('follow').checked ? null : 'off'); }, 'save-book': saveBook,
  // then library.js takes the button over
  'show-library': function () { K.need(LIBRARY, function () { K.openLibrary(); }); }};
var LIBRARY = ['books.js', 'library.js', 'review.js'];   // loaded when first opened: a start parses less
for (i in CLICKS) { $(i).onclick = CLICKS[i]; }
for (i = 0; i < b.length; i++) { if (b[i].className === 'back') { b[i].onclick = function () { view('chat'); }; } }
K.view = view;
K.retry = retry;
K.openChat = openChat;   // phone.js: a message sent from the phone; chats.js
K.newChat = newChat;
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
window.onresize = layout;
window.onfocus = window.onpageshow = window.ononline = wake;
document.addEventListener('visibilitychange', wake, false);
health();
K.getSettings();
// The new Kindle browser may empty localStorage at launch: then open the newest chat.
var last = load('kc.chat');
if (last === 'new') { newChat(); } else if (last) { openChat(last, true); } else { recent(); }
}());
