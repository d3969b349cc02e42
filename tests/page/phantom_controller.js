/* Drives one PhantomJS page (WebKit 538.1, ES5 only, like the old Kindle browser) for
   tests/page/phantom_page.py. Run as: phantomjs phantom_controller.js PORT

   It listens on 127.0.0.1:PORT and takes one JSON command per POST, answering JSON
   {"ok": true, "value": ...} or {"ok": false, "error": "..."}. A webserver and not
   stdin: a blocking readLine would stop the page's own timers and XHRs meanwhile.
     {"op": "open", "url": U}            load U, answer when loaded
     {"op": "reload"}                    the same URL again
     {"op": "eval", "js": "function () { return ...; }"}
     {"op": "click", "selector": S}      a real mouse click in the middle of S
     {"op": "type", "selector": S, "text": T}   click S, then key presses of T
     {"op": "log"}                       script errors and console lines so far
     {"op": "quit"}
   Every script error (page.onError) and console line is kept for "log". */
var system = require('system'), webpage = require('webpage'), server = require('webserver').create();
var port = system.args[1], page = webpage.create(), log = {errors: [], console: []}, pending = null, url = null;

page.viewportSize = {width: 758, height: 1024};
page.onError = function (msg, trace) {
  var where = trace && trace.length ? ' at ' + trace[0].file + ':' + trace[0].line : '';
  log.errors.push(msg + where);
};
page.onConsoleMessage = function (msg) { log.console.push(msg); };
// A fresh page starts on a new chat, as in the Chromium tests (tests/page/page_fixtures.py).
page.onInitialized = function () {
  page.evaluate(function () {
    if (!sessionStorage.getItem('kc.test')) { sessionStorage.setItem('kc.test', '1'); localStorage.setItem('kc.chat', 'new'); }
  });
};
page.onLoadFinished = function (status) {
  var done = pending;
  pending = null;
  if (done) { done(status === 'success' ? {ok: true, value: status} : {ok: false, error: 'load: ' + status}); }
};

function centre(selector) {
  return page.evaluate(function (sel) {
    var el = document.querySelector(sel), r;
    if (!el) { return null; }
    if (el.scrollIntoView) { el.scrollIntoView(false); }
    r = el.getBoundingClientRect();
    return {x: r.left + r.width / 2, y: r.top + r.height / 2, w: r.width, h: r.height};
  }, selector);
}

function click(selector) {
  var c = centre(selector);
  if (!c) { return {ok: false, error: 'no element ' + selector}; }
  if (!c.w || !c.h) { return {ok: false, error: 'not visible: ' + selector}; }
  page.sendEvent('click', c.x, c.y, 'left');
  return {ok: true, value: c};
}

function run(cmd, reply) {
  var c;
  if (cmd.op === 'open' || cmd.op === 'reload') {
    pending = reply;
    if (cmd.op === 'open') { url = cmd.url; page.open(url); } else { page.reload(); }
    return;
  }
  if (cmd.op === 'eval') { return reply({ok: true, value: page.evaluateJavaScript(cmd.js)}); }
  if (cmd.op === 'click') { return reply(click(cmd.selector)); }
  if (cmd.op === 'type') {
    c = click(cmd.selector);
    if (c.ok) { page.sendEvent('keypress', cmd.text); }
    return reply(c);
  }
  if (cmd.op === 'log') { return reply({ok: true, value: log}); }
  if (cmd.op === 'quit') { reply({ok: true}); return setTimeout(function () { phantom.exit(0); }, 10); }
  reply({ok: false, error: 'unknown op ' + cmd.op});
}

var listening = server.listen('127.0.0.1:' + port, function (request, response) {
  function reply(answer) {
    response.statusCode = 200;
    response.setHeader('Content-Type', 'application/json');
    response.write(JSON.stringify(answer));
    response.close();
  }
  try { run(JSON.parse(request.post), reply); } catch (e) { reply({ok: false, error: 'controller: ' + e}); }
});
if (!listening) { console.log('cannot listen on ' + port); phantom.exit(2); }
console.log('ready ' + port);
