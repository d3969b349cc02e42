"""The emulator's script: what it says to which message. The answer to a question
(Markdown that exercises the page's formatting), a long reply, the follow-ups a
model that follows the instruction writes, and the errors the triggers answer, in
Gemini's own bodies.

    >>> reply_text("echo: **hi**", "echo:")
    '**hi**'
    >>> _pieces("one two three four five six seven")
    ['one two three four five six ', 'seven']
"""
import json
import re

from . import tools
from .. import follow_ups

TOKEN = re.compile(r"\S+\s*|\s+")
WORDS_PER_CHUNK = 6


def answer_for(question):
    """The deterministic Markdown answer to a question: readable, and exercising the
    page's formatting (heading, bold, italic, list, code, quote, table)."""
    topic = " ".join(question.split())[:80] or "your question"
    return (
        "## About: %s\n\n"
        "This is **demo mode**: KindleChat's built-in Gemini emulator wrote this answer, "
        "so you can try the app *without an API key* and without a network. "
        "Add your key in Settings to talk to the real Gemini.\n\n"
        "What you can try here:\n\n"
        "1. Ask anything; the answer streams in at about thirty tokens a second.\n"
        "2. Press **Stop** while it streams, then **Retry**.\n"
        "3. Start a message with `demo:429`, `demo:drop` or `demo:portal` to see how errors look.\n\n"
        "> E-ink redraws are slow, so the screen is updated at most twice a second.\n\n"
        "| Setting | Default |\n|---|---|\n| Throttle | 500 ms |\n| Model | gemini-flash-latest |\n\n"
        "A line of code: `print(\"hello, Kindle\")`. That is all: thank you for reading.\n"
    ) % topic


def system_text(request):
    """The text of a request's systemInstruction ("" if none or not text)."""
    parts = (request.get("systemInstruction") or {}).get("parts") or [{}]
    text = parts[0].get("text") if isinstance(parts[0], dict) else None
    return text if isinstance(text, str) else ""


def follow_ups_for(question):
    """What a model that follows the follow-up instruction adds after its answer."""
    topic = " ".join(question.split())[:40].rstrip(" ?.!") or "this"
    return ("\n\n%s\nCan you explain that more simply?\nWhat is a good example?\n"
            "What else should I know about \"%s\"?\n" % (follow_ups.MARKER, topic))


def long_answer():
    paragraphs = []
    for n in range(1, 41):
        paragraphs.append("### Part %d\n\nThis is paragraph %d of a long demo reply, written so that "
                          "the page has to turn to a fresh screen several times. Each paragraph is "
                          "numbered, which makes it easy to see that nothing is missing or repeated "
                          "when you page back and forth.\n" % (n, n))
    return "\n".join(paragraphs) + "\nThe end.\n"


def reply_text(question, trigger):
    """The reply's Markdown: echo: TEXT as it is, demo:long, or answer_for()."""
    if question.startswith("echo:"):
        return question[5:].lstrip(" ")
    card = tools.card_answer(question)
    if card is not None:
        return card
    return long_answer() if trigger == "demo:long" else answer_for(question)


def _pieces(text):
    """The reply in chunks of WORDS_PER_CHUNK words, as it streams."""
    words = TOKEN.findall(text)
    return ["".join(words[i:i + WORDS_PER_CHUNK]) for i in range(0, len(words), WORDS_PER_CHUNK)]


def error_body(code, status, message, details=None):
    error = {"code": code, "message": message, "status": status}
    if details:
        error["details"] = details
    return json.dumps({"error": error}, indent=2).encode("utf-8") + b"\n"


ERRORS = {
    "demo:429": (429, error_body(429, "RESOURCE_EXHAUSTED", "You exceeded your current quota.", [
        {"@type": "type.googleapis.com/google.rpc.QuotaFailure", "violations": [
            {"quotaMetric": "generativelanguage.googleapis.com/generate_content_free_tier_requests"}]},
        {"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "26s"}])),
    "demo:badkey": (400, error_body(400, "INVALID_ARGUMENT", "API key not valid. Please pass a valid API key.", [
        {"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "API_KEY_INVALID",
         "domain": "googleapis.com"}])),
    "demo:404": (404, error_body(404, "NOT_FOUND", "models/unknown is not found for API version v1beta.")),
    "demo:503": (503, error_body(503, "UNAVAILABLE", "The model is overloaded. Please try again later.")),
}

PORTAL = (b"<!DOCTYPE html><html><head><title>Hotel Wi-Fi</title></head><body>"
          b"<h1>Welcome!</h1><p>Please accept the terms to use the Internet.</p></body></html>")
