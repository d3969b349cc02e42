/* KindleChat's Markdown: a reply's text -> DOM, block by block, growing as the reply
   streams; and the glyphs Kindle fonts lack. ES5 only (see app.js). Loaded before app.js;
   its one global is Markdown. A file of its own so that app.js reads as the page alone.

   The text only ever grows at its end, so a block the rest of the text can no longer
   change is parsed and drawn once: each update parses only the blocks still open (issue
   12.5: re-parsing the whole reply made every update cost more than the last, 229 ms at
   128 KB against 84 ms at 16 KB at 20x CPU throttle). */
var Markdown = (function () {
'use strict';

function trim(s) { return s.replace(/^\s+|\s+$/g, ''); }
function make(tag, cls, text) {
  var el = document.createElement(tag);
  if (cls) { el.className = cls; }
  if (text) { addText(el, text); }
  return el;
}

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

// CR, LF and CRLF all end a line; a tab is four spaces. -> [lines]
function splitLines(text) { return text.replace(/\r\n?/g, '\n').replace(/\t/g, '    ').split('\n'); }
function parse(text) { return parseLines(splitLines(text)); }

// lines -> [{t: type, line: where it starts, src: its lines, ...}]. No state passes from
// one block to the next, so parsing from any block's first line gives the blocks after it.
function parseLines(lines) {
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
    b.line = start;
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

/* ---- a reply's text as it grows ---- */

// Where the settled part of the text may end: each line's offset in text, and `done`, how
// many lines have ended (a CR at the very end may be the first half of a CRLF).
function lineStarts(text) {
  var re = /\r\n|\r|\n/g, starts = [0];
  while (re.exec(text)) { starts.push(re.lastIndex); }
  return {starts: starts, done: starts.length - 1 - (/\r$/.test(text) ? 1 : 0)};
}

// A block is settled once the block after it starts on a line that has ended, followed by
// another ended line: where a block ends is decided by the line that starts the next one
// (a list goes on or not, a paragraph meets a heading) and by the line after that (a table
// is a row followed by a |---| line), never by anything later. -> how many are settled
function settled(blocks, done) {
  for (var k = 0; k + 1 < blocks.length && blocks[k + 1].line + 1 < done; k++) { /* settled */ }
  return k;
}

// Draws r.text into r.body, parsing only the text after the settled blocks; of the open
// blocks only those that changed are drawn again (the others keep their nodes, and their
// e-ink pixels).
function grow(r) {
  var s = r.md || (r.md = {base: 0, open: [], nodes: []}), tail = r.text.slice(s.base);
  var lines = lineStarts(tail), blocks = parseLines(splitLines(tail)), i, j, k;
  stats.updates++;
  stats.lines += lines.starts.length;
  stats.blocks += blocks.length;
  for (i = 0; i < blocks.length && i < s.open.length && blocks[i].src === s.open[i].src; i++) { /* same */ }
  for (j = i; j < s.nodes.length; j++) { s.nodes[j].parentNode.removeChild(s.nodes[j]); }
  s.nodes.length = i;
  for (j = i; j < blocks.length; j++) { s.nodes.push(sheaf(r).appendChild(renderBlock(blocks[j]))); }
  k = settled(blocks, lines.done);
  if (k) { s.base += lines.starts[blocks[k].line]; }
  s.open = blocks.slice(k);
  s.nodes = s.nodes.slice(k);
}

// A reply's blocks go into sheaves of SHEAF blocks (plain divs: margins collapse through
// them as before). An update changes the last sheaf only, so the layout after it walks
// the body's few sheaves and one sheaf's blocks, where it walked every block of the reply:
// the per-update layout grew with the reply, and on a slow core the main thread with it
// (issue 12.5). Blocks never move between sheaves: only the last ones are ever redrawn.
var SHEAF = 32;
function sheaf(r) {
  var s = r.md;
  if (!s.sheaf || s.sheaf.childNodes.length >= SHEAF) { s.sheaf = r.body.appendChild(make('div', 'sheaf')); }
  return s.sheaf;
}

// The work done, for tests and benchmarks: updates, and the lines and blocks they parsed.
var stats = {updates: 0, lines: 0, blocks: 0};

return {grow: grow, parse: parse, render: renderBlocks, make: make, addText: addText, stats: stats};
}());
