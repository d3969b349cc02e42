"""The built-in Gemini emulator (demo mode): a real HTTP server on loopback that
speaks Gemini's exact wire format, so the server's real client path runs against
it and nothing is faked inside the server.

    >>> emu = Emulator(tokens_per_second=0, first_delay=0).start()
    >>> emu.url.startswith("http://127.0.0.1:")
    True
    >>> emu.stop()

Wire format, as Gemini sends it: HTTP/1.1 200, ``content-type: text/event-stream``
(no charset), chunked, each event one line ``data: {compact json}`` + CRLF CRLF, no
[DONE]; the last chunk carries finishReason; usageMetadata on every chunk,
cumulative. Errors are HTTP errors with a pretty-printed JSON body.

Trigger messages (start the message with one of these) show every error case:
  demo:429       rate limit with RetryInfo      demo:badkey    API key not valid
  demo:404       unknown model                  demo:503       model overloaded
  demo:blocked   prompt blocked (SAFETY)        demo:drop      connection drops mid-reply
  demo:midstream error object after some text   demo:portal    a Wi-Fi login page (HTML 200)
  demo:maxtokens reply cut at MAX_TOKENS        demo:stall     stops sending (read timeout)
  demo:thoughts  thought summary, then answer   demo:long      a reply of several screens
  demo:search    an answer grounded in Search   demo:url       pages read, the last one failing
  demo:daily     a model's daily quota used up  echo: TEXT     replies exactly TEXT (as Markdown)
  demo:sleep     cut twice, as sleep would cut it, and continued (resume.py; once in the other formats)
  (demo:drop and demo:stall: their continuations fail too, so the reply ends in the error)
  demo:retired   the model is retired for this key from now on (Google's 404, naming the replacement)
The models are December 2026's (tools.MODELS): gemini-2.0-* and gemini-2.5-*
answer Google's retirement 404, and 3.7/3.8 Flash refuse the thinking level MINIMAL.
A request with the google_search tool gets a grounded answer, and one with
url_context and links the pages' statuses; GET /v1beta/models lists models on two
pages; a thinking setting the model refuses is Gemini's 400 (tools.py). A
system instruction that asks for follow-ups (follow_ups.py) gets them after the
answer, behind the marker line, as a model that follows it writes them (not for echo:).
A request in another provider's format (POST .../chat/completions, /v1/messages,
/api/chat; GET .../models, /api/tags) is answered in that format, with the same
triggers (wire.py): demo mode sends every profile here.
"""
import collections
import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from . import resume
from .script import (ERRORS, PORTAL, _pieces, answer_for, error_body,  # noqa: F401 (answer_for: tests)
                     follow_ups_for, reply_text, system_text)
from . import tools
from . import wire
from .. import follow_ups

