/* The Review view (issue 26): the looked-up words due today, one at a time, in their own
   sentence; Show reveals the card; Again, Hard, Good or Easy schedules the word (FSRS, on
   the server: src/kindlechat/words/). E-ink: a rating costs one repaint (the next word is
   drawn in place once the rating is saved); no timers while the view is idle. Also the
   Words view's exports: the Anki deck and the CSV, saved into the Kindle's documents/, or
   downloaded on the phone (opened from the link). ES5 only, taps only (see app.js).
   Loaded with library.js at the first tap on Library (app.js): it adds its view to KC.views. */
(function () {
'use strict';

var K = KC, T = K.T, $ = K.$, api = K.api, make = K.make, button = K.button, show = K.show,
  clear = K.clear, setText = K.setText, notice = K.notice;
var R = {due: [], at: 0, busy: false};
// The phone: opened from the link (phone.js has set the cookie by now)
var isPhone = /[?&]phone=1(&|$)/.test(location.search) || /(^|;\s*)kc_phone=1(;|$)/.test(document.cookie);

function state(st) { $('review-view').setAttribute('data-state', st); }

function openReview() {
  K.view('review');
  load();
}

function load() {
  state('loading');
  setText($('review-count'), T.libLoading);
  var n = R.seq = (R.seq || 0) + 1;
  api('GET', '/api/reviews?language=' + encodeURIComponent(T.langName), null, function (err, d) {
    if (n !== R.seq) { return; }   // only the newest answer counts
    if (err) { d = {due: [], due_count: 0, message: err.message}; }
    R.due = d.due || [];
    R.at = 0;
    R.count = d.due_count || 0;
    R.next = d.next_due;
    R.message = d.message || '';
    R.newToday = d.new_today || 0;
    cardsLine(d.cards);
    limits(d.limits);
    draw();
  });
}

// A due time in the reader's clock, in numbers (kit.js when())
function at(iso) {
  var d = new Date(iso);
  return isNaN(d) ? iso : K.when(d);
}

function draw() {
  var w = R.due[R.at], has = !!w;
  show($('review-card'), has);
  show($('review-show'), true);
  setText($('review-show'), has ? T.show : T.reviewCheck);   // none due: look again (a word rated Again)
  show($('review-rates'), false);
  show($('review-answer'), false);
  if (!has) {
    setText($('review-count'), R.message || (R.next ? T.reviewDone + at(R.next) : T.reviewNone));
    state(R.message ? 'error' : 'done');
    return K.layout();
  }
  setText($('review-count'), (R.count - R.at) + T.reviewDue + ' \u00B7 ' + R.newToday + T.reviewNew);
  var word = $('review-word');
  setText(word, w.word);
  word.setAttribute('lang', w.lang || '');
  $('review-usage').setAttribute('lang', w.lang || '');
  setText($('review-usage'), w.usage);
  setText($('review-book'), w.book);
  setText($('review-meaning'), w.card ? w.card.meaning : T.reviewNoCard);
  setText($('review-example'), w.card ? w.card.example : '');
  $('review-example').setAttribute('lang', w.lang || '');
  var uses = $('review-uses'), i;
  clear(uses);
  for (i = 0; i < (w.uses || []).length; i++) {
    uses.appendChild(make('div', 'usage', w.uses[i].usage)).setAttribute('lang', w.lang || '');
    uses.appendChild(make('div', 'meta', w.uses[i].book));
  }
  state('front');
  K.layout();
}

function reveal() {
  if (!R.due[R.at]) { return load(); }
  show($('review-show'), false);
  show($('review-answer'), true);
  show($('review-rates'), true);
  state('back');
  K.layout();
}

function rate(rating) {
  return function () {
    var w = R.due[R.at];
    if (!w || R.busy) { return; }
    R.busy = true;
    api('POST', '/api/reviews/' + encodeURIComponent(w.id), {rating: rating}, function (err) {
      R.busy = false;
      if (err) { return notice(err.message); }
      R.at++;
      if (R.at < R.due.length) { return draw(); }
      load();   // the list is done: ask again (a word rated Again comes back in minutes)
    });
  };
}

/* ---- the two knobs: new words a day (taps: 5 fewer or more), and the mastered ones ---- */
function limits(l) {
  if (!l) { return show($('review-limits'), false); }
  R.limits = l;
  show($('review-limits'), true);
  setText($('review-new'), T.newPerDay + l.new_words_per_day);
  $('review-mastered').checked = !!l.review_mastered;
}

function change(body) {
  api('PUT', '/api/settings', body, function (err) {
    if (err) { return notice(err.message); }
    load();
  });
}

function step(by) {
  return function () {
    if (!R.limits) { return; }
    var n = R.limits.new_words_per_day = Math.max(0, Math.min(1000, R.limits.new_words_per_day + by));
    setText($('review-new'), T.newPerDay + n);   // a second tap counts from this one
    change({new_words_per_day: n});
  };
}

/* ---- cards: what is missing, and what writing them costs in requests ---- */
function cardsLine(c) {
  var line = $('review-cards-line');
  if (!c) { return show(line, false); }
  show(line, true);
  setText($('review-cards'), c.writing ? T.cardsWriting : c.error ? c.error :
    c.missing ? c.missing + T.cardsMissing + c.requests + T.cardsRequests : '');
  show($('review-write'), !c.writing && c.missing > 0);
}

function writeCards() {
  var b = $('review-write');
  b.disabled = true;
  api('POST', '/api/words/cards', {language: T.langName}, function (err, d) {
    b.disabled = false;
    if (err) { return notice(err.message); }
    cardsLine({writing: true, missing: d.queued, requests: d.requests});
  });
}

/* ---- exports: saved on the Kindle, downloaded on the phone ---- */
function exporter(kind) {
  return function () {
    if (isPhone) { window.location.href = '/api/words/export.' + kind; return; }
    api('POST', '/api/words/export.' + kind, {}, function (err, d) {
      notice(err ? err.message : T.savedTo + d.path + '.');
    });
  };
}

K.views.push('review');
var rates = $('review-rates'), i;
for (i = 0; i < T.rates.length; i++) { rates.appendChild(button(T.rates[i][1], 'rate primary', rate(T.rates[i][0]))); }
$('review-open').onclick = openReview;
$('review-show').onclick = reveal;
$('review-write').onclick = writeCards;
$('review-fewer').onclick = step(-5);
$('review-more').onclick = step(5);
$('review-mastered').onclick = function () { change({review_mastered: $('review-mastered').checked}); };
$('export-apkg').onclick = exporter('apkg');
$('export-csv').onclick = exporter('csv');
if (isPhone) {   // its own words, kept if the page changes language in place (kit.js fillPage)
  $('export-apkg').setAttribute('data-t', 'downloadApkg');
  $('export-csv').setAttribute('data-t', 'downloadCsv');
  setText($('export-apkg'), T.downloadApkg);
  setText($('export-csv'), T.downloadCsv);
}
}());
