/* What every part of the page shares: the state, the HTTP API, the few DOM helpers.
   ES5 only (see app.js). Loaded after strings.js and markdown.js; its one global is KC,
   which settings.js and app.js take their helpers from. */
var KC = (function () {
'use strict';

var T = Strings.en;
var S = {font: 20, back: [], fwd: [], seq: 0, nav: 0, touched: {}};

function $(id) { return document.getElementById(id); }
function show(el, on) { el.style.display = on ? '' : 'none'; }
function trim(s) { return s.replace(/^\s+|\s+$/g, ''); }
// Markdown (markdown.js) owns the one way text reaches the DOM: as text nodes, glyphs replaced.
var make = Markdown.make, addText = Markdown.addText;
function clear(el) { while (el.firstChild) { el.removeChild(el.firstChild); } }
function setText(el, text) { if (el.textContent !== text) { clear(el); if (text) { addText(el, text); } } }
function button(text, cls, fn) { var b = make('button', cls, text); b.type = 'button'; b.onclick = fn; return b; }
// API offsets count code points, JS strings UTF-16 units
function cpLength(s) { return s.length - (s.match(/[\uD800-\uDBFF][\uDC00-\uDFFF]/g) || []).length; }

// localStorage may be missing, full or emptied at launch: the page works without it
function load(k) { try { return localStorage.getItem(k); } catch (e) { return null; } }
function save(k, v) { try { if (v === null) { localStorage.removeItem(k); } else { localStorage.setItem(k, v); } } catch (e) {} }

/* ---- HTTP API: cb(error, data), error = {code, message, status} ---- */
function api(method, path, body, cb, timeout) {
  var xhr = new XMLHttpRequest(), done = false, timer;
  xhr.open(method, path, true);
  if (body) { xhr.setRequestHeader('Content-Type', 'application/json'); }
  xhr.onreadystatechange = function () {
    if (xhr.readyState !== 4 || done) { return; }
    done = true;
    clearTimeout(timer);
    var d = null, st = xhr.status, err;
    try { d = JSON.parse(xhr.responseText); } catch (e) {}
    if (st >= 200 && st < 300) { return cb(null, d || {}); }
    err = (d && d.error) || {message: st ? T.serverError + st + '.' : T.unreachable};
    err.status = st;
    cb(err, d);
  };
  if (timeout) { timer = setTimeout(function () { xhr.abort(); }, timeout); }
  xhr.send(body ? JSON.stringify(body) : null);
  return xhr;
}
// After a failure, tries again ever more rarely (3 s doubling to 60 s): an idle page that
// polls forever wears out the Kindle browser's connection ("Website Unaccessible").
function later(fn) { setTimeout(fn, S.wait = Math.min(2 * S.wait || 3000, 60000)); }
function chatPath(id, rest) { return '/api/chats/' + id + (rest || ''); }   // ids are [0-9a-f]
function notice(text) { setText($('notice'), text || ''); show($('notice'), text); K.layout(); }

// app.js adds what the others call back (layout, view, retry); views lists the page's
// views, each an element id + '-view' (a view's file adds its own)
var K = {views: ['chat', 'chats', 'settings'], T: T, S: S, make: make, addText: addText, $: $, show: show, trim: trim, clear: clear,
  setText: setText, button: button, cpLength: cpLength, load: load, save: save, api: api,
  later: later, chatPath: chatPath, notice: notice};
return K;
}());
