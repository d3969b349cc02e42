"""The web layer: KindleChat's HTTP API and the page, on Bottle and a threaded
WSGI server. It holds no parsing of Gemini's stream and no storage format: it
wires requests to store.Store, replies.Replies and gemini.ReplyStream.

    >>> import tempfile
    >>> from kindlechat import settings
    >>> chat = ChatServer(settings.load(["--data-dir", tempfile.mkdtemp()], environ={}))
    >>> chat.health()["ok"]
    True

Sections, in dependency order as in bottle.py: errors -> request guards ->
the chat service -> routes -> the threaded server.
"""
import hmac
import json
import os
import socket
import sys
import threading
import time
from socketserver import ThreadingMixIn
from urllib.parse import parse_qs
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer

import bottle

from . import __version__, gemini
from . import settings as settings_mod
from .replies import Replies
from .store import NotFound, Store, StorageError

MAX_BODY = 256 * 1024          # bytes of a request body
MAX_MESSAGE = 30000            # characters of one message
MAX_WAIT = 60.0                # seconds a long poll may be held
HEARTBEAT = 15.0               # seconds between SSE comments, so proxies keep the line
LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1", "[::1]")
WRITE_METHODS = ("POST", "PUT", "DELETE", "PATCH")

###############################################################################
# Errors ######################################################################
###############################################################################


class ApiError(Exception):
    """An answer of 4xx/5xx with {"error": {"code", "message"}}."""

    def __init__(self, status, code, message):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def json_error(status, code, message):
    body = json.dumps({"error": {"code": code, "message": message}})
    return bottle.HTTPResponse(body, status, {"Content-Type": "application/json",
                                              "Cache-Control": "no-store"})


###############################################################################
# Request guards (WSGI middleware) ############################################
###############################################################################


def host_of(environ):
    host = environ.get("HTTP_HOST", "")
    if host.startswith("["):
        return host[:host.find("]") + 1].lower()
    name, colon, port = host.partition(":")
    return name.lower() if colon and port.isdigit() else host.lower()


def guard(app, allowed_hosts, token):
    """Refuse what a web page elsewhere could send to this server:
    a foreign Host (DNS rebinding), a write without a JSON content type or from
    another Origin (CSRF: forms and text/plain posts need no preflight), and, in
    Wi-Fi mode, any request without the access token."""
    def refuse(start_response, status, code, message):
        body = json.dumps({"error": {"code": code, "message": message}}).encode("utf-8")
        start_response(status, [("Content-Type", "application/json"), ("Cache-Control", "no-store"),
                                ("Content-Length", str(len(body)))])
        return [body]

    def guarded(environ, start_response):
        host = host_of(environ)
        if host not in allowed_hosts:
            return refuse(start_response, "403 Forbidden", "bad_host",
                          "This server answers only to %s." % " or ".join(sorted(allowed_hosts)))
        extra_headers = []
        if token:
            ok, from_query = token_ok(environ, token)
            if not ok:
                return refuse(start_response, "403 Forbidden", "bad_token",
                              "This KindleChat needs its access token: open it from the KUAL menu.")
            if from_query:
                extra_headers.append(("Set-Cookie", "kc_token=%s; Path=/; HttpOnly; SameSite=Strict" % token))
        if environ.get("REQUEST_METHOD") in WRITE_METHODS:
            ctype = environ.get("CONTENT_TYPE", "").split(";")[0].strip().lower()
            if ctype != "application/json":
                return refuse(start_response, "415 Unsupported Media Type", "bad_content_type",
                              "Send the request body as JSON (Content-Type: application/json).")
            # An origin is scheme, host and port: another port on localhost is another site.
            origin = environ.get("HTTP_ORIGIN")
            if origin is not None and origin.lower() not in ("http://" + environ.get("HTTP_HOST", "").lower(),
                                                             "https://" + environ.get("HTTP_HOST", "").lower()):
                return refuse(start_response, "403 Forbidden", "bad_origin",
                              "Requests from other web sites are refused.")

        def start(status, headers, exc_info=None):
            return start_response(status, headers + extra_headers, exc_info)
        return app(environ, start)
    return guarded


