"""Markdown from the model shown formatted, and everything the model says escaped: the
emulator's `echo:` trigger makes the model "say" exactly what each test needs."""
import pytest

from page_fixtures import MODES, browser, open_page, send, server, wait_status  # noqa: F401

RICH = """echo:# Title

Some **bold**, *italic*, ***both***, `code <b>`, ~~gone~~ and [a link](https://example.org/x).

- one
- two
  - two and a half
- three

1. first
2. second

> quoted *words*

```python
print("<b>not bold</b>")
```

| Name | Value |
|:-----|------:|
| a | 1 |
| b \\| c | 2 |

![a cat](https://example.org/cat.png)

---
The end."""

EVIL = ("echo:<script>window.__xss = 1</script> <img src=x onerror=\"window.__xss = 2\"> "
        "[click](javascript:window.__xss=3) [data](data:text/html,<script>alert(1)</script>) "
        "<a href=\"javascript:window.__xss=4\">a</a> <svg onload=\"window.__xss=5\"></svg> "
        "<iframe src=\"javascript:window.__xss=6\"></iframe> **<b onclick=\"window.__xss=7\">x</b>** "
        "<style>body{display:none}</style>")


@pytest.fixture(params=MODES)
def page(request, browser, server):
    """The page with the server's Content-Security-Policy bypassed: escaping alone must hold."""
    p = open_page(browser, server.url, request.param, bypass_csp=True)
    yield p
    p.context.close()


def test_markdown_is_formatted(page):
    body = send(page, RICH).locator(".body")
    assert wait_status(page) == "done"
    assert body.locator("h3").text_content() == "Title"
    assert body.locator("p strong").first.text_content() == "bold"
    assert body.locator("p > em").first.text_content() == "italic"
    assert body.locator("strong > em").text_content() == "both"
    assert body.locator("p code").text_content() == "code <b>"
    assert body.locator("del").text_content() == "gone"
    assert body.locator("a").get_attribute("href") == "https://example.org/x"
    assert body.locator("ul > li").count() == 4
    assert body.locator("ul > li > ul > li").text_content() == "two and a half"
    assert body.locator("ol > li").all_text_contents() == ["first", "second"]
    assert body.locator("blockquote em").text_content() == "words"
    assert body.locator("pre code").text_content() == 'print("<b>not bold</b>")'
    assert body.locator("th").all_text_contents() == ["Name", "Value"]
    assert body.locator("td").count() == 4
    assert body.locator("hr").count() == 1
    assert body.locator("img").count() == 0
    assert "[image: a cat]" in body.text_content()
    assert body.locator("b").count() == 0


def test_html_and_script_from_the_model_show_as_text_and_run_nothing(page):
    reply = send(page, EVIL)
    assert wait_status(page) == "done"
    body = reply.locator(".body")
    for tag in ("script", "img", "svg", "iframe", "style", "b"):
        assert body.locator(tag).count() == 0, tag
    text = body.text_content()
    for shown in ("<script>window.__xss = 1</script>", "<img src=x onerror=", "<svg onload=", "<style>"):
        assert shown in text
    hrefs = body.locator("a").evaluate_all("(els) => els.map(function (a) { return a.getAttribute('href'); })")
    assert all(h.startswith(("http:", "https:", "mailto:")) for h in hrefs), hrefs
    for span in body.locator("span").all():
        span.click()
    assert page.evaluate("() => typeof window.__xss") == "undefined"
    assert page.is_visible("#message")


def test_emoji_and_missing_symbols_never_show_as_boxes(page):
    reply = send(page, "echo:Launch \U0001F680 done \u2705 fox \U0001F98A \u2192 next \U0001F44D\U0001F3FD \u2764\ufe0f")
    assert wait_status(page) == "done"
    text = reply.locator(".body").text_content()
    assert text == "Launch (rocket) done [x] fox \u00b7 -> next (+1) <3"
    assert not any(ord(c) > 0xFFFF or 0x2190 <= ord(c) <= 0x2BFF for c in text)