PATH = re.compile(r"^(?P<prefix>.*)/v1beta/models/(?P<model>[^/:]+):streamGenerateContent\?alt=sse$")
MODELS_PATH = re.compile(r"^(?P<prefix>.*)/v1beta/models$")


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "scaffolding on HTTPServer2"   # what Gemini's own server says

    def log_message(self, *args):
        pass

    def do_GET(self):
        url = urlsplit(self.path)
        kind = wire.kind_of("GET", url.path, self.headers)
        if kind:
            return self._json(*(wire.refusal(kind, self.headers) or (200, wire.models_doc(kind))))
        if not MODELS_PATH.match(url.path) or "key" in parse_qs(url.query):
            return self._error(404, error_body(404, "NOT_FOUND", "Unknown path (the key belongs in a header)."))
        if not self.headers.get("x-goog-api-key"):
            return self._error(403, error_body(403, "PERMISSION_DENIED", "Method doesn't allow unregistered callers."))
        page, token = tools.models_page((parse_qs(url.query).get("pageToken") or [None])[0])
        doc = dict({"models": page}, **({"nextPageToken": token} if token else {}))
        self._send(200, "application/json; charset=UTF-8", json.dumps(doc, indent=2).encode("utf-8"))

    def do_POST(self):
        emu = self.server.emulator
        match = PATH.match(self.path)
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        kind = wire.kind_of("POST", urlsplit(self.path).path, self.headers)
        if kind:
            return self._other(kind, body, emu)
        if not match or "key=" in self.path:
            return self._error(404, error_body(404, "NOT_FOUND", "Unknown path (the key belongs in a header)."))
        if not self.headers.get("x-goog-api-key"):
            return self._error(403, error_body(403, "PERMISSION_DENIED", "Method doesn't allow unregistered callers."))
        try:
            request = json.loads(body.decode("utf-8"))
            question = request["contents"][-1]["parts"][0]["text"]
        except (ValueError, KeyError, IndexError, TypeError):
            return self._error(400, error_body(400, "INVALID_ARGUMENT", "Request contains an invalid argument."))
        emu.requests.append(request)
        model = match.group("model")
        if question.strip().lower().startswith("demo:retired") and model != tools.REPLACEMENT:
            emu.retired.add(model)
        if tools.RETIRED.match(model) or model in emu.retired:
            return self._error(404, tools.retired_body(model))
        refusal = tools.thinking_refusal(model, request)
        if refusal:
            return self._error(400, error_body(400, "INVALID_ARGUMENT", refusal))
        self._answer(question, emu, match.group("model"), request)

    def _answer(self, question, emu, model="", request=None):
        resumed = resume.continuation((request or {}).get("contents") or [])
        if resumed:   # asked to go on with a cut reply: the same answer, from where it was cut
            question = resumed[0]
        trigger = question.strip().lower().split(" ", 1)[0]
        if resumed and trigger in resume.FAILING:
            return self.close_connection_now()   # the network fails again: Retry is shown in the end
        if trigger in ERRORS:
            return self._error(*ERRORS[trigger])
        if trigger == "demo:daily":
            return self._error(429, tools.daily_quota_body(model))
        if trigger == "demo:portal":
            return self._send(200, "text/html; charset=utf-8", PORTAL)
        if trigger == "demo:blocked":
            return self._stream([({"promptFeedback": {"blockReason": "SAFETY"}}, 0)], emu)
        text = reply_text(question, trigger)
        asked = set() if question.startswith("echo:") else tools.tools_of(request or {})
        grounding = url_meta = None
        if trigger == "demo:url" or ("url_context" in asked and tools.URL.search(question)):
            url_meta = tools.url_metadata(question, fail_last=trigger == "demo:url")
            text = tools.url_answer(url_meta)
        if trigger == "demo:search" or "google_search" in asked:
            text, grounding = tools.search_answer(question[len("demo:search"):] if trigger == "demo:search"
                                                  else question)
        if not question.startswith("echo:") and follow_ups.asked(system_text(request or {})):
            text += follow_ups_for(question)
        if resumed or trigger == "demo:sleep":
            return self._resumed(text, resumed[1] if resumed else "", trigger, emu)
        chunks = tools.decorate(self._chunks(text, trigger, emu), grounding, url_meta)
        self._stream(chunks, emu, trigger)

    def _resumed(self, full, partial, trigger, emu):
        """full from a few words before partial's end; demo:sleep cuts it again."""
        start = resume.restart_at(full, partial) if partial else 0
        cut = resume.next_cut(full, len(partial)) if trigger == "demo:sleep" else None
        if partial:
            emu.pause(emu.first_delay * 5)   # the Wi-Fi coming back after the wake
        self._stream(self._from(full, start, cut), emu, trigger)

    @staticmethod
    def _from(full, at, cut):
        pieces, sent = _pieces(full[at:]), 0
        for n, piece in enumerate(pieces):
            if cut is not None and at >= cut:
                yield "drop", 0
                return
            at, sent = at + len(piece), sent + (len(piece.split()) or 1)
            yield _chunk(piece, sent, finish="STOP" if n == len(pieces) - 1 else None), len(piece.split()) or 1

    def _other(self, kind, body, emu):
        """A request in another provider's wire format (wire.py)."""
        refused = wire.refusal(kind, self.headers)
        if refused:
            return self._json(*refused)
        try:
            request = json.loads(body.decode("utf-8"))
            question = wire.question(kind, request)
        except (ValueError, KeyError, IndexError, TypeError, AttributeError):
            return self._send(400, "application/json", b'{"error": "invalid request"}')
        emu.requests.append(request)
        resumed = resume.continuation_of_messages(request.get("messages") or [])
        if resumed:   # the same answer, from a few words before the cut, cut no more
            question = resumed[0]
        trigger = question.strip().lower().split(" ", 1)[0]
        model = str(request.get("model") or "")
        if trigger == "demo:retired" or not model:
            return self._send(404, "application/json", wire.unknown_model(kind, model))
        if resumed and trigger in resume.FAILING:
            return self.close_connection_now()
        error = wire.error_for(kind, trigger)
        if error:
            return self._send(error[0], "application/json", error[2], error[1])
        if trigger == "demo:portal":
            return self._send(200, "text/html; charset=utf-8", PORTAL)
        text = reply_text(question, trigger)
        if resumed:
            text, trigger = text[resume.restart_at(text, resumed[1]):], ""
        elif trigger == "demo:sleep":
            trigger = "demo:drop"   # cut once here, then continued
        frames = wire.stream(kind, _pieces(text), trigger, str(request.get("model") or "demo"))
        self._stream(((f, t) if isinstance(f, str) else (_Raw(f), t) for f, t in frames), emu, "",
                     wire.CONTENT_TYPES[kind])

    def _chunks(self, text, trigger, emu):
        pieces = _pieces(text)
        if trigger == "demo:thoughts":
            yield _chunk("**Thinking about the question.** The user wants a demo answer.", 0, thought=True), 12
        sent = 0
        for n, piece in enumerate(pieces):
            if trigger in ("demo:drop", "demo:midstream", "demo:stall", "demo:maxtokens") and n == 3:
                yield trigger, 0
                return
            sent += len(piece.split()) or 1
            last = n == len(pieces) - 1
            yield _chunk(piece, sent, finish="STOP" if last else None), len(piece.split()) or 1
        if not pieces:
            yield _chunk("", 0, finish="STOP"), 0

    def _stream(self, chunks, emu, trigger="", content_type="text/event-stream"):
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Transfer-Encoding", "chunked")
        self.send_header("Vary", "Origin, X-Origin, Referer")
        self.end_headers()
        emu.pause(emu.first_delay)
        try:
            for event, tokens in chunks:
                if isinstance(event, _Raw):   # another wire format's frame, as it is
                    self._write_chunk(event)
                    if tokens and emu.tokens_per_second:
                        emu.pause(tokens / emu.tokens_per_second)
                    continue
                if event in ("demo:drop", "drop"):
                    return self.close_connection_now()
                if event == "demo:midstream":
                    self._write_chunk(error_body(503, "UNAVAILABLE", "The model is overloaded. Please try again later."))
                    break
                if event in ("demo:stall", "stall"):
                    emu.pause(3600)
                    return self.close_connection_now()
                if event == "demo:maxtokens":
                    event = _chunk("", 0, finish="MAX_TOKENS")
                self._write_chunk(b"data: " + json.dumps(event, ensure_ascii=False, separators=(",", ":"))
                                  .encode("utf-8") + b"\r\n\r\n")
                if tokens and emu.tokens_per_second:
                    emu.pause(tokens / emu.tokens_per_second)
            self.wfile.write(b"0\r\n\r\n")
            self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            pass

    def close_connection_now(self):
        self.close_connection = True
        self.wfile.flush()
        self.connection.close()

    def _write_chunk(self, data):
        self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
        self.wfile.flush()

    def _error(self, status, body):
        # Gemini labels its error bodies text/event-stream too.
        self._send(status, "text/event-stream", body)

    def _json(self, status, doc):
        self._send(status, "application/json", json.dumps(doc).encode("utf-8"))

    def _send(self, status, content_type, body, headers=None):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class _Raw(bytes):
    """Bytes of another wire format, sent as they are (wire.py)."""


