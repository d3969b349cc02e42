/* KindleChat page. ES5 only: the old Kindle WebKit has no let, =>, fetch, Promise,
   classList, dataset or bind. E-ink: one redraw per server answer, of the last block only. */
(function () {
'use strict';

var P = $('pager'), M = $('messages'), SP = $('spacer');
var WAIT = 25;  // seconds the server may hold a long poll
var S = {font: 20, back: [], seq: 0, nav: 0, touched: {}};

function $(id) { return document.getElementById(id); }
function show(el, on) { el.style.display = on ? '' : 'none'; }
function trim(s) { return s.replace(/^\s+|\s+$/g, ''); }
function make(tag, cls, text) {
  var el = document.createElement(tag);
  if (cls) { el.className = cls; }
  if (text) { addText(el, text); }
  return el;
}
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
    err = (d && d.error) || {message: st ? 'Server error ' + st + '.' : 'Cannot reach the KindleChat server.'};
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
function notice(text) { setText($('notice'), text || ''); show($('notice'), text); layout(); }

/* ---- glyphs Kindle fonts lack: emoji become words, arrows ASCII, the rest a dot ---- */
var GLYPHS = ' 1f600=:D 1f642=:) 1f60a=:) 1f622=:( 1f44d=(+1) 1f449=-> 1f680=(rocket) 1f4a1=(idea) ' +
  '2764=<3 2705=[x] 2713=[x] 274c=[no] 26a0=(!) 2b50=* 2192=-> 2190=<- 21d2==> 25cf=\u2022 ';
var GLYPH_RE = /[\uD83C-\uD83E][\uDC00-\uDFFF]|[\u2190-\u21FF\u2300-\u23FF\u25A0-\u27BF\u2900-\u297F\u2B00-\u2BFF\uFE0F\u20E3\u200D]/g;
function glyph(ch) {   // variation selectors, joiners and skin tones go; the rest is looked up
  var cp = ch.length > 1 ? (ch.charCodeAt(0) - 0xD800) * 0x400 + ch.charCodeAt(1) + 0x2400 : ch.charCodeAt(0);
  var i = GLYPHS.indexOf(' ' + cp.toString(16) + '=');
  return /^([\uFE0F\u20E3\u200D]|\uD83C[\uDFFB-\uDFFF])$/.test(ch) ? '' :
    i < 0 ? '\u00B7' : GLYPHS.slice(GLYPHS.indexOf('=', i) + 1, GLYPHS.indexOf(' ', i + 1));
}
// All text from the model or the user becomes a text node here, never HTML: none of it can run.
function addText(parent, text) { parent.appendChild(document.createTextNode(text.replace(GLYPH_RE, glyph))); }

/* ---- Markdown -> DOM, block by block ---- */
var RE_FENCE = /^ {0,3}(`{3,}|~{3,})/, RE_HEAD = /^ {0,3}(#{1,6})\s+(.*?)(?:\s+#+)?\s*$/,
  RE_HR = /^ {0,3}([-*_])(?:\s*\1){2,}\s*$/, RE_QUOTE = /^ {0,3}> ?(.*)$/,
  RE_LIST = /^( *)([-*+]|\d{1,9}[.)])(\s+)(.*)$/, RE_SEP = /^\s*\|?\s*:?-+:?\s*(\|\s*:?-+:?\s*)*\|?\s*$/,
  RE_BLANK = /^\s*$/;

function isTable(lines, i) { return /\|/.test(lines[i]) && /\|/.test(lines[i + 1]) && RE_SEP.test(lines[i + 1]); }
function startsBlock(lines, i) {
  var l = lines[i];
  return RE_FENCE.test(l) || RE_HEAD.test(l) || RE_HR.test(l) || RE_QUOTE.test(l) || RE_LIST.test(l) || isTable(lines, i);
}

// text -> [{t: type, src: its lines, ...}]
function parse(text) {
  var lines = text.replace(/\r\n?/g, '\n').replace(/\t/g, '    ').split('\n');
  var out = [], i = 0, n = lines.length, m, start, buf, end, b;
  while (i < n) {
    if (RE_BLANK.test(lines[i])) { i++; continue; }
    start = i;
    buf = [];
    b = {t: 'p'};
    if ((m = RE_FENCE.exec(lines[i]))) {
      end = new RegExp('^ {0,3}\\' + m[1].charAt(0) + '{' + m[1].length + ',}\\s*$');
      for (i++; i < n && !end.test(lines[i]); i++) { buf.push(lines[i]); }
      i++;
      b.t = 'code';
    } else if ((m = RE_HEAD.exec(lines[i]))) {
      b = {t: 'h', level: m[1].length};
      buf.push(m[2]);
      i++;
    } else if (RE_HR.test(lines[i])) {
      b.t = 'hr';
      i++;
    } else if (RE_QUOTE.test(lines[i])) {
      for (; i < n && (m = RE_QUOTE.exec(lines[i])); i++) { buf.push(m[1]); }
      b.t = 'quote';
    } else if (isTable(lines, i)) {
      for (; i < n && /\|/.test(lines[i]); i++) { buf.push(lines[i]); }
      b = {t: 'table', rows: buf};
    } else if (RE_LIST.test(lines[i])) {
      i = parseList(lines, i, b = {t: 'list'});
    } else {
      for (; i < n && !RE_BLANK.test(lines[i]) && !(i > start && startsBlock(lines, i)); i++) { buf.push(lines[i]); }
    }
    b.text = buf.join('\n');
    b.src = lines.slice(start, i).join('\n');
    out.push(b);
  }
  return out;
}

function parseList(lines, i, b) {
  var first = RE_LIST.exec(lines[i]), indent = first[1].length, ordered = /\d/.test(first[2]);
  var items = [], cur, col = 0, blank = false, m, lead, line;
  for (; i < lines.length; i++) {
    line = lines[i];
    m = RE_LIST.exec(line);
    lead = /^ */.exec(line)[0].length;
    if (RE_BLANK.test(line)) { blank = true; cur.push(''); }
    else if (m && lead < indent + 2) {
      if (/\d/.test(m[2]) !== ordered) { break; }
      items.push(cur = [m[4]]);
      col = lead + m[2].length + Math.min(m[3].length, 4);
      blank = false;
    }
    else if (lead > indent) { cur.push(line.slice(Math.min(lead, col))); }
    else if (blank || startsBlock(lines, i)) { break; }
    else { cur.push(line); }        // lazy continuation of the item's paragraph
  }
  while (RE_BLANK.test(lines[i - 1])) { i--; }
  b.ordered = ordered;
  b.start = parseInt(first[2], 10) || 1;
  b.items = items;
  return i;
}

// `code` ***bi*** **b** _i_ __b__ *i* ~~del~~ [link](url) ![img](url) \escape newline
var RE_INLINE = /(`+)([^`]|[\s\S]*?[^`])\1(?!`)|\*\*\*(?=\S)([\s\S]*?\S)\*\*\*|\*\*(?=\S)([\s\S]*?\S)\*\*|(^|[^A-Za-z0-9_])(__?)(?=[^\s_])([\s\S]*?[^\s_])\6(?![A-Za-z0-9_])|\*(?=[^\s*])([\s\S]*?[^\s*])\*|~~(?=\S)([\s\S]*?\S)~~|(!?)\[([^\[\]\n]*)\]\(\s*<?([^\s()<>]*)>?(?:\s+"[^"\n]*")?\s*\)|\\([!-\/:-@\[-`{-~])|\n/g;

function inline(text, parent) {
  var re = new RegExp(RE_INLINE.source, 'g'), last = 0, m, el, inner, src;
  while ((m = re.exec(text))) {
    if (m.index > last) { addText(parent, text.slice(last, m.index)); }
    last = re.lastIndex;
    el = inner = null;
    src = m[3] || m[4] || m[7] || m[8] || m[9];
    if (m[1]) { el = make('code', '', m[2].replace(/^ ([\s\S]*) $/, '$1')); }
    else if (m[3]) { el = make('strong'); inner = el.appendChild(make('em')); }
    else if (m[4]) { el = inner = make('strong'); }
    else if (m[7]) { if (m[5]) { addText(parent, m[5]); } el = inner = make(m[6] === '_' ? 'em' : 'strong'); }
    else if (m[8]) { el = inner = make('em'); }
    else if (m[9]) { el = inner = make('del'); }
    else if (/^!?\[[\s\S]*\)$/.test(m[0])) {
      src = m[11] || m[12];
      // images never load; only web and mail links link (no javascript:)
      if (m[10]) { el = make('i', '', '[image' + (m[11] ? ': ' + m[11] : '') + ']'); }
      else if (/^(https?:\/\/|mailto:)/i.test(m[12])) { el = inner = make('a'); el.href = m[12]; }
      else { el = inner = make('span'); }
    }
    else if (m[13]) { addText(parent, m[13]); }
    else { el = make('br'); }
    if (inner) { inline(src, inner); }
    if (el) { parent.appendChild(el); }
  }
  if (last < text.length) { addText(parent, text.slice(last)); }
}

function cells(row) { return trim(row).replace(/^\||\|$/g, '').split('|'); }

function renderBlock(b) {
  var el, i, r, c, tr, row, head, blocks, li;
  if (b.t === 'p') { inline(b.text, el = make('p')); }
  else if (b.t === 'h') { inline(b.text, el = make('h' + Math.min(b.level + 2, 6))); }
  else if (b.t === 'hr') { el = make('hr'); }
  else if (b.t === 'code') { el = make('pre'); el.appendChild(make('code', '', b.text)); }
  else if (b.t === 'quote') { el = renderBlocks(parse(b.text), make('blockquote')); }
  else if (b.t === 'table') {
    el = make('div', 'table');
    head = cells(b.rows[0]);
    el.appendChild(make('table'));
    for (r = 0; r < b.rows.length; r++) {
      row = cells(b.rows[r]);
      if (r !== 1) { tr = el.firstChild.appendChild(make('tr')); }
      for (c = 0; r !== 1 && c < head.length; c++) {
        inline(trim(row[c] || ''), tr.appendChild(make(r ? 'td' : 'th')));
      }
    }
  } else {
    el = make(b.ordered ? 'ol' : 'ul');
    if (b.start !== 1) { el.setAttribute('start', b.start); }
    for (i = 0; i < b.items.length; i++) {
      li = el.appendChild(make('li'));
      blocks = parse(b.items[i].join('\n'));
      if (blocks.length && blocks[0].t === 'p') { inline(blocks.shift().text, li); }   // tight item
      renderBlocks(blocks, li);
    }
  }
  return el;
}
function renderBlocks(blocks, parent) {
  for (var i = 0; i < blocks.length; i++) { parent.appendChild(renderBlock(blocks[i])); }
  return parent;
}

// Unchanged blocks keep their nodes, and their e-ink pixels.
function renderMarkdown(r) {
  var blocks = parse(r.text), old = r.blocks || [], nodes = r.nodes || [], i, j;
  for (i = 0; i < blocks.length && i < old.length && blocks[i].src === old[i].src; i++) { /* same */ }
  for (j = i; j < nodes.length; j++) { r.body.removeChild(nodes[j]); }
  nodes.length = i;
  for (j = i; j < blocks.length; j++) { nodes.push(r.body.appendChild(renderBlock(blocks[j]))); }
  r.blocks = blocks;
  r.nodes = nodes;
}

/* ---- messages ---- */
function messageEl(m) {
  var user = m.role === 'user', el = make('div', 'msg ' + (user ? 'user' : 'model')), r = el.reply = {el: el, text: '', thoughts: ''};
  el.appendChild(make('div', 'who', user ? 'You' : 'Gemini'));
  show(r.th = el.appendChild(make('div', 'thoughts')), false);
  r.body = el.appendChild(make('div', 'body'));
  r.note = el.appendChild(make('div', 'note'));
  if (user) { addText(r.body, m.text); } else { update(r, m.text, m.thoughts, m); }
  return el;
}

function update(r, text, thoughts, d) {   // all in one task: one redraw
  var st = d.status || 'done', end = st !== 'streaming' && st !== 'done', e = d.error && d.error.message, note = e || {stopped: 'Stopped.', interrupted: 'Interrupted.'}[st] || '';
  if (text) { r.text += text; renderMarkdown(r); }
  if (thoughts) {
    if (!r.thoughts) { r.th.appendChild(make('div', 'who', 'Thoughts')); }
    r.thoughts += thoughts;
    addText(r.th, thoughts);
  }
  show(r.th, r.thoughts && S.thoughts);
  if (r.el.getAttribute('data-status') !== st) { r.el.setAttribute('data-status', st); }
  if (st === 'streaming' && !r.text) { note = 'Gemini is writing...'; }
  if (st === 'error' && !e) { note = 'Something went wrong.'; }
  if (d.finish && d.finish.message) { note += ' ' + d.finish.message; }
  // a server message is whole: add nothing to it
  if (!e && note && r.text && end) { note += ' The text so far is kept.'; }
  setNote(r, trim(note), end);
}

function setNote(r, text, withRetry) {
  if (r.noteText === text && r.retry === withRetry) { return; }
  r.noteText = text;
  r.retry = withRetry;
  clear(r.note);
  if (text) { r.note.appendChild(make('span', '', text)); }
  if (withRetry) { r.note.appendChild(button('Retry', 'retry', retry)); }
}

function onlyLastRetry() {   // only the last reply can be generated again
  for (var i = 0, list = M.childNodes, r; i < list.length - 1; i++) { r = list[i].reply; if (r.retry) { setNote(r, r.noteText, false); } }
}

function renderChat(chat) {
  var msgs = chat.messages, i, user = null, el, r;
  stopFollowing();
  clear(M);
  for (i = 0; i < msgs.length; i++) {
    el = M.appendChild(messageEl(msgs[i]));
    if (msgs[i].role === 'user') { user = el; }
  }
  onlyLastRetry();
  show($('empty'), !i);
  layout();
  turnTo(user);
  if (i && msgs[i - 1].status === 'streaming') {   // pick the reply up where it is
    r = el.reply;
    follow(chat.id, i - 1, r, cpLength(r.text), cpLength(r.thoughts));
  }
}

function openChat(id, quiet) {
  var n = ++S.nav;
  api('GET', chatPath(id), null, function (err, chat) {
    if (n !== S.nav) { return; }   // the user went on
    if (err && err.status === 404) { return newChat(); }
    if (err) { notice(err.message); return quiet && later(function () { openChat(id, true); }); }
    save('kc.chat', S.chat = chat.id);
    S.wait = 0;
    notice('');
    view('chat');
    renderChat(chat);
  });
}

function recent() {
  api('GET', '/api/chats', null, function (err, d) {
    if (err) { notice(err.message); return later(recent); }
    return d.chats.length ? openChat(d.chats[0].id, true) : newChat();
  });
}

function newChat() {
  save('kc.chat', 'new');   // chosen, not lost
  S.chat = null; S.nav++;
  view('chat');
  renderChat({messages: []});
}

/* ---- the long poll; after a failure it resumes at its offset ---- */
function follow(chat, index, r, offset, toff) {
  stopFollowing();
  busy(true);
  poll(S.live = {chat: chat, index: index, r: r, offset: offset, toff: toff, fails: 0});
}

function stopFollowing() {
  var live = S.live || {};
  S.live = null;
  clearTimeout(live.timer);
  if (live.xhr) { live.xhr.abort(); }
  busy(false);
}

function poll(live) {
  live.timer = null;
  if (S.live !== live || live.xhr) { return; }
  live.sent = +new Date();
  live.xhr = api('GET', chatPath(live.chat, '/messages/' + live.index) + '?from=' + live.offset +
    '&tfrom=' + live.toff + '&wait=' + WAIT, null, function (err, d) {
    live.xhr = null;
    if (S.live !== live) { return; }
    if (err && !(err.status >= 400 && err.status < 500)) {   // Wi-Fi drop, sleep, restart: again, slower
      live.fails++;
      notice(err.message + ' Trying again...');
      return again(live, Math.min(1000 * live.fails * live.fails, 15000));
    }
    if (err) {   // gone, or the server has less text than the page (it lost its last second)
      stopFollowing();
      return err.code === 'bad_offset' ? openChat(live.chat) : notice(err.message);
    }
    if (live.fails) { live.fails = 0; notice(''); }
    var text = d.text || '', th = d.thoughts || '', atEnd = endVisible();
    live.offset = d.next;
    live.toff = d.thoughts_next || live.toff;
    if (text || th || d.status !== live.r.el.getAttribute('data-status')) {
      update(live.r, text, th, d);
      followPage(atEnd);
    }
    if (d.status === 'streaming') { again(live, 0); } else { stopFollowing(); }
  }, (WAIT + 20) * 1000);
}

// Never faster than the throttle, whatever the answer: a reply stuck at the same offset
// made the page spin on instant answers.
function again(live, ms) {
  live.timer = setTimeout(function () { poll(live); }, Math.max(ms, live.sent + Math.max(S.throttle || 500, 250) - new Date()));
}

function wake() {   // after sleep, timers may have been frozen
  var live = S.live;
  if (live && live.timer) { clearTimeout(live.timer); again(live, 0); }
}

function busy(on) { show($('send'), !on); show($('stop'), on); $('stop').disabled = !on; }

/* ---- send, stop, retry ---- */
function send() {
  var box = $('message'), text = box.value;
  if (!/\S/.test(text) || S.sending || S.live) { return; }
  S.sending = true;
  function post(id) {
    api('POST', chatPath(id, '/messages'), {text: text}, function (err, d) {
      S.sending = false;   // on an error the draft stays in the box
      if (err) { return notice(err.status === 413 && !err.code ? 'This message is too long.' : err.message); }
      box.value = '';
      save('kc.draft', null);
      notice('');
      show($('empty'), false);
      var user = M.appendChild(messageEl({role: 'user', text: text}));
      var reply = M.appendChild(messageEl({role: 'model', status: 'streaming'}));
      onlyLastRetry();
      layout();
      turnTo(user);
      follow(id, d.index, reply.reply, 0, 0);
    });
  }
  if (S.chat) { return post(S.chat); }
  api('POST', '/api/chats', {}, function (err, d) {
    if (err) { S.sending = false; return notice(err.message); }
    save('kc.chat', S.chat = d.id);
    post(d.id);
  });
}

function stop() {
  var live = S.live;
  if (!live) { return; }
  $('stop').disabled = true;
  api('POST', chatPath(live.chat, '/messages/' + live.index + '/stop'), {}, function (err) {
    if (err) { busy(true); notice(err.message); }
  });
}

function retry() {
  var id = S.chat;
  if (!id || S.live) { return; }
  api('POST', chatPath(id, '/retry'), {}, function (err, d) {
    if (err) { return notice(err.message); }
    notice('');
    var el = messageEl({role: 'model', status: 'streaming'});
    M.replaceChild(el, M.lastChild);
    layout();
    follow(id, d.index, el.reply, 0, 0);
  });
}

/* ---- pages: the pager is one screen high and turns like a book ---- */
function step() { return Math.max(40, P.clientHeight - Math.round(S.font * 1.8)); }
function endVisible() { return SP.offsetTop <= P.scrollTop + P.clientHeight + 2; }

// The next page starts at the innermost block the bottom edge cuts (no line cut in two);
// a block taller than the screen goes on with a line of overlap.
function nextTop(top) {
  var edge = top + P.clientHeight, base = P.getBoundingClientRect().top - P.scrollTop, to = edge, i, r,
    els = M.querySelectorAll('p,li,pre,tr,hr,h3,h4,h5,h6,.who,.note,.user .body');
  for (i = 0; i < els.length; i++) {
    r = els[i].getBoundingClientRect();
    if (r.top - base < edge && r.bottom - base > edge + 1) { to = to === edge ? r.top - base : Math.max(to, r.top - base); }
  }
  return to > top + 9 ? Math.floor(to) - 4 : top + step();
}

function followPage(wasAtEnd) {
  if ($('follow').checked && wasAtEnd) { while (!endVisible()) { turn(1); } }
  pageBar();
}

// Previous goes back to the exact tops Next came from.
function turnTo(el) { S.back = []; P.scrollTop = el ? el.offsetTop - 4 : 0; pageBar(); }
function turn(dir) {
  if (dir < 0) { P.scrollTop = S.back.length ? S.back.pop() : P.scrollTop - step(); }
  else if (!endVisible()) { S.back.push(P.scrollTop); P.scrollTop = nextTop(P.scrollTop); }
  pageBar();
}

function pageBar() { $('prev').disabled = P.scrollTop <= 0; $('next').disabled = endVisible(); }

// The chat view fills the window exactly: the document itself never scrolls.
function layout() {
  if ($('chat-view').style.display) { return; }
  P.style.height = '50px';
  var rest = document.body.offsetHeight - 50;
  P.style.height = Math.max(150, window.innerHeight - rest) + 'px';
  SP.style.height = P.clientHeight + 'px';
  pageBar();
}

/* ---- views: chat, chats, settings ---- */
function view(name) {
  show($('chat-view'), name === 'chat');
  show($('chats-view'), name === 'chats');
  show(F, name === 'settings');
  window.scrollTo(0, 0);
  layout();
}

function showChats() {
  view('chats');
  api('GET', '/api/chats', null, function (err, d) {
    var chats = (d && d.chats) || [], i, list = $('chat-list');
    setText(list, err ? err.message : chats.length ? '' : 'No chats yet.');
    for (i = 0; i < chats.length; i++) { list.appendChild(chatRow(chats[i])); }
  });
}

function chatRow(c) {
  var row = make('div', 'chat' + (c.id === S.chat ? ' current' : '')), del, d = new Date(c.updated * 1000 || c.updated);
  row.setAttribute('data-id', c.id);
  row.appendChild(button(c.title || 'New chat', 'open', function () { openChat(c.id); }))
    .appendChild(make('span', 'meta', (isNaN(d) ? '' : d.toLocaleString()) +
      (c.count ? ' \u00B7 ' + c.count + ' messages' : '')));
  // two taps: the new Kindle browser has no confirm()
  del = row.appendChild(button('Delete', 'delete', function () {
    if (!del.getAttribute('data-armed')) { del.setAttribute('data-armed', 1); return setText(del, 'Delete for good?'); }
    api('DELETE', chatPath(c.id), {}, function (err) {
      if (err) { return notice(err.message); }
      row.parentNode.removeChild(row);
      if (c.id === S.chat) { newChat(); view('chats'); }
    });
  }));
  return row;
}

var F = $('settings-view'), FIELDS = ['model', 'system_instruction', 'temperature', 'throttle_ms'];
function field(name) { return $('set-' + name.replace(/_/g, '-')); }

// A late answer never undoes typing: fields touched since the request keep their value
// (a slow GET once wiped a key being pasted).
function fillSettings(s) {
  var i, f, t = S.touched;
  for (i = 0; i < FIELDS.length; i++) { f = field(FIELDS[i]); t[f.id] || (f.value = s[FIELDS[i]] == null ? '' : s[FIELDS[i]]); }
  S.thoughts = !!s.show_thoughts;
  S.throttle = s.throttle_ms;
  if (!t['set-show-thoughts']) { $('set-show-thoughts').checked = S.thoughts; }
  if (!t['set-api-key']) { $('set-api-key').value = ''; }
  F.setAttribute('data-state', 'ready');
  setText($('api-key-state'), s.api_key_set ? 'A key is saved (never shown): paste a new one to replace it.' :
    'No key yet: create one at aistudio.google.com.' + (s.demo ? ' Demo mode needs none.' : ''));
}

function saveSettings() {
  var body = {show_thoughts: $('set-show-thoughts').checked}, i, v, n, key = trim($('set-api-key').value);
  if (key) { body.api_key = key; }
  for (i = 0; i < FIELDS.length; i++) {
    v = field(FIELDS[i]).value;
    if (i !== 1) { v = trim(v).replace(',', '.'); }
    body[FIELDS[i]] = v;
  }
  n = ++S.seq;
  api('PUT', '/api/settings', body, function (err, s) {
    if (!err && n === S.seq) { S.touched = {}; fillSettings(s); }
    setText($('settings-status'), err ? err.message : 'Saved.');
  });
}
function getSettings() {   // only the newest answer counts
  var n = ++S.seq;
  S.touched = {};
  F.setAttribute('data-state', 'loading');
  api('GET', '/api/settings', null, function (err, s) { if (!err && n === S.seq) { fillSettings(s); } });
}

function setFont(px) {
  S.font = Math.max(12, Math.min(48, px));
  document.body.style.fontSize = S.font + 'px';
  setText($('font-size'), S.font + ' px');
  layout();
}
function fontBy(d) { return function () { setFont(S.font + d); save('kc.font', S.font); }; }

function health() {
  api('GET', '/api/health', null, function (err, h) {
    if (err) { return later(health); }
    setText($('banner'), 'Demo mode: replies come from the built-in emulator.');
    show($('banner'), h.demo);
    layout();
  });
}

/* ---- start ---- */
var box = $('message'), y0 = 0, i, b = document.getElementsByTagName('button');
var CLICKS = {send: send, stop: stop, 'new-chat': newChat, 'show-chats': showChats, 'save-settings': saveSettings,
  'show-settings': function () { view('settings'); setText($('settings-status'), ''); getSettings(); },
  'font-smaller': fontBy(-2), 'font-larger': fontBy(2),
  prev: function () { turn(-1); }, next: function () { turn(1); },
  follow: function () { save('kc.follow', $('follow').checked ? null : 'off'); }};
for (i in CLICKS) { $(i).onclick = CLICKS[i]; }
for (i = 0; i < b.length; i++) { if (b[i].className === 'back') { b[i].onclick = function () { view('chat'); }; } }
F.onsubmit = function () { saveSettings(); return false; };
F.oninput = F.onchange = F.onkeyup = function (e) { S.touched[(e || window.event).target.id] = 1; };
$('follow').checked = load('kc.follow') !== 'off';
// default text size from the screen width: 20 px on a 758 px Paperwhite
setFont(parseInt(load('kc.font'), 10) || Math.max(18, Math.min(40, Math.round((window.innerWidth || 758) / 38))));
box.value = load('kc.draft') || '';
box.onkeyup = box.oninput = box.onchange = function () { save('kc.draft', box.value || null); };
box.onkeydown = function (e) {
  e = e || window.event;
  if (e.keyCode === 13 && !e.shiftKey && !e.ctrlKey && !e.altKey) { send(); return false; }
};
// A swipe turns a page (a shortcut only: the old browser sends no touch events).
P.addEventListener('touchstart', function (e) { y0 = e.touches[0].clientY; }, false);
P.addEventListener('touchend', function (e) {
  var dy = e.changedTouches[0].clientY - y0;
  if (Math.abs(dy) > 40) { turn(dy < 0 ? 1 : -1); }
}, false);
window.onresize = layout;
window.onfocus = window.onpageshow = window.ononline = wake;
document.addEventListener('visibilitychange', wake, false);
health();
getSettings();
// The new Kindle browser may empty localStorage at launch: then open the newest chat.
var last = load('kc.chat');
if (last === 'new') { newChat(); } else if (last) { openChat(last, true); } else { recent(); }
}());
