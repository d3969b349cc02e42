"""The README's screenshots of the library views at Kindle sizes, in e-ink's 16 grays.

    .venv/bin/python tools/screenshots.py     # -> docs/screens/{highlights,words,review,chat}-{758x1024,600x800}.png

Starts a demo server (the shipped sample library, a quick emulator) on a free loopback
port and Debian's Chromium (/usr/bin/chromium, KINDLECHAT_CHROMIUM) through Playwright;
shows Highlights with a highlight tapped, Words, Review with a word's card shown, and the chat Explain started from that
highlight, streamed to the end. Each PNG is re-encoded as 4-bit grayscale (a Kindle shows
16 grays; pure Python, since the venv has no Pillow), which keeps each well under 60 KB.
Not part of the test suite; tests/page/test_page_library.py checks the README's links.
"""
import os
import struct
import sys
import tempfile
import zlib

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from testkit.serverproc import ServerProcess  # noqa: E402

OUT = os.path.join(ROOT, "docs", "screens")
SIZES = [(758, 1024), (600, 800)]   # Paperwhite 1-2 (and PW3's CSS px), Kindle 4 / Touch / basic
CHROMIUM = os.environ.get("KINDLECHAT_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-sync"]
READY = "(n) => { var v = document.getElementById(n + '-view'); return v.style.display !== 'none' && v.getAttribute('data-state') === 'ready'; }"


def shoot(browser, url, width, height):
    """{name: PNG bytes} of the three views at one size."""
    context = browser.new_context(viewport={"width": width, "height": height})
    context.add_init_script("localStorage.setItem('kc.chat', 'new');")
    page = context.new_page()
    page.goto(url)
    page.wait_for_selector("#message")
    page.wait_for_function("() => document.getElementById('banner').style.display !== 'none'")
    shots = {}
    page.click("#show-library")
    page.wait_for_function(READY, arg="highlights")
    page.click("#hl-list .hl:nth-child(2) .hl-tap")
    shots["highlights"] = page.screenshot()
    page.click("#highlights-view .tab:nth-child(2)")
    page.wait_for_function(READY, arg="words")
    shots["words"] = page.screenshot()
    page.click("#review-open")                     # Review: opening it writes the due words' cards
    page.wait_for_function("() => document.getElementById('review-view').getAttribute('data-state') === 'front'")
    while page.evaluate("async () => (await (await fetch('/api/words/cards')).json()).writing"):
        page.wait_for_timeout(250)
    page.click("#show-library")
    page.click("#highlights-view .tab:nth-child(2)")
    page.click("#review-open")
    page.wait_for_function("() => document.getElementById('review-view').getAttribute('data-state') === 'front'")
    page.click("#review-show")
    shots["review"] = page.screenshot()
    page.click("#show-library")
    page.wait_for_function(READY, arg="highlights")
    page.click("#hl-list .hl:nth-child(2) .hl-tap")
    page.click("#hl-list .acts button")          # Explain
    page.wait_for_selector(".msg.model[data-status=done]")
    while page.is_enabled("#prev"):                # back to the question: the passage, its book
        page.click("#prev")
    shots["chat"] = page.screenshot()
    context.close()
    return shots


# ---- PNG: Chromium's 8-bit RGB(A) in, 4-bit grayscale out ----------------------------
def read_png(data):
    """(width, height, bytes per pixel, rows) of a non-interlaced 8-bit RGB or RGBA PNG."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat = 8, []
    while pos < len(data):
        size, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body, pos = data[pos + 8:pos + 8 + size], pos + 12 + size
        if kind == b"IHDR":
            width, height, depth, color, _, _, interlace = struct.unpack(">IIBBBBB", body)
            assert depth == 8 and color in (2, 6) and not interlace, "unexpected PNG format"
        elif kind == b"IDAT":
            idat.append(body)
    bpp = 3 if color == 2 else 4
    raw, stride, rows, prev = zlib.decompress(b"".join(idat)), width * bpp, [], bytearray(width * bpp)
    for y in range(height):
        start = y * (stride + 1)
        line = bytearray(raw[start + 1:start + 1 + stride])
        unfilter(raw[start], line, prev, bpp)
        rows.append(line)
        prev = line
    return width, height, bpp, rows


def unfilter(kind, line, prev, bpp):
    """Undo one row's PNG filter in place (PNG spec, section 9)."""
    for i in range(len(line)):
        a = line[i - bpp] if i >= bpp else 0
        b, c = prev[i], (prev[i - bpp] if i >= bpp else 0)
        if kind == 1:
            line[i] = (line[i] + a) & 255
        elif kind == 2:
            line[i] = (line[i] + b) & 255
        elif kind == 3:
            line[i] = (line[i] + (a + b) // 2) & 255
        elif kind == 4:
            p = a + b - c
            pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255


def gray4_png(data):
    """The PNG as 4-bit grayscale: 16 levels, two pixels a byte, filter 0 on each row."""
    width, height, bpp, rows = read_png(data)
    out = bytearray()
    for line in rows:
        levels = [((299 * line[i] + 587 * line[i + 1] + 114 * line[i + 2]) * 15 + 127500) // 255000
                  for i in range(0, width * bpp, bpp)] + [0]
        out.append(0)
        out.extend(levels[k] << 4 | levels[k + 1] for k in range(0, width, 2))

    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 4, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(bytes(out), 9)) + chunk(b"IEND", b""))


def main():
    from playwright.sync_api import sync_playwright
    os.makedirs(OUT, exist_ok=True)
    srv = ServerProcess(os.path.join(tempfile.mkdtemp(prefix="kc-shots-"), "data"), "--demo").start()
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
            for width, height in SIZES:
                for name, png in shoot(browser, srv.url + "/", width, height).items():
                    path = os.path.join(OUT, "%s-%dx%d.png" % (name, width, height))
                    with open(path, "wb") as f:
                        f.write(gray4_png(png))
                    print("%s  %d bytes" % (os.path.relpath(path, ROOT), os.path.getsize(path)))
            browser.close()
    finally:
        srv.stop()


if __name__ == "__main__":
    main()