def _chunk(text, tokens, finish=None, thought=False):
    part = {"text": text}
    if thought:
        part["thought"] = True
    candidate = {"content": {"parts": [part], "role": "model"}, "index": 0}
    if finish:
        candidate["finishReason"] = finish
    usage = {"promptTokenCount": 12, "candidatesTokenCount": tokens, "totalTokenCount": 12 + tokens}
    return {"candidates": [candidate], "usageMetadata": usage, "modelVersion": "demo",
            "responseId": "demo-response"}


class Emulator:
    """A fake Gemini on 127.0.0.1 (a free port unless given one)."""

    def __init__(self, port=0, tokens_per_second=30.0, first_delay=0.5):
        self.port, self.tokens_per_second, self.first_delay = port, tokens_per_second, first_delay
        self.requests = collections.deque(maxlen=16)   # the last bodies received (for tests)
        self.retired = set()   # models demo:retired retired, for the emulator's life
        self._stopping = threading.Event()
        self.httpd = None

    def pause(self, seconds):
        self._stopping.wait(seconds)

    def start(self):
        self.httpd = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.httpd.daemon_threads = True
        self.httpd.emulator = self
        self.url = "http://127.0.0.1:%d" % self.httpd.server_address[1]
        threading.Thread(target=self.httpd.serve_forever, daemon=True, name="emulator").start()
        return self

    def stop(self):
        self._stopping.set()
        self.httpd.shutdown()
        self.httpd.server_close()