def token_ok(environ, token):
    """(valid, came in the query): the token from ?token= or the kc_token cookie."""
    given = parse_qs(environ.get("QUERY_STRING", "")).get("token")
    if given is not None:
        return hmac.compare_digest(given[0].encode(), token.encode()), True
    cookies = environ.get("HTTP_COOKIE", "")
    for part in cookies.split(";"):
        name, _, value = part.strip().partition("=")
        if name == "kc_token":
            return hmac.compare_digest(value.encode(), token.encode()), False
    return False, False


###############################################################################
# The chat service ############################################################
###############################################################################


class ChatServer:
    """What the routes call: settings, chats on disk, replies streaming, and the
    Gemini client. Holds no HTTP."""

    def __init__(self, settings, emulator=None):
        self.settings = settings
        self.store = Store(settings["data_dir"])
        self.replies = Replies(self.store)
        self.emulator = emulator
        self._session = None
        self._send_lock = threading.Lock()   # one new reply per chat, checked and started at once

    @property
    def demo(self):
        return bool(self.settings["demo"] or not self.settings["api_key"])

    def health(self):
        return {"ok": True, "version": __version__, "demo": self.demo}

    # -- settings -----------------------------------------------------------
    def public_settings(self):
        return dict(settings_mod.public(self.settings), demo=self.demo)

    def update_settings(self, changes):
        if not isinstance(changes, dict):
            raise ApiError(400, "bad_request", "Send the settings as a JSON object.")
        clean = {}
        for name, value in changes.items():
            if name not in settings_mod.EDITABLE:
                raise ApiError(400, "bad_setting", "%s cannot be changed here." % name)
            try:
                clean[name] = settings_mod.coerce(name, value)
            except settings_mod.SettingsError as exc:
                raise ApiError(400, "bad_setting", str(exc)) from None
        try:
            settings_mod.save(self.settings["data_dir"], clean)
        except OSError as exc:
            raise ApiError(503, "storage", "Can't save the settings (%s). If the Kindle is "
                           "connected by USB, eject it and try again." % exc.strerror) from None
        self.settings.update(clean)
        if clean.get("api_key"):
            self.settings["demo"] = False
        return self.public_settings()

    # -- replies ------------------------------------------------------------
    def _stream_for(self, history):
        if self._session is None:
            self._session = gemini.new_session()
        s = self.settings
        if self.demo:
            if self.emulator is None:
                raise ApiError(503, "no_key", "No API key is set: add one in Settings.")
            base, key = self.emulator.url, "demo"
        else:
            base, key = s["gemini_url"], s["api_key"]
        url = gemini.stream_url(base, s["model"])
        body = gemini.build_body(history, s)
        timeouts = {"connect": s["connect_timeout"], "read": s["read_timeout"]}
        return gemini.ReplyStream(self._session, url, key, body, timeouts)

    def send(self, chat_id, text):
        """Store the user's message and start the reply; returns the reply's index."""
        with self._send_lock:
            if self.replies.streaming_in(chat_id):
                raise ApiError(409, "busy", "A reply is still streaming in this chat: wait or stop it.")
            messages = self.store.get(chat_id)["messages"]
            self.store.add_message(chat_id, "user", text, "done")
            return self._start(chat_id, messages + [{"role": "user", "text": text}])

    def retry(self, chat_id):
        """Generate the last reply again (it ended in an error, or was stopped)."""
        with self._send_lock:
            if self.replies.streaming_in(chat_id):
                raise ApiError(409, "busy", "A reply is still streaming in this chat: wait or stop it.")
            messages = self.store.get(chat_id)["messages"]
            if not messages or messages[-1]["role"] != "model":
                raise ApiError(409, "nothing_to_retry", "There is no reply to retry in this chat.")
            self.store.cut(chat_id, len(messages) - 1)
            self.replies.forget(chat_id)
            return self._start(chat_id, messages[:-1])

    def delete(self, chat_id):
        """Stop the chat's streaming reply, if any, then delete the chat."""
        with self._send_lock:
            self.store.get(chat_id)        # an unknown chat is a 404 before anything stops
            self.replies.stop_chat(chat_id)
            self.store.delete(chat_id)
            self.replies.forget(chat_id)

    def _start(self, chat_id, history):
        pairs = [(m["role"], m["text"]) for m in history if m.get("text")]
        stream = self._stream_for(pairs)
        index = self.store.add_message(chat_id, "model", "", "streaming")
        self.replies.start(chat_id, index, stream)
        return index

    def message(self, chat_id, index):
        messages = self.store.get(chat_id)["messages"]
        if not 0 <= index < len(messages):
            raise NotFound(index)
        return messages[index]

    def poll(self, chat_id, index, offset, wait, tfrom=None):
        """New text of a reply after offset: waits up to `wait` seconds for some,
        and answers at most once per throttle interval, except the reply's first text."""
        reply = self.replies.get(chat_id, index)
        if reply is None:
            return stored_answer(self.message(chat_id, index), offset, tfrom)
        if offset > reply.text.length:
            raise bad_offset(offset, reply.text.length)
        arrived = time.monotonic()

        def more():
            return reply.text.length > offset or (tfrom is not None and reply.thoughts.length > tfrom)
        first = offset == 0 and not tfrom   # the reply's first words (or thoughts) go out at once
        if reply.wait(more, wait) and not first:
            # e-ink: hold the answer until a throttle interval has passed since the poll came.
            # Only the reply's end cuts the hold short: waiting on reply.changed would wake
            # this thread for every token that arrives meanwhile.
            hold = arrived + self.settings["throttle_ms"] / 1000.0 - time.monotonic()
            if hold > 0:
                reply.finished.wait(min(hold, wait))
        return live_answer(reply, offset, tfrom)


