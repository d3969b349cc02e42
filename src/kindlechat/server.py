"""The web layer: KindleChat's HTTP API and the page, on Bottle and a threaded
WSGI server. It holds no parsing of Gemini's stream and no storage format: it
wires requests to service.ChatServer.

    >>> import tempfile
    >>> from kindlechat import settings
    >>> chat = ChatServer(settings.load(["--data-dir", tempfile.mkdtemp()], environ={}))
    >>> chat.health()["ok"]
    True

Sections, in dependency order as in bottle.py: errors -> request guards ->
routes -> the threaded server.
"""
import hmac
import json
import os
from urllib.parse import parse_qs

import bottle

from . import errors
from .body import read_json
from .httpd import QuietHandler, ThreadedWSGIServer, serve  # noqa: F401 -- QuietHandler, ThreadedWSGIServer: as before
from .library import LibraryError
from .service import ApiError, ChatServer  # noqa: F401 -- ChatServer: the routes' service, as before
from .store import NotFound, StorageError

MAX_BODY = 256 * 1024          # bytes of a request body
MAX_MESSAGE = 30000            # characters of one message
MAX_WAIT = 60.0                # seconds a long poll may be held
# A long text goes out in pieces of this many characters, each encoded on its own, so
# a client that reads slowly (or never) holds one piece of server memory, not a copy
# of the whole reply (docs/RELIABILITY.md: 20 such clients on a 2 M-character reply).
PIECE = 16384
HEARTBEAT = 15.0               # seconds between SSE comments, so proxies keep the line
LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1", "[::1]")
WRITE_METHODS = ("POST", "PUT", "DELETE", "PATCH")

###############################################################################
# Errors ######################################################################
###############################################################################


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
    def refuse(start_response, status, key, **values):
        code, message = errors.api(key, **values)
        body = json.dumps({"error": {"code": code, "message": message}}).encode("utf-8")
        start_response(status, [("Content-Type", "application/json"), ("Cache-Control", "no-store"),
                                ("Content-Length", str(len(body)))])
        return [body]

    def guarded(environ, start_response):
        host = host_of(environ)
        if host not in allowed_hosts:
            return refuse(start_response, "403 Forbidden", "bad_host", hosts=" or ".join(sorted(allowed_hosts)))
        extra_headers = []
        if token:
            ok, from_query = token_ok(environ, token)
            if not ok:
                return refuse(start_response, "403 Forbidden", "bad_token")
            if from_query:
                extra_headers.append(("Set-Cookie", "kc_token=%s; Path=/; HttpOnly; SameSite=Strict" % token))
        if environ.get("REQUEST_METHOD") in WRITE_METHODS:
            ctype = environ.get("CONTENT_TYPE", "").split(";")[0].strip().lower()
            if ctype != "application/json":
                return refuse(start_response, "415 Unsupported Media Type", "bad_content_type")
            # An origin is scheme, host and port: another port on localhost is another site.
            origin = environ.get("HTTP_ORIGIN")
            if origin is not None and origin.lower() not in ("http://" + environ.get("HTTP_HOST", "").lower(),
                                                             "https://" + environ.get("HTTP_HOST", "").lower()):
                return refuse(start_response, "403 Forbidden", "bad_origin")

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


def message_text(body):
    text = body.get("text") if isinstance(body, dict) else None
    if not isinstance(text, str):
        raise ApiError(400, "bad_message")
    if not text.strip():
        raise ApiError(400, "empty_message")
    if len(text) > MAX_MESSAGE:
        raise ApiError(413, "message_too_long", length=len(text), limit=MAX_MESSAGE)
    return text


def message_search(body):
    """The message's "search" flag: true, false, or None (absent: the setting)."""
    search = body.get("search")
    if search is not None and not isinstance(search, bool):
        raise ApiError(400, "bad_search")
    return search


