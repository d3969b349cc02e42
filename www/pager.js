/* The chat's pages: the pager is one screen high and turns like a book. ES5 only (see
   app.js). Loaded after kit.js, before app.js; adds KC.layout, KC.pages (turnTo, turn,
   followPage, endVisible, pageBar).
   A page shows whole lines only: the line its bottom edge cuts is hidden under a white
   mask (#mask, inside the pager, so it scrolls with it) and is the next page's first. */
(function () {
'use strict';

var K = KC, S = K.S, $ = K.$, show = K.show;
var P = $('pager'), M = $('messages'), SP = $('spacer'), MASK = $('mask');

function step() { return Math.max(40, P.clientHeight - Math.round(S.font * 1.8)); }
function base() { return P.getBoundingClientRect().top - P.scrollTop; }

// Where the chat's content ends: the last message's last part that shows (a page of
// its bottom padding alone is a page of nothing). Following a reply stops at its text's
// end: the follow-up buttons under it are not worth a page turn of their own (issue
// 22.1); the reader turns to them with Next.
function contentEnd(text) {
  var last = M.lastChild, r = last && last.reply, parts = r ? [text ? null : r.fu.lastChild, r.note, r.src, r.body, r.th] : [], i;
  for (i = 0; i < parts.length; i++) { if (parts[i] && parts[i].offsetHeight) { return parts[i].offsetTop + parts[i].offsetHeight; } }
  return SP.offsetTop;
}
function endVisible(text) { return contentEnd(text) <= P.scrollTop + P.clientHeight + 2; }

// The top of the line the edge cuts (the edge itself when it cuts none): the innermost
// block the edge cuts, then the line in it. S.inLine: the cut is between two lines.
function cutLine(edge) {
  var b = base(), to = edge, inner = null, els = atEdge(edge, b), i, r;
  S.inLine = false;
  for (i = 0; i < els.length; i++) {
    r = els[i].getBoundingClientRect();
    if (isCut(els[i]) && r.top - b < edge && r.bottom - b > edge + 1 && (!inner || r.top - b >= to)) { to = r.top - b; inner = els[i]; }
  }
  return inner ? lineIn(inner, to, edge) : edge;
}

// The lines of a paragraph, an item, code or a heading are line-height apart, from the
// content box's top (CSS 2.1 10.8); a row, a rule, a button is cut whole.
var LINES = /^(P|LI|PRE|H[3-6])$/;
function lineIn(el, top, edge) {
  if (!LINES.test(el.tagName) && el.className !== 'body') { return top; }
  var cs = window.getComputedStyle(el), lh = parseFloat(cs.lineHeight),
    first = top + (parseFloat(cs.borderTopWidth) || 0) + (parseFloat(cs.paddingTop) || 0),
    n = Math.floor((edge - first) / lh + 0.01);
  S.inLine = lh > 0 && n > 0;
  return S.inLine ? first + n * lh : top;
}

// The next page starts at the line the bottom edge cut (its leading is the margin), or
// a little above the block it cut (its border); a block taller than the screen that has
// no lines goes on a step on.
function nextTop(top) {
  var c = S.cut, to = c && c[0] === top && c[1] === P.scrollHeight ? c[2] : cutLine(top + P.clientHeight);   // pageBar's, if fresh
  if (c && to === c[2]) { S.inLine = c[3]; }
  return to > top + 9 ? Math.floor(to) - (S.inLine ? 0 : 4) : top + step();
}

// What an edge may cut: lines of text (paragraphs, items, rows, code, headings, labels)
// and buttons (follow-ups, Retry).
var CUTS = 'p,li,pre,tr,hr,h3,h4,h5,h6,button,.who,.note,.user .body';
function isCut(el) {
  return /^(P|LI|PRE|TR|HR|H[3-6]|BUTTON)$/.test(el.tagName) || /(^| )(who|note)( |$)/.test(el.className) ||
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
  if ($('follow').checked && wasAtEnd) { while (!endVisible(true)) { turn(1); } }
  pageBar();
}

// Previous goes back to the exact tops Next came from, and Next after Previous to the
// exact top Previous left, like a book: a streaming reply may have redrawn the block at
// a page's edge meanwhile, and working the edge out again would move the page.
// A page that would start within a quarter screen of the chat's top starts at the top:
// a later Previous moving a remainder of a few lines costs an e-ink refresh for nothing.
function near(top) { return top < P.clientHeight / 4 ? 0 : top; }
function turnTo(el) { S.back = []; S.fwd = []; P.scrollTop = el ? near(el.offsetTop - 4) : 0; pageBar(); }
function turn(dir) {
  var to, c;
  if (dir < 0) {
    if (P.scrollTop > 0) { S.fwd.push(P.scrollTop); }
    if (S.back.length) { to = S.back.pop(); } else {   // a step back, to the top of the line there
      to = near(P.scrollTop - step());
      c = to ? cutLine(to) : to;
      if (c < to) { to = Math.max(0, Math.floor(c) - (S.inLine ? 0 : 4)); }
    }
    P.scrollTop = to;
  } else if (!endVisible()) {
    S.back.push(P.scrollTop);
    P.scrollTop = S.fwd.length ? S.fwd.pop() : nextTop(P.scrollTop);
  }
  pageBar();
}

// The buttons, and the mask over the line the bottom edge cuts.
function pageBar() {
  var end = endVisible(), top = P.scrollTop, edge = top + P.clientHeight, to = end ? edge : cutLine(edge);
  S.cut = end ? null : [top, P.scrollHeight, to, S.inLine];
  $('prev').disabled = top <= 0;
  $('next').disabled = end;
  to = to > top + 9 ? Math.floor(to) : edge;
  if (to < edge) { MASK.style.top = to + 'px'; MASK.style.height = (edge - to) + 'px'; }
  show(MASK, to < edge);
}

// The chat view fills the window exactly: the document itself never scrolls. In large
// print the controls fold until the pager holds 6 lines (issue 22.5): first the one-tap
// prompts, then the nav bar into a Menu button, then Save as book, Follow, Search and
// the demo banner into the same menu, and the box to one line. An open menu keeps the
// fold it opened in.
var FOLDS = ['', 'fold1', 'fold1 fold2', 'fold1 fold2 fold3'];
function layout() {
  if ($('chat-view').style.display) { return; }
  var body = document.body, open = /menu-open/.test(body.className), need = Math.ceil(S.font * 1.45 * 6) + 8,
    f = open ? S.fold : 0, rest;
  for (; f < FOLDS.length; f++) {
    body.className = FOLDS[f] + (open ? ' menu-open' : '');
    P.style.height = '50px';
    rest = body.offsetHeight - 50;
    if (open || (window.innerHeight - rest >= need && fits($('pagebar')) && fits($('top')))) { break; }
  }
  S.fold = Math.min(f, FOLDS.length - 1);
  P.style.height = Math.max(150, window.innerHeight - rest) + 'px';
  SP.style.height = P.clientHeight + 'px';
  show($('save-book'), !!S.chat);   // library.js: a chat open can be saved as a book
  pageBar();
}

function fits(el) { return el.scrollWidth <= el.clientWidth + 1; }

// The menu (folded nav bar): a tap shows or hides what folded into it; a tap on what it
// showed closes it.
function menu() {
  var body = document.body;
  body.className = /menu-open/.test(body.className) ? FOLDS[S.fold] : FOLDS[S.fold] + ' menu-open';
  layout();
}

var y0 = 0;
$('menu').onclick = menu;
$('nav').addEventListener('click', function (e) {
  if (e.target.id !== 'menu' && /menu-open/.test(document.body.className)) { menu(); }
}, false);
$('prev').onclick = function () { turn(-1); };
$('next').onclick = function () { turn(1); };
// A swipe turns a page (a shortcut only: the old browser sends no touch events).
P.addEventListener('touchstart', function (e) { y0 = e.touches[0].clientY; }, false);
P.addEventListener('touchend', function (e) {
  var dy = e.changedTouches[0].clientY - y0;
  if (Math.abs(dy) > 40) { turn(dy < 0 ? 1 : -1); }
}, false);
K.layout = layout;
K.pages = {turnTo: turnTo, turn: turn, followPage: followPage, endVisible: endVisible, pageBar: pageBar};
}());