def bad_offset(offset, length):
    return ApiError(400, "bad_offset", "from=%d is beyond the reply's %d characters: reload the chat."
                    % (offset, length))


def poll_answer(text, next_offset, state, thoughts=None, thoughts_next=0):
    out = {"text": text, "next": next_offset, "status": state["status"]}
    for key in ("error", "finish", "usage"):
        if state.get(key) is not None:
            out[key] = state[key]
    if thoughts is not None:
        out["thoughts"], out["thoughts_next"] = thoughts, thoughts_next
    return out


def stored_answer(message, offset, tfrom):
    text, thoughts = message.get("text", ""), message.get("thoughts", "")
    if offset > len(text):
        raise bad_offset(offset, len(text))
    return poll_answer(text[offset:], len(text), message,
                       None if tfrom is None else thoughts[tfrom:], len(thoughts))


def live_answer(reply, offset, tfrom):
    with reply.changed:
        return poll_answer(reply.text.since(offset), reply.text.length, reply.state(),
                           None if tfrom is None else reply.thoughts.since(tfrom), reply.thoughts.length)


###############################################################################
# Routes ######################################################################
###############################################################################


def find_www():
    """The page's folder: beside src/ in a checkout, beside the package in the zip."""
    here = os.path.dirname(os.path.abspath(__file__))
    for candidate in (os.environ.get("KINDLECHAT_WWW", ""), os.path.join(here, "www"),
                      os.path.join(here, "..", "www"), os.path.join(here, "..", "..", "www")):
        if candidate and os.path.isfile(os.path.join(candidate, "index.html")):
            return os.path.abspath(candidate)
    return None