def query_number(name, default, low, high, kind=int):
    raw = bottle.request.query.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = kind(raw)
    except ValueError:
        raise ApiError(400, "not_a_number", name=name) from None
    if not low <= value <= high:
        raise ApiError(400, "out_of_range", name=name, low=low, high=high)
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
            return json_error(404, *errors.api("not_found"))
        except StorageError as exc:   # storage full or away (503), a damaged chat (409)
            return json_error(409 if exc.code == "damaged" else 503, exc.code, str(exc))
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
        return chat.get_chat(cid)

    @app.delete("/api/chats/<cid>")
    @api
    def delete_chat(cid):
        chat.delete(cid)
        return {"ok": True}

    @app.post("/api/chats/<cid>/messages")
    @api
    def send(cid):
        body = read_json()
        text = message_text(body)
        return 202, {"index": chat.send(cid, text, message_search(body))}

    @app.get("/api/models")
    @api
    def list_models():
        return chat.list_models(refresh=bottle.request.query.get("refresh") in ("1", "true"))

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
        return json_answer(*chat.poll(cid, index, offset, wait, tfrom))

    @app.post("/api/chats/<cid>/messages/<index:int>/stop")
    @api
    def stop(cid, index):
        read_json()
        return {"stopped": chat.stop(cid, index)}

    @app.get("/api/chats/<cid>/messages/<index:int>/events")
    @api
    def events(cid, index):
        last = bottle.request.headers.get("Last-Event-ID") or bottle.request.query.get("from") or "0"
        if not last.isdigit():
            raise ApiError(400, "bad_event_id")
        chat.poll(cid, index, int(last), 0)   # a bad offset is a 400 now, not a stream cut off later
        return bottle.HTTPResponse(event_stream(chat, cid, index, int(last)), 200, {
            "Content-Type": "text/event-stream; charset=utf-8", "Cache-Control": "no-store"})

    add_library_routes(app, chat)

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


def add_library_routes(app, chat):
    """The Kindle's own library (library.py): highlights, words, books, chats from
    them, and a chat saved as a book."""
    library = chat.library

    def guarded(call):
        try:
            return call()
        except LibraryError as exc:
            raise ApiError(exc.status, exc.error) from None

    @app.get("/api/highlights")
    @api
    def highlights():
        q = bottle.request.query
        return library.highlights(q.getunicode("q") or "", q.getunicode("book") or "",
                                  query_number("offset", 0, 0, 10 ** 9), query_number("limit", 50, 1, 500))

    @app.get("/api/words")
    @api
    def words():
        return library.words(query_number("limit", 50, 1, 500))

    @app.get("/api/books")
    @api
    def books():
        return library.books(query_number("limit", 20, 1, 200))

    @app.post("/api/library/chats")
    @api
    def library_chat():
        text = guarded(lambda: library.question(read_json()))
        cid = chat.store.create()
        return 202, {"id": cid, "index": chat.send(cid, text)}

    @app.post("/api/chats/<cid>/save")
    @api
    def save(cid):
        read_json()
        return {"path": guarded(lambda: library.save(chat.get_chat(cid)))}


def json_answer(answer, pieces):
    """A poll's answer: short ones as one JSON body; long ones as a generator of
    bounded pieces (see PIECE), the same JSON byte for byte."""
    first = next(pieces, "")
    second = next(pieces, None)
    if second is None:
        return dict(answer, text=first)
    head = json.dumps(dict(answer, text=""), ensure_ascii=False)
    cut = head.rindex('"text": ""') + len('"text": "')   # the last key: see dict() above

    def body():
        yield head[:cut]
        for piece in (first, second):
            yield json.dumps(piece, ensure_ascii=False)[1:-1]
        for piece in pieces:
            yield json.dumps(piece, ensure_ascii=False)[1:-1]
        yield head[cut:]
    return bottle.HTTPResponse(body(), 200, {"Content-Type": "application/json", "Cache-Control": "no-store"})


def event_stream(chat, cid, index, offset):
    """The reply as text/event-stream: `id:` is the offset after the event, so a
    client resumes with Last-Event-ID. Headers are set before the first yield.
    A long text goes in events of at most PIECE characters each (status
    "streaming" on all but the last), so a slow reader holds one event's memory."""
    yield ": kindlechat\n\n"
    while True:
        answer, pieces = chat.poll(cid, index, offset, HEARTBEAT)
        end, sent = answer["next"], False
        for piece in pieces:
            offset += len(piece)
            event = dict(answer, text=piece, next=offset)
            if offset < end:
                event["status"] = "streaming"
            yield "id: %d\ndata: %s\n\n" % (offset, json.dumps(event, ensure_ascii=False))
            sent = True
        if answer["status"] != "streaming":
            yield "event: end\nid: %d\ndata: %s\n\n" % (offset, json.dumps(dict(answer, text=""), ensure_ascii=False))
            return
        if not sent:
            yield ": ok\n\n"


###############################################################################
# The threaded server #########################################################
###############################################################################


def allowed_hosts(settings):
    hosts = set(LOOPBACK_NAMES)
    if settings["host"] not in ("0.0.0.0", "::", ""):
        hosts.add(settings["host"].lower())
    return hosts


def make_server(chat, limits=None):
    """The HTTP server (httpd.py), bound and ready; serve_forever() runs it."""
    settings = chat.settings
    app = guard(make_app(chat), allowed_hosts(settings), settings["token"])
    return serve(app, settings["host"], settings["port"], limits)
