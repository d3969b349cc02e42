/* The library views: Highlights (My Clippings.txt), Words (the Vocabulary Builder) and
   Books (the books last opened), each starting a chat about what was tapped. ES5 only,
   taps only (see app.js). Loaded with review.js at the first tap on Library (app.js,
   KC.need), after the start's scripts: it adds its views to KC.views and calls back
   KC.openChat and KC.view. Lists page with More, never an inner scrolling box (old WebKit has no
   touch events to scroll one, and e-ink ghosts while scrolling). */
(function () {
'use strict';

var K = KC, T = K.T, S = K.S, $ = K.$, api = K.api, make = K.make, button = K.button, show = K.show,
  clear = K.clear, setText = K.setText, trim = K.trim, notice = K.notice;
var PAGE = 10, BOOKS = 8, RETRIES = 20, VIEWS = ['highlights', 'words', 'books'];
var L = S.lib = {q: '', book: '', seq: 0, shown: 0, tries: 0, books: BOOKS, words: PAGE};

function enc(s) { return encodeURIComponent(s); }
function state(name, st) { $(name + '-view').setAttribute('data-state', st); }
function day(iso) { return (iso || '').slice(0, 10); }
function meta(parts) {
  for (var out = [], i = 0; i < parts.length; i++) { if (parts[i]) { out.push(parts[i]); } }
  return make('div', 'meta', out.join(' \u00B7 '));
}

// Each view opens with the same three tabs, its own one black (the choices' look).
function tabs(name) {
  var row = make('p', 'choices tabs'), i, b;
  for (i = 0; i < VIEWS.length; i++) {
    b = row.appendChild(button(T[VIEWS[i]], 'tab', OPEN[VIEWS[i]]));
    if (VIEWS[i] === name) { b.setAttribute('data-chosen', '1'); }
  }
  var el = $(name + '-view');
  el.insertBefore(row, el.firstChild);
}

// One chat start at a time: a second tap while the first is on its way does nothing.
function start(body) {
  if (L.starting) { return; }
  L.starting = true;
  notice(T.starting);
  api('POST', '/api/library/chats', body, function (err, d) {
    L.starting = false;
    if (err) { return notice(err.message); }
    K.openChat(d.id);   // renders the chat and follows its streaming reply
  });
}

/* ---- Highlights: books newest first, a search, the highlights; More pages on ---- */
function openHighlights() { K.view('highlights'); loadHighlights(0, PAGE); }

function loadHighlights(offset, limit) {
  var n = ++L.seq;
  clearTimeout(L.timer);
  state('highlights', 'loading');
  if (!offset) { setText($('hl-msg'), T.libLoading); }
  api('GET', '/api/highlights?q=' + enc(L.q) + '&book=' + enc(L.book) + '&offset=' + offset + '&limit=' + limit, null,
    function (err, d) {
      if (n !== L.seq) { return; }   // only the newest question counts
      if (err) { d = {message: err.message}; }
      drawHighlights(d, offset);
      // a big file is still being read: what came is shown, the rest asked for again
      if (d.partial && L.tries++ < RETRIES) { L.timer = setTimeout(function () { loadHighlights(0, Math.max(L.shown, PAGE)); }, 3000); }
      if (!d.partial) { L.tries = 0; }
    });
}

function drawHighlights(d, offset) {
  var list = $('hl-list'), items = d.highlights || [], i, msg = d.message || '';
  if (!offset) { clear(list); L.shown = 0; L.open = null; drawBooks(d.books || []); }
  for (i = 0; i < items.length; i++) { list.appendChild(highlight(items[i])); }
  L.shown += items.length;
  if (!msg && !L.shown) { msg = L.q || L.book ? T.noMatch : T.noHighlights; }
  if (d.partial) { msg = (msg ? msg + ' ' : '') + T.partial; }
  setText($('hl-msg'), msg);
  show($('hl-more'), L.shown < (d.total || 0));
  state('highlights', d.message && !L.shown ? 'error' : 'ready');
  K.pageList(list, offset > 0);   // lists.js: a screenful; More stays on the page
  K.layout();
}

function drawBooks(books) {
  var box = $('hl-books'), i, b;
  clear(box);
  if (L.book) { box.appendChild(button(T.allBooks, 'book', pickBook(''))); }
  for (i = 0; i < books.length && i < L.books; i++) {
    b = box.appendChild(button(books[i].title + ' (' + books[i].count + ')', 'book', pickBook(books[i].title)));
    if (books[i].title === L.book) { b.setAttribute('data-chosen', '1'); }
  }
  if (books.length > L.books) { box.appendChild(button(T.moreBooks, 'book', function () { L.books += BOOKS; drawBooks(books); })); }
}
function pickBook(title) { return function () { L.book = title; L.books = BOOKS; loadHighlights(0, PAGE); }; }

function search() { L.q = trim($('hl-q').value); loadHighlights(0, PAGE); return false; }

// One tap on a highlight offers what to ask; tapping another moves the offer there.
function highlight(h) {
  var el = make('div', 'hl'), tap = el.appendChild(make('div', 'hl-tap'));
  el.setAttribute('data-id', h.id);
  tap.appendChild(make('div', 'hl-text', h.text || h.note));
  if (h.text && h.note) { tap.appendChild(make('div', 'hl-note', T.note + h.note)); }
  tap.appendChild(meta([h.book, h.page && T.page + h.page, !h.page && h.location && T.loc + h.location, day(h.added)]));
  tap.onclick = function () { offer(el, h.id); };
  return el;
}

function offer(el, id) {
  var acts = make('p', 'acts'), i;
  if (L.open) { L.open.parentNode.removeChild(L.open); }
  for (i = 0; i < T.acts.length; i++) { acts.appendChild(button(T.acts[i][1], 'act', ask(T.acts[i][0], id))); }
  L.open = el.appendChild(acts);
  K.pageList($('hl-list'), true);   // the row grew: the page holds fewer
}
function ask(action, id) { return function () { start({action: action, highlight: id}); }; }

/* ---- Words: newest first, with their sentence; a tap explains one ---- */
function openWords() { K.view('words'); loadWords(false); }

function loadWords(keep) {
  var n = ++L.seq;
  state('words', 'loading');
  api('GET', '/api/words?limit=' + L.words, null, function (err, d) {
    if (n !== L.seq) { return; }
    var list = $('words-list'), words = (d && d.words) || [], i, msg = err ? err.message : (d.message || '');
    clear(list);
    for (i = 0; i < words.length; i++) { list.appendChild(word(words[i])); }
    setText($('words-msg'), msg || (words.length ? '' : T.noWords));
    show($('quiz'), words.length);
    show($('words-more'), words.length >= L.words);
    state('words', msg && !words.length ? 'error' : 'ready');
    K.pageList(list, keep);
    K.layout();
  });
}

function word(w) {
  var el = make('div', 'word');
  el.appendChild(make('div', 'word-name', w.word));
  if (w.usage) { el.appendChild(make('div', 'usage', w.usage)); }
  el.appendChild(meta([w.book, day(w.when)]));
  el.onclick = function () { start({action: 'word', word: w.word}); };
  return el;
}

/* ---- Books: the one being read first, then the last opened (rows: books.js) ---- */
function openBooks() {
  var n = ++L.seq;
  K.view('books');
  state('books', 'loading');
  api('GET', '/api/books?limit=20', null, function (err, d) {
    if (n !== L.seq) { return; }
    var list = $('books-list'), books = (d && d.books) || [], i, msg = err ? err.message : (d.message || '');
    clear(list);
    for (i = 0; i < books.length; i++) { list.appendChild(K.bookRow(books[i], i === 0, start)); }   // books.js
    setText($('books-msg'), msg || (books.length ? '' : T.noBooks));
    state('books', msg && !books.length ? 'error' : 'ready');
    K.pageList(list);
    K.layout();
  });
}

/* ---- Save as book (the chat view) ---- */
var OPEN = {highlights: openHighlights, words: openWords, books: openBooks}, i;
for (i = 0; i < VIEWS.length; i++) { K.views.push(VIEWS[i]); tabs(VIEWS[i]); }
$('show-library').onclick = openHighlights;
$('hl-form').onsubmit = search;
$('hl-more').onclick = function () { loadHighlights(L.shown, PAGE); };
$('quiz').onclick = function () { start({action: 'quiz'}); };
$('words-more').onclick = function () { L.words += PAGE; loadWords(true); };
K.openLibrary = openHighlights;   // app.js: the first tap on Library loaded us
}());
