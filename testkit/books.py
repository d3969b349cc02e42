"""Test books made the way readers make the books they sideload: an EPUB written
here (stdlib zipfile), converted by calibre's `ebook-convert` (Debian `calibre`)
into a MOBI6 (`.mobi`), an AZW3 (KF8 only) or a hybrid MOBI6+KF8 (`.mobi`).

    from testkit import books
    reason = books.missing()            # None, or why no book can be made (skip with it)
    spec = books.BookSpec.standard()    # chapters of paragraphs, each with a marker sentence
    path = books.make("azw3", spec)     # a path to a real AZW3, made once per content

`make` is cached per content (sha256 of the spec and the kind) in a folder under
the system temp dir, so a second test run, or a second test in one run, reuses the
book: ebook-convert takes a second or more. Files are written to a temp name and
renamed, so parallel runs never see half a book. The cached file is shared: a test
that damages a book copies it first.

    >>> spec = BookSpec.standard(chapters=2, paragraphs=3)
    >>> spec.paragraphs()[3]
    'Marker P002: the lighthouse keeper counted 2 grey gulls at dawn.'
    >>> len(spec.paragraphs())
    8
"""
import hashlib
import os
import shutil
import subprocess
import tempfile
import zipfile
from xml.sax.saxutils import escape

from testkit import ROOT

KINDS = {
    # kind: (file suffix, extra ebook-convert options)
    "mobi": (".mobi", ["--output-profile", "kindle", "--mobi-file-type", "old"]),
    "azw3": (".azw3", ["--output-profile", "kindle"]),
    "hybrid": (".mobi", ["--output-profile", "kindle", "--mobi-file-type", "both"]),
}
# The real Kindle files (books, sidecars, page maps, X-Ray) beside the project, read
# where they lie and never copied into the repo (their PROVENANCE.md says why).
SHARED = os.path.join(os.path.dirname(ROOT), "shared", "fixtures", "kindle-books")
CACHE = os.path.join(tempfile.gettempdir(), "kindlechat-test-books")
TIMEOUT = 300   # seconds: a 1 MB book takes ebook-convert some tens of seconds on 2 busy cores


def missing():
    """None when ebook-convert can run here, else the reason to skip with."""
    if shutil.which("ebook-convert") is None:
        return "calibre's ebook-convert is not installed (Debian package calibre, in .ci/apt-packages.txt)"
    return None


def marker(index):
    """The marker sentence of paragraph `index`: unique, searchable, plain ASCII."""
    return "Marker P%03d: the lighthouse keeper counted %d grey gulls at dawn." % (index, index)


class BookSpec:
    """A book's content: title, author, language and chapters, each a (heading,
    [paragraph, ...]) pair. paragraphs() is the reading order a reader must give back
    (headings are paragraphs too)."""

    def __init__(self, title, author, chapters, language="en"):
        self.title, self.author, self.language = title, author, language
        self.chapters = [(h, list(ps)) for h, ps in chapters]

    @classmethod
    def standard(cls, chapters=4, paragraphs=6, filler=0, title="The Lighthouse Test", author="Ada Tester"):
        """Chapters of paragraphs that each carry a marker sentence, some with
        entities and accented letters (so markup and encoding are exercised);
        `filler` adds that many words of plain prose to each paragraph (to make big
        books for benchmarks)."""
        words = ("the tide came in over the stones and the keeper wrote it down in his log "
                 "before the lamp was lit ").split()
        out, n = [], 0
        for c in range(chapters):
            paras = []
            for _ in range(paragraphs):
                text = marker(n)
                if n % 3 == 1:
                    text += " Caf\u00e9 & cr\u00e8me at <noon>, \u201cquoted\u201d."
                if filler:
                    text += " " + " ".join(words[i % len(words)] for i in range(filler)) + "."
                paras.append(text)
                n += 1
            out.append(("Chapter %d" % (c + 1), paras))
        return cls(title, author, out)

    def paragraphs(self):
        out = []
        for heading, paras in self.chapters:
            out.append(heading)
            out.extend(paras)
        return out

    def key(self):
        h = hashlib.sha256(repr((self.title, self.author, self.language, self.chapters)).encode("utf-8"))
        return h.hexdigest()[:20]


def write_epub(path, spec):
    """A minimal valid EPUB 2 (mimetype first, stored) with one XHTML file a chapter."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(zipfile.ZipInfo("mimetype"), "application/epub+zip", compress_type=zipfile.ZIP_STORED)
        z.writestr("META-INF/container.xml",
                   '<?xml version="1.0"?><container version="1.0" '
                   'xmlns="urn:oasis:names:tc:opendocument:xmlns:container"><rootfiles>'
                   '<rootfile full-path="OEBPS/content.opf" media-type="application/oebps-package+xml"/>'
                   '</rootfiles></container>')
        n = len(spec.chapters)
        items = "".join('<item id="c%d" href="c%d.xhtml" media-type="application/xhtml+xml"/>' % (i, i)
                        for i in range(n))
        spine = "".join('<itemref idref="c%d"/>' % i for i in range(n))
        z.writestr("OEBPS/content.opf",
                   '<?xml version="1.0" encoding="utf-8"?><package xmlns="http://www.idpf.org/2007/opf" '
                   'version="2.0" unique-identifier="id"><metadata xmlns:dc="http://purl.org/dc/elements/1.1/">'
                   '<dc:title>%s</dc:title><dc:creator>%s</dc:creator><dc:language>%s</dc:language>'
                   '<dc:identifier id="id">urn:kindlechat-test:%s</dc:identifier></metadata>'
                   '<manifest>%s</manifest><spine>%s</spine></package>'
                   % (escape(spec.title), escape(spec.author), escape(spec.language), spec.key(), items, spine))
        for i, (heading, paras) in enumerate(spec.chapters):
            body = "<h1>%s</h1>%s" % (escape(heading), "".join("<p>%s</p>" % escape(p) for p in paras))
            z.writestr("OEBPS/c%d.xhtml" % i,
                       '<?xml version="1.0" encoding="utf-8"?><html xmlns="http://www.w3.org/1999/xhtml">'
                       '<head><title>%s</title></head><body>%s</body></html>' % (escape(heading), body))


def make(kind, spec=None):
    """The path of a book of `kind` ("mobi", "azw3", "hybrid") with `spec`'s content
    (BookSpec.standard() by default), made by ebook-convert or taken from the cache.
    Raises RuntimeError with ebook-convert's output when it fails."""
    spec = spec or BookSpec.standard()
    suffix, options = KINDS[kind]
    folder = os.path.join(CACHE, "%s-%s" % (spec.key(), kind))
    path = os.path.join(folder, "book" + suffix)
    if os.path.isfile(path):
        return path
    os.makedirs(folder, exist_ok=True)
    work = tempfile.mkdtemp(prefix="make-", dir=folder)
    try:
        epub = os.path.join(work, "book.epub")
        write_epub(epub, spec)
        out = os.path.join(work, "book" + suffix)
        env = dict(os.environ, QT_QPA_PLATFORM="offscreen", CALIBRE_CONFIG_DIRECTORY=os.path.join(work, "cfg"))
        run = subprocess.run(["ebook-convert", epub, out] + options, stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, env=env, timeout=TIMEOUT)
        if run.returncode != 0 or not os.path.isfile(out):
            raise RuntimeError("ebook-convert failed (%d): %s" % (run.returncode, run.stdout.decode("utf-8", "replace")[-2000:]))
        os.replace(out, path)
        return path
    finally:
        shutil.rmtree(work, ignore_errors=True)
