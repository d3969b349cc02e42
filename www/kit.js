/* What every part of the page shares: the state, the HTTP API, the few DOM helpers.
   ES5 only (see app.js). Loaded after strings.js and markdown.js; its one global is KC,
   which settings.js and app.js take their helpers from. */
var KC = (function () {
'use strict';

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
/* ---- the page's language (issue 15): the setting `language`, else the browser's ----
   The server serves the page in it (page_html.py): <html lang> names it and the page
   loads its table only (issue 22.12). data-language is the setting it was served for:
   a setting changed since reloads the page once, in the new language. */
var HTML = document.documentElement, SERVED = HTML.getAttribute('data-language');
var T = {}, LANG = pick(HTML.getAttribute('lang')) || 'en';
function pick(code) { code = String(code || '').toLowerCase().split(/[-_]/)[0]; return Strings.hasOwnProperty(code) ? code : ''; }
// One T object, filled in place: every script keeps the T it took at load. English stands
// in for a key a table lacks (the test says which).
function fillTable(code) {
  var k, t = Strings[code];
  for (k in Strings.en) { if (Strings.en.hasOwnProperty(k)) { T[k] = t.hasOwnProperty(k) ? t[k] : Strings.en[k]; } }
}
// index.html's texts: data-t names the key; a label with a box keeps the box (its last text node changes)
function fillPage() {
  var els = document.querySelectorAll('[data-t]'), i, text, n;
  for (i = 0; i < els.length; i++) {
    text = T[els[i].getAttribute('data-t')];
    n = els[i].lastChild;
    if (els[i].firstElementChild && n && n.nodeType === 3) { n.nodeValue = ' ' + text; } else { setText(els[i], text); }
  }
  els = document.querySelectorAll('[data-t-placeholder]');
  for (i = 0; i < els.length; i++) { els[i].setAttribute('placeholder', T[els[i].getAttribute('data-t-placeholder')]); }
  document.documentElement.setAttribute('lang', LANG);
}
function useLanguage(setting) {   // the server's setting (empty: automatic)
  setting = String(setting || '').toLowerCase();
  if (SERVED === null || setting === SERVED) { return; }
  SERVED = setting;   // once: the server now serves the page in it
  window.location.reload();
}
// The other tables, for the language list in Settings: loaded when it opens; cb once
// they are (never, when none was missing).
function allTables(cb) {
  var codes = (HTML.getAttribute('data-languages') || '').split(' '), files = [], i;
  for (i = 0; i < codes.length; i++) {
    if (codes[i] && !Strings.hasOwnProperty(codes[i])) { files.push('strings-' + codes[i] + '.js'); }
  }
  if (files.length) { need(files, cb); }
}
// Scripts loaded when first needed (a view a reader opens now and then: the start parses
// less on the JIT-less Kindle browser); cb once all have run. SCRIPTS[file]: true once
// run, else the callbacks waiting for it. One that fails to load (the server away) is
// tried again at the next need, and its callbacks are dropped: the tap did nothing.
var SCRIPTS = {}, away = false;   // away: a failed load said so in the notice
function need(files, cb) {
  var left = 1, i;
  function one() {
    if (--left > 0) { return; }
    if (away) { away = false; notice(''); }
    cb();
  }
  for (i = 0; i < files.length; i++) {
    if (SCRIPTS[files[i]] !== true) { left++; fetchScript(files[i], one); }
  }
  one();
}
function fetchScript(file, cb) {
  var waiting = SCRIPTS[file], s;
  if (waiting) { return waiting.push(cb); }
  waiting = SCRIPTS[file] = [cb];
  s = document.createElement('script');
  s.charset = 'utf-8';
  s.onload = function () { SCRIPTS[file] = true; for (var i = 0; i < waiting.length; i++) { waiting[i](); } };
  s.onerror = function () { SCRIPTS[file] = null; s.parentNode.removeChild(s); away = true; notice(T.unreachable); };
  s.src = file;
  document.body.appendChild(s);
}
fillTable(LANG);
fillPage();

// After a failure, tries again ever more rarely (3 s doubling to 60 s): an idle page that
// polls forever wears out the Kindle browser's connection ("Website Unaccessible").
function later(fn) { setTimeout(fn, S.wait = Math.min(2 * S.wait || 3000, 60000)); }
function chatPath(id, rest) { return '/api/chats/' + id + (rest || ''); }   // ids are [0-9a-f]
// A date in numbers, the same in every language (the old WebKit's toLocaleString is English words)
function when(d) {
  function two(n) { return (n < 10 ? '0' : '') + n; }
  return d.getFullYear() + '-' + two(d.getMonth() + 1) + '-' + two(d.getDate()) + ' ' + two(d.getHours()) + ':' + two(d.getMinutes());
}
// A control that takes another's place under the finger (Stop for Send, "Delete for
// good?" for Delete) ignores taps for GUARD_MS: an e-ink double tap comes 50-500 ms apart,
// and its second tap must never do the opposite of the first (issue 22.3). K.now is the
// guard's clock (a test drives it).
var GUARD_MS = 800;
function guard(el) { el.kcShown = K.now(); }
function guarded(el) { return K.now() - (el.kcShown || 0) < GUARD_MS; }
function notice(text) { setText($('notice'), text || ''); show($('notice'), text); K.layout(); }

// app.js adds what the others call back (layout, view, retry); views lists the page's
// views, each an element id + '-view' (a view's file adds its own)
var K = {views: ['chat', 'chats', 'settings'], T: T, S: S, make: make, addText: addText, $: $, show: show, trim: trim, clear: clear,
  setText: setText, button: button, cpLength: cpLength, load: load, save: save, api: api,
  later: later, chatPath: chatPath, notice: notice, when: when, lang: LANG, useLanguage: useLanguage, allTables: allTables, need: need,
  guard: guard, guarded: guarded, now: function () { return +new Date(); }};
return K;
}());
