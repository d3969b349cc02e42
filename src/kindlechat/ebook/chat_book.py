"""A chat written as a book the Kindle lists: as MOBI (html.py, mobi.py), and as
plain text beside it, readable without Markdown symbols (headings as lines of their
own, **bold** as plain words, lists as "- ").

    >>> print(plain("# Title\\n\\nSome **bold** and `code`.\\n* one\\n* two"))
    TITLE
    <BLANKLINE>
    Some bold and code.
    - one
    - two
"""
import re

from . import html as book_html, mobi

INLINE = ((re.compile(r"\*\*(.+?)\*\*|__(.+?)__"), r"\1\2"),
          (re.compile(r"(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*(?![\w*])"), r"\1"),
          (re.compile(r"`([^`]*)`"), r"\1"),
          (re.compile(r"!?\[([^\]]*)\]\(([^)]*)\)"), r"\1 (\2)"))


def plain(markdown):
    out = []
    for line in markdown.replace("\r\n", "\n").split("\n"):
        if line.strip().startswith("```"):
            continue
        heading = re.match(r"\s*#{1,6}\s+(.*)", line)
        if heading:
            line = _inline(heading.group(1)).upper()
        else:
            line = re.sub(r"^(\s*)[*+]\s+", r"\1- ", line)
            line = re.sub(r"^\s*>\s?", "  ", line)
            line = _inline(line)
        out.append(line.rstrip())
    return "\n".join(out).strip("\n")


def _inline(text):
    for pattern, repl in INLINE:
        text = pattern.sub(repl, text)
    return text


def chat_text(chat):
    """The whole chat as plain text: title, then each turn under its speaker."""
    parts = [chat["title"], "=" * min(len(chat["title"]), 60), ""]
    for message in chat["messages"]:
        who = "You" if message["role"] == "user" else "Gemini"
        parts += [who + ":", plain(message.get("text") or "(no text)"), ""]
    parts.append("Saved by KindleChat.")
    return "\r\n".join("\n".join(parts).split("\n")) + "\r\n"


def chat_mobi(chat):
    """The whole chat as a MOBI book: headings, bold and lists as the reader shows them."""
    return mobi.build(book_html.chat_html(chat), chat["title"], "KindleChat")


def file_name(title, chat_id):
    """A FAT-safe name, the same for the same chat (so saving again replaces it).

        >>> file_name('Emma: “Emma Woodhouse, handsome…”', "ab12")
        'Emma - Emma Woodhouse, handsome - ab12.txt'
    """
    clean = re.sub(r'(?:\s*[\\/:*?"<>|“”…\x00-\x1f]+\s*)+', " - ", title)
    clean = " ".join(clean.split()).strip(" -.")[:50].strip(" -.")
    return "%s - %s.txt" % (clean or "KindleChat", chat_id)
