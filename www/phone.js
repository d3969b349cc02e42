/* The Phone view: the phone as a keyboard. A QR code (a PNG drawn by the server: the
   old Kindle WebKit shows PNG, and the token never goes to an outside QR service) opens
   this chat on a phone; a message sent there shows here with its reply, no touch needed.
   ES5 only (see app.js). Loaded after kit.js, before app.js; uses KC.openChat from app.js.
   E-ink and the browser's connection: the page watches for messages from elsewhere only
   for 10 minutes after the Phone view was opened, or while the server says a phone is in
   use (it asked for something in the last 10 minutes); otherwise it sends nothing. */
(function () {
'use strict';

var K = KC, T = K.T, S = K.S, $ = K.$, api = K.api, show = K.show, setText = K.setText;
var OPEN_MS = 600000, WAIT = 25, GAP_MS = 1000;   // watch window, long-poll s, least gap
var V = $('phone-view'), W = {seq: -1, until: 0, phone: false, fails: 0, xhr: null, timer: null};

// Opened from the link: this page is the phone. Its cookie tells the server a phone is in
// use; it opens the chat the link names (app.js reads kc.chat when it starts, after us).
var q = location.search, chat = /[?&]chat=(new|[0-9a-f]+)(&|$)/.exec(q);
if (/[?&]phone=1(&|$)/.test(q)) {
  document.cookie = 'kc_phone=1; path=/';
  if (chat) { K.save('kc.chat', chat[1]); }
}
var isPhone = /(^|;\s*)kc_phone=1(;|$)/.test(document.cookie);

function openPhone() {
  var c = '?chat=' + (S.chat || 'new'), img = $('phone-qr'), box = Math.min(window.innerWidth, window.innerHeight) * 0.6;
  K.view('phone');
  V.setAttribute('data-state', 'loading');
  setText($('phone-state'), T.phoneLoading);
  api('GET', '/api/link' + c, null, function (err, d) {
    setText($('phone-url'), err ? '' : T.phoneAddress + d.url);
    // the page's own words for the loopback mode: the server's are English, and name the
    // Phone button as it is in English (issue 22.7)
    setText($('phone-state'), err ? (err.status === 409 ? T.phoneLoopback : err.message) : T.phoneHow);
    show(img, !err);
    if (!err) { img.src = '/api/link.png' + c + '&size=' + Math.max(120, Math.round(box)); }
    V.setAttribute('data-state', err ? (err.status === 409 ? 'loopback' : 'error') : 'ready');
    if (!err && !isPhone) { watchFor(OPEN_MS, true); }
    K.layout();
  });
}

/* ---- the watch: a long poll on the count of messages posted (GET /api/link/watch) ---- */
// fresh: with no watch under way, the count is asked anew first: the one kept from an
// earlier watch counts the page's own messages since, which are not "from elsewhere"
// (they opened the chat over the Phone view, issue 22.10).
function watchFor(ms, fresh) {
  W.until = Math.max(W.until, +new Date() + ms);
  if (!W.xhr && !W.timer) {
    if (fresh) { W.seq = -1; }
    watch();
  }
}

function watching() { return W.phone || +new Date() < W.until; }

function watch() {
  var sent = +new Date(), first = W.seq < 0;
  W.timer = null;
  document.body.setAttribute('data-watch', 'on');
  W.xhr = api('GET', '/api/link/watch?after=' + W.seq + '&wait=' + (first ? 0 : WAIT), null, function (err, d) {
    W.xhr = null;
    if (err) { W.fails++; return next(sent, Math.min(5000 * W.fails, 60000)); }
    W.fails = 0;
    W.phone = !!d.phone;
    if (!first && d.seq !== W.seq && d.chat) { arrived(d.chat); }
    W.seq = d.seq;
    next(sent, 0);
  }, (WAIT + 20) * 1000);
}

// Never two watches within GAP_MS, whatever the server answers; none once the window
// is over and no phone is in use.
function next(sent, ms) {
  if (!watching()) { document.body.setAttribute('data-watch', 'off'); return; }
  W.timer = setTimeout(watch, Math.max(ms, sent + GAP_MS - new Date()));
}

// A message was posted in chat id. The page's own (it is still sending, or follows the
// reply already) needs nothing; one from elsewhere opens that chat, which follows its
// reply at e-ink pace (app.js).
function arrived(id) {
  if (S.sending || S.live) { return; }
  K.openChat(id);
}

K.views.push('phone');
$('show-phone').onclick = openPhone;
// One question at start (not a poll): is a phone in use? Then go on watching.
if (!isPhone) { watch(); }
}());
