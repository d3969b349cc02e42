/* The Books view's rows (library.js lists them): the book being read first, with its page
   or location and percent, what KindleChat can read of it, and Ask, Story so far and
   Who's who one tap each ("Catch me up" first when it was last opened days ago); the
   other books with Ask. (Under a book chat's answer, the pages it drew on: message.js.)
   ES5 only, taps only (see app.js). Loaded with library.js at the first tap on Library
   (app.js, KC.need); library.js calls KC.bookRow. */
(function () {
'use strict';

var K = KC, T = K.T, make = K.make, button = K.button;

function where(b) {
  var p = b.position || {}, out = [];
  if (p.page) { out.push(T.page + p.page); } else if (p.location) { out.push(T.loc + p.location); }
  if (p.percent != null) { out.push(Math.round(p.percent) + T.read); }
  else if (b.progress != null) { out.push(Math.round(b.progress * 100) + T.read); }
  return out.join(' \u00B7 ');
}

function canRead(b) {
  var says = T.bookText[b.text] || T.bookText.unsupported;
  return b.text === 'readable' ? says : (b.why || says);
}

// The book being read: a panel of its own. start(body) is library.js's one chat start.
function current(b, start) {
  var el = make('div', 'book-row book-now'), acts = make('p', 'choices'), input, ask, recap, who;
  el.appendChild(make('div', 'who', T.readingNow));
  el.appendChild(make('div', 'word-name', b.title));
  el.appendChild(make('div', 'meta', [b.author, where(b)].join(' \u00B7 ').replace(/^ \u00B7 /, '')));
  if (b.position && b.position.from === 'library' && b.text === 'readable') { el.appendChild(make('div', 'meta', T.fromLibrary)); }
  el.appendChild(make('p', 'hint book-text', canRead(b)));
  input = make('input', 'book-question');
  input.type = 'text';
  input.setAttribute('placeholder', T.askHint);
  el.appendChild(input);
  ask = button(T.askBook, 'act', function () { start({action: 'book', book: b.id, question: K.trim(input.value)}); });
  recap = button(b.stale ? T.catchUp : T.storySoFar, 'act', function () { start({action: 'recap', book: b.id}); });
  who = button(T.whosWho, 'act', function () { start({action: 'xray', book: b.id}); });
  if (b.stale) { acts.appendChild(recap); acts.appendChild(ask); } else { acts.appendChild(ask); acts.appendChild(recap); }
  acts.appendChild(who);
  el.appendChild(acts);
  return el;
}

K.bookRow = function (b, first, start) {
  if (first) { return current(b, start); }
  var el = make('div', 'book-row');
  el.appendChild(make('div', 'word-name', b.title));
  el.appendChild(make('div', 'meta', [b.author, where(b), b.last_opened && T.opened + b.last_opened.slice(0, 10)].join(' \u00B7 ').replace(/^( \u00B7 )+/, '')));
  el.appendChild(button(T.ask, 'act', function () { start({action: 'book', book: b.id}); }));
  return el;
};

}());
