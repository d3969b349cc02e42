/* Lists that turn pages like a reply (issue 22.6): a list shows the rows that fit the
   window whole, and Previous and Next under it turn to the rows before and after, so
   the view never scrolls and its Back button stays on screen. ES5 only (see app.js).
   Loaded after kit.js; adds KC.pageList(list, keep, room), called after a list is drawn
   (keep: stay on the page shown, as after More; room: the rows' height in px, or a
   function giving it, for a list in a view that scrolls as a whole, as Settings does;
   without it, what the rest of the window leaves), and KC.pageTo(list, row), the page
   holding a row. A list's rows are its element children. */
(function () {
'use strict';

var K = KC, T = K.T, show = K.show, button = K.button;

function pageList(list, keep, room) {
  var p = list.kcPages;
  if (!p) {
    p = list.kcPages = {starts: [], start: 0, bar: K.make('div', 'listbar')};
    p.prev = p.bar.appendChild(button(T.prev, 'list-prev', function () { turn(list, -1); }));
    p.next = p.bar.appendChild(button(T.next, 'list-next', function () { turn(list, 1); }));
    list.parentNode.insertBefore(p.bar, list.nextSibling);
  }
  p.room = room;
  if (!keep || p.start >= rows(list).length) { p.starts = []; p.start = 0; }
  fit(list);
}

function rows(list) {
  for (var out = [], n = list.firstChild; n; n = n.nextSibling) { if (n.nodeType === 1) { out.push(n); } }
  return out;
}

function roomOf(list) {
  var r = list.kcPages.room;
  if (typeof r === 'function') { return r(); }
  return r || window.innerHeight - (document.body.offsetHeight - list.offsetHeight);
}

// From p.start, the rows whose bottoms fit in the list's room.
function fit(list) {
  var p = list.kcPages, all = rows(list), room, top, i;
  for (i = 0; i < all.length; i++) { show(all[i], i >= p.start); }
  show(p.bar, true);   // measured with the bar: it stays when there is more than a page
  room = roomOf(list);
  top = p.start < all.length ? all[p.start].offsetTop : 0;
  for (p.end = p.start + 1; p.end < all.length; p.end++) {
    if (all[p.end].offsetTop + all[p.end].offsetHeight - top > room) { break; }
  }
  for (i = p.end; i < all.length; i++) { show(all[i], false); }
  p.prev.disabled = !p.starts.length;
  p.next.disabled = p.end >= all.length;
  show(p.bar, p.starts.length || p.end < all.length);
}

function turn(list, dir) {
  var p = list.kcPages;
  if (dir > 0 && p.end < rows(list).length) { p.starts.push(p.start); p.start = p.end; }
  if (dir < 0 && p.starts.length) { p.start = p.starts.pop(); }
  fit(list);
}

// Turned to from the first page as Next would, so Previous goes back the same way.
function pageTo(list, row) {
  var p = list.kcPages, all = rows(list), at = 0;
  while (at < all.length && all[at] !== row) { at++; }
  p.starts = [];
  p.start = 0;
  fit(list);
  while (at < all.length && at >= p.end) { turn(list, 1); }
}

K.pageList = pageList;
K.pageTo = pageTo;
}());