def read_json():
    """The request body as JSON: bounded, strictly UTF-8, or a clear 4xx."""
    declared = bottle.request.environ.get("CONTENT_LENGTH") or ""
    if declared and not declared.isdigit():
        raise ApiError(400, "bad_request", "The request's Content-Length is not a number.")
    length = bottle.request.content_length
    if length > MAX_BODY:
        raise ApiError(413, "too_large", "The request is too large (at most %d KB)." % (MAX_BODY // 1024))
    try:
        raw = bottle.request.body.read(MAX_BODY + 1) if length else b""
    except OSError:   # the client went quiet mid-body (QuietHandler.timeout) or away
        raise ApiError(408, "timeout", "The request's body did not arrive in time.") from None
    if len(raw) > MAX_BODY:
        raise ApiError(413, "too_large", "The request is too large (at most %d KB)." % (MAX_BODY // 1024))
    try:
        doc = json.loads(raw.decode("utf-8")) if raw.strip() else {}
        json.dumps(doc, ensure_ascii=False).encode("utf-8")   # a \ud800 escape is valid JSON, not text
        return doc
    except UnicodeError:
        raise ApiError(400, "bad_encoding", "The request body is not UTF-8.") from None
    except ValueError:
        raise ApiError(400, "bad_json", "The request body is not valid JSON.") from None


def message_text(body):
    text = body.get("text") if isinstance(body, dict) else None
    if not isinstance(text, str):
        raise ApiError(400, "bad_message", 'Send {"text": "..."}: the message as a string.')
    if not text.strip():
        raise ApiError(400, "empty_message", "The message is empty.")
    if len(text) > MAX_MESSAGE:
        raise ApiError(413, "message_too_long", "The message is too long (%d characters; at most %d)."
                       % (len(text), MAX_MESSAGE))
    return text


def query_number(name, default, low, high, kind=int):
    raw = bottle.request.query.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = kind(raw)
    except ValueError:
        raise ApiError(400, "bad_query", "%s must be a number." % name) from None
    if not low <= value <= high:
        raise ApiError(400, "bad_query", "%s must be between %s and %s." % (name, low, high))
    return value


def api(fn):
    """Route wrapper: JSON out, errors as {"error": ...}, no caching (old WebKit
    caches XMLHttpRequest GETs, and a cached long-poll answer would freeze the page)."""
    def wrapper(*args, **kwargs):
        try:
            result = fn(*args, **kwargs)
        except ApiError as exc:
            return json_error(exc.status, exc.code, exc.message)
        except NotFound:
            return json_error(404, "not_found", "No such chat or message.")
        except StorageError as exc:
            return json_error(503, "storage", str(exc))
        if isinstance(result, bottle.HTTPResponse):
            return result
        status = 200
        if isinstance(result, tuple):
            status, result = result
        return bottle.HTTPResponse(json.dumps(result, ensure_ascii=False), status,
                                   {"Content-Type": "application/json", "Cache-Control": "no-store"})
    wrapper.__name__ = fn.__name__
    return wrapper


def make_app(chat):
    """The Bottle app: the API under /api, the page at /."""
    app = bottle.Bottle(catchall=True)
    www = find_www()

    @app.get("/api/health")
    @api
    def health():
        return chat.health()

    @app.get("/api/settings")
    @api
    def get_settings():
        return chat.public_settings()

    @app.put("/api/settings")
    @api
    def put_settings():
        return chat.update_settings(read_json())

    @app.get("/api/chats")
    @api
    def list_chats():
        return {"chats": chat.store.list()}

    @app.post("/api/chats")
    @api
    def new_chat():
        read_json()
        return 201, {"id": chat.store.create()}

    @app.get("/api/chats/<cid>")
    @api
    def get_chat(cid):
        return chat.store.get(cid)

    @app.delete("/api/chats/<cid>")
    @api
    def delete_chat(cid):
        chat.delete(cid)
        return {"ok": True}

    @app.post("/api/chats/<cid>/messages")
    @api
    def send(cid):
        text = message_text(read_json())
        return 202, {"index": chat.send(cid, text)}

    @app.post("/api/chats/<cid>/retry")
    @api
    def retry(cid):
        read_json()
        return 202, {"index": chat.retry(cid)}

    @app.get("/api/chats/<cid>/messages/<index:int>")
    @api
    def poll(cid, index):
        offset = query_number("from", 0, 0, 10 ** 12)
        wait = query_number("wait", 0.0, 0.0, MAX_WAIT, float)
        tfrom = query_number("tfrom", None, 0, 10 ** 12)
        return chat.poll(cid, index, offset, wait, tfrom)

    @app.post("/api/chats/<cid>/messages/<index:int>/stop")
    @api
    def stop(cid, index):
        read_json()
        chat.message(cid, index)
        return {"stopped": chat.replies.stop(cid, index)}

    @app.get("/api/chats/<cid>/messages/<index:int>/events")
    @api
    def events(cid, index):
        last = bottle.request.headers.get("Last-Event-ID") or bottle.request.query.get("from") or "0"
        if not last.isdigit():
            raise ApiError(400, "bad_query", "Last-Event-ID must be an offset.")
        chat.poll(cid, index, int(last), 0)   # a bad offset is a 400 now, not a stream cut off later
        return bottle.HTTPResponse(event_stream(chat, cid, index, int(last)), 200, {
            "Content-Type": "text/event-stream; charset=utf-8", "Cache-Control": "no-store"})

    @app.get("/")
    @app.get("/<name:path>")
    def page(name="index.html"):
        if www is None:
            return bottle.HTTPResponse("KindleChat's page (www/) is missing from this install.", 500)
        response = bottle.static_file(name, root=www)
        response.set_header("Cache-Control", "no-cache")
        response.set_header("X-Content-Type-Options", "nosniff")
        response.set_header("Content-Security-Policy", "default-src 'self'; style-src 'self' 'unsafe-inline'; "
                            "img-src 'self' data:; frame-ancestors 'none'")
        return response

    def error_page(res):
        bottle.response.content_type = "application/json"
        bottle.response.set_header("Cache-Control", "no-store")
        message = {403: "This file may not be read.", 404: "Not found.",
                   405: "This method is not allowed here."}.get(
            res.status_code, "The server could not handle this request.")
        code = {403: "forbidden", 404: "not_found", 405: "bad_method"}.get(res.status_code, "server_error")
        return json.dumps({"error": {"code": code, "message": message}})
    app.default_error_handler = error_page
    return app


def event_stream(chat, cid, index, offset):
    """The reply as text/event-stream: `id:` is the offset after the event, so a
    client resumes with Last-Event-ID. Headers are set before the first yield."""
    yield ": kindlechat\n\n"
    while True:
        answer = chat.poll(cid, index, offset, HEARTBEAT)
        if answer["text"]:
            offset = answer["next"]
            yield "id: %d\ndata: %s\n\n" % (offset, json.dumps(answer, ensure_ascii=False))
        if answer["status"] != "streaming":
            yield "event: end\nid: %d\ndata: %s\n\n" % (offset, json.dumps(answer, ensure_ascii=False))
            return
        if not answer["text"]:
            yield ": ok\n\n"


###############################################################################
# The threaded server #########################################################
###############################################################################


class ThreadedWSGIServer(ThreadingMixIn, WSGIServer):
    """wsgiref serves one request at a time: one long poll would freeze the page."""
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 64


class QuietHandler(WSGIRequestHandler):
    """Logs method, path and status, never the query (it may hold the access token).
    The parser's own errors (a request line or header too long) are JSON like the API's."""
    error_content_type = "application/json"
    # A client that sends half a request and goes quiet must not hold a thread for
    # ever; long polls (<= 60 s) and SSE heartbeats (15 s) stay well inside this.
    timeout = 120
    error_message_format = ('{"error": {"code": "bad_http", "message": '
                            '"The request could not be read (HTTP %(code)d)."}}')
    # wsgiref writes an answer in several small pieces (status, headers, body): with
    # Nagle's algorithm on, a later piece waited for the client's delayed ACK, which
    # held an answer back by tens of ms now and then (bench/latency.py). Buffered,
    # headers and body leave in one send; wsgiref flushes after each body write, so
    # every SSE event still goes out at once.
    wbufsize = 65536

    def setup(self):
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_request(self, code="-", size="-"):
        if str(code)[:1] in ("4", "5"):
            path = getattr(self, "path", "-").split("?", 1)[0]   # unset if the request line was too long
            sys.stderr.write("%s %s %s\n" % (self.command, path[:200], code))

    def log_message(self, format, *args):
        pass


def allowed_hosts(settings):
    hosts = set(LOOPBACK_NAMES)
    if settings["host"] not in ("0.0.0.0", "::", ""):
        hosts.add(settings["host"].lower())
    return hosts


def make_server(chat):
    """The WSGI server, bound and ready; serve_forever() runs it."""
    settings = chat.settings
    server_class = ThreadedWSGIServer
    if ":" in settings["host"]:
        server_class = type("ThreadedWSGIServer6", (ThreadedWSGIServer,), {"address_family": socket.AF_INET6})
    app = guard(make_app(chat), allowed_hosts(settings), settings["token"])
    httpd = server_class((settings["host"], settings["port"]), QuietHandler)
    httpd.set_app(app)
    return httpd
