"""A chat as the HTML a MOBI book carries (mobi.py): the chat's Markdown turned into
the tags the Kindle's reader shows (Mobipocket HTML: h1..h4, p, b, i, code, pre,
ul/ol/li, blockquote, hr). No CSS: MOBI 6 readers ignore most of it.

    >>> print(markdown_html("## Plan\\n\\nSome **bold** & *this*:\\n\\n- one\\n- `two`\\n\\n1. first"))
    <h3>Plan</h3>
    <p>Some <b>bold</b> &amp; <i>this</i>:</p>
    <ul><li>one</li><li><code>two</code></li></ul>
    <ol><li>first</li></ol>
"""
import html
import re

INLINE = ((re.compile(r"`([^`]+)`"), r"<code>\1</code>"),
          (re.compile(r"\*\*(.+?)\*\*|__(.+?)__"), r"<b>\1\2</b>"),
          (re.compile(r"(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*(?![\w*])|(?<!\w)_(?!\s)(.+?)(?<!\s)_(?!\w)"), r"<i>\1\2</i>"),
          (re.compile(r"!?\[([^\]]*)\]\(([^)\s]*)\)"), r'<a href="\2">\1</a>'))
BULLET = re.compile(r"\s*[-*+]\s+(.*)")
NUMBERED = re.compile(r"\s*\d{1,3}[.)]\s+(.*)")
HEADING = re.compile(r"\s*(#{1,6})\s+(.*?)\s*#*\s*$")
RULE = re.compile(r"\s*([-*_])(\s*\1){2,}\s*$")


def inline(text):
    """Escaped, then the inline marks (code first, so nothing inside it is marked)."""
    text = html.escape(text, quote=False)
    parts = re.split(r"(`[^`]+`)", text)
    for i, part in enumerate(parts):
        for pattern, repl in INLINE if i % 2 == 0 else INLINE[:1]:
            part = pattern.sub(repl, part)   # an unmatched group is "" (Python 3.5+)
        parts[i] = part
    return "".join(parts)


def markdown_html(markdown):
    out, para, items, kind = [], [], [], None
    lines = markdown.replace("\r\n", "\n").split("\n")
    i = 0

    def flush():
        if para:
            out.append("<p>%s</p>" % inline(" ".join(s.strip() for s in para)))
            del para[:]
        if items:
            out.append("<%s>%s</%s>" % (kind, "".join("<li>%s</li>" % inline(t) for t in items), kind))
            del items[:]

    while i < len(lines):
        line = lines[i]
        i += 1
        if line.strip().startswith("```"):
            flush()
            code = []
            while i < len(lines) and not lines[i].strip().startswith("```"):
                code.append(lines[i])
                i += 1
            i += 1
            out.append("<pre>%s</pre>" % html.escape("\n".join(code), quote=False))
            continue
        heading, bullet, numbered = HEADING.match(line), BULLET.match(line), NUMBERED.match(line)
        if not line.strip():
            flush()
        elif RULE.match(line):
            flush()
            out.append("<hr/>")
        elif heading:
            flush()
            level = min(len(heading.group(1)) + 1, 4)   # h1 is the book's title, h2 the speaker
            out.append("<h%d>%s</h%d>" % (level, inline(heading.group(2)), level))
        elif bullet or numbered:
            wanted = "ul" if bullet else "ol"
            if para or (items and kind != wanted):
                flush()
            kind = wanted
            items.append((bullet or numbered).group(1))
        elif line.lstrip().startswith(">"):
            flush()
            out.append("<blockquote>%s</blockquote>" % inline(line.lstrip()[1:].strip()))
        elif items and line.startswith((" ", "\t")):
            items[-1] += " " + line.strip()             # a list item's continued line
        else:
            if items:
                flush()
            para.append(line)
    flush()
    return "\n".join(out)


def chat_html(chat):
    """The whole chat: its title, then each turn under its speaker."""
    body = ["<h1>%s</h1>" % inline(chat["title"])]
    for message in chat["messages"]:
        who = "You" if message["role"] == "user" else "Gemini"
        body += ["<h2>%s</h2>" % who, markdown_html(message.get("text") or "(no text)")]
    body.append("<hr/><p><i>Saved by KindleChat.</i></p>")
    return ('<html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8"/><title>%s</title>'
            "</head><body>%s</body></html>" % (html.escape(chat["title"]), "\n".join(body)))
