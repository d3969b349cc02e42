/* A message drawn: who wrote it, its text (Markdown, growing as it streams), its
   thoughts, where it came from, the pages a book chat's answer drew on, its note (an
   error, a stop) with Retry, and its follow-ups (quick.js). ES5 only (see app.js).
   Loaded after kit.js and quick.js, before app.js, whose retry the note's button calls;
   adds KC.messageEl, KC.update and KC.onlyLastRetry. */
(function () {
'use strict';

var K = KC, T = K.T, S = K.S, make = K.make, addText = K.addText, button = K.button, show = K.show,
  clear = K.clear, trim = K.trim, M = K.$('messages');

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
  if (d.book) { bookNote(r, d.book); }
  if (thoughts) {   // Markdown, as the reply (issue 22.11): r.tk is what Markdown.grow draws
    if (!r.thoughts) { r.th.appendChild(make('div', 'who', T.thoughts)); r.tk = {text: '', body: r.th.appendChild(make('div'))}; }
    r.thoughts += thoughts;
    r.tk.text = r.thoughts;
    Markdown.grow(r.tk);
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

// Under a book chat's answer: the pages used, the bound moved, a notice.
function bookNote(r, book) {
  var key = JSON.stringify(book), parts = [];
  if (!book || r.bookKey === key) { return; }
  r.bookKey = key;
  if (!r.book) { r.book = r.el.insertBefore(make('div', 'book-note'), r.src); }
  K.clear(r.book);
  if (book.moved) { parts.push(T.readOn + (book.page ? T.page + book.page : book.location ? T.loc + book.location : Math.round(book.percent || 0) + T.read) + '.'); }
  if (book.pages && book.pages.length) { parts.push(T.pagesUsed + book.pages.join(', ')); }
  if (book.notice) { parts.push(book.notice); }
  for (var i = 0; i < parts.length; i++) { r.book.appendChild(make('p', 'meta', parts[i])); }
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
  if (withRetry) { r.note.appendChild(button(T.retry, 'retry', function () { K.retry(); })); }
}

function onlyLastRetry() {   // only the last reply can be generated again
  for (var i = 0, list = M.childNodes, r; i < list.length - 1; i++) { r = list[i].reply; if (r.retry) { setNote(r, r.noteText, false); } if (r.fu) { K.followUps(r, {}); } }
}

K.messageEl = messageEl;
K.update = update;
K.onlyLastRetry = onlyLastRetry;
K.LIVE = LIVE;
}());
