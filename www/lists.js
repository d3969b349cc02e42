/* Lists that turn pages like a reply (issue 22.6): a list shows the rows that fit the
   window whole, and Previous and Next under it turn to the rows before and after, so
   the view never scrolls and its Back button stays on screen. ES5 only (see app.js).
   Loaded after kit.js; adds KC.pageList(list, keep), called after a list is drawn (keep:
   stay on the page shown, as after More). A list's rows are its element children. */
(function () {
'use strict';

var K = KC, T = K.T, show = K.show, button = K.button;

function pageList(list, keep) {
  var p = list.kcPages;
  if (!p) {
    p = list.kcPages = {starts: [], start: 0, bar: K.make('div', 'listbar')};
    p.prev = p.bar.appendChild(button(T.prev, 'list-prev', function () { turn(list, -1); }));
    p.next = p.bar.appendChild(button(T.next, 'list-next', function () { turn(list, 1); }));
    list.parentNode.insertBefore(p.bar, list.nextSibling);
  }
  if (!keep || p.start >= rows(list).length) { p.starts = []; p.start = 0; }
  fit(list);
}

function rows(list) {
  for (var out = [], n = list.firstChild; n; n = n.nextSibling) { if (n.nodeType === 1) { out.push(n); } }
  return out;
}

// From p.start, the rows whose bottoms fit in the room the rest of the page leaves.
function fit(list) {
  var p = list.kcPages, all = rows(list), room, top, i;
  for (i = 0; i < all.length; i++) { show(all[i], i >= p.start); }
  show(p.bar, true);   // measured with the bar: it stays when there is more than a page
  room = window.innerHeight - (document.body.offsetHeight - list.offsetHeight);
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

K.pageList = pageList;
}());
