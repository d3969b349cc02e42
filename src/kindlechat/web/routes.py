"""The web layer: KindleChat's HTTP API and the page, on Bottle and a threaded
WSGI server. It holds no parsing of Gemini's stream and no storage format: it
wires requests to service.ChatServer.

    >>> import tempfile
    >>> from kindlechat import settings
    >>> chat = ChatServer(settings.load(["--data-dir", tempfile.mkdtemp()], environ={}))
    >>> chat.health()["ok"]
    True

Sections, in dependency order as in bottle.py: errors -> routes -> the server.
The request guards are in guards.py, the shape of a poll's answer in answers.py.
"""
import json
import os

import bottle

from .answers import event_stream, json_answer
from .body import read_json
from .guards import allowed_hosts, guard
from .httpd import QuietHandler, ThreadedWSGIServer, serve  # noqa: F401 -- QuietHandler, ThreadedWSGIServer: as before
from ..errors import Refused
from .link import Phone
from .refusals import answer_for
from ..service import ChatServer  # noqa: F401 -- ChatServer: the routes' service, as before

MAX_MESSAGE = 30000            # characters of one message
MAX_WAIT = 60.0                # seconds a long poll may be held

###############################################################################
# Errors ######################################################################
###############################################################################


def json_error(status, code, message):
    body = json.dumps({"error": {"code": code, "message": message}})
    return bottle.HTTPResponse(body, status, {"Content-Type": "application/json",
                                              "Cache-Control": "no-store"})


###############################################################################
# Routes ######################################################################
###############################################################################


def find_www():
    """The page's folder: beside src/ in a checkout, beside the package in the zip."""
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))   # the package, above web/
    for candidate in (os.environ.get("KINDLECHAT_WWW", ""), os.path.join(here, "www"),
                      os.path.join(here, "..", "www"), os.path.join(here, "..", "..", "www")):
        if candidate and os.path.isfile(os.path.join(candidate, "index.html")):
            return os.path.abspath(candidate)
    return None


def message_text(body):
    text = body.get("text") if isinstance(body, dict) else None
    if not isinstance(text, str):
        raise Refused("bad_input", "bad_message")
    if not text.strip():
        raise Refused("bad_input", "empty_message")
    if len(text) > MAX_MESSAGE:
        raise Refused("too_large", "message_too_long", length=len(text), limit=MAX_MESSAGE)
    return text


def message_search(body):
    """The message's "search" flag: true, false, or None (absent: the setting)."""
    search = body.get("search")
    if search is not None and not isinstance(search, bool):
        raise Refused("bad_input", "bad_search")
    return search


def query_number(name, default, low, high, kind=int):
    raw = bottle.request.query.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = kind(raw)
    except ValueError:
        raise Refused("bad_input", "not_a_number", name=name) from None
    if not low <= value <= high:
        raise Refused("bad_input", "out_of_range", name=name, low=low, high=high)
    return value


def api(fn):
    """Route wrapper: JSON out, errors as {"error": ...}, no caching (old WebKit
    caches XMLHttpRequest GETs, and a cached long-poll answer would freeze the page)."""
    def wrapper(*args, **kwargs):
        try:
            result = fn(*args, **kwargs)
        except Exception as exc:
            answer = answer_for(exc)
            if answer is None:
                raise
            return json_error(*answer)
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
        return {"chats": chat.list_chats()}

    @app.post("/api/chats")
    @api
    def new_chat():
        read_json()
        return 201, {"id": chat.new_chat()}

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
            raise Refused("bad_input", "bad_event_id")
        chat.poll(cid, index, int(last), 0)   # a bad offset is a 400 now, not a stream cut off later
        return bottle.HTTPResponse(event_stream(chat, cid, index, int(last)), 200, {
            "Content-Type": "text/event-stream; charset=utf-8", "Cache-Control": "no-store"})

    add_library_routes(app, chat)
    add_words_routes(app, chat)
    add_phone_routes(app, chat)

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
    """The Kindle's own library (library/kindle.py, through the service): highlights, words, books, chats from
    them, and a chat saved as a book."""
    @app.get("/api/highlights")
    @api
    def highlights():
        q = bottle.request.query
        return chat.highlights(q.getunicode("q") or "", q.getunicode("book") or "",
                                  query_number("offset", 0, 0, 10 ** 9), query_number("limit", 50, 1, 500))

    @app.get("/api/words")
    @api
    def words():
        return chat.words(query_number("limit", 50, 1, 500))

    @app.get("/api/books")
    @api
    def books():
        return chat.books(query_number("limit", 20, 1, 200))

    @app.post("/api/library/chats")
    @api
    def library_chat():
        cid, index = chat.library_chat(read_json())
        return 202, {"id": cid, "index": index}

    @app.post("/api/chats/<cid>/save")
    @api
    def save(cid):
        read_json()
        return {"path": chat.save_chat(cid)}


def add_words_routes(app, chat):
    """Reviews of the looked-up words, their cards and the exports (words/)."""
    kinds = {"apkg": "application/octet-stream", "csv": "text/csv; charset=utf-8"}

    def download(kind):
        return bottle.HTTPResponse(chat.export_words(kind), 200, {
            "Content-Type": kinds[kind], "Cache-Control": "no-store",
            "Content-Disposition": 'attachment; filename="kindlechat-words.%s"' % kind})

    def save(kind):
        read_json()
        return {"path": chat.save_words(kind)}

    @app.get("/api/reviews")
    @api
    def reviews():
        return chat.reviews(bottle.request.query.getunicode("language"))

    @app.post("/api/reviews/<wid>")
    @api
    def rate(wid):
        return chat.rate_word(wid, read_json())

    @app.post("/api/words/cards")
    @api
    def write_cards():
        return 202, chat.write_cards(read_json())

    @app.get("/api/words/cards")
    @api
    def cards():
        return chat.cards()

    for kind in kinds:
        app.get("/api/words/export." + kind, callback=api(lambda kind=kind: download(kind)))
        app.post("/api/words/export." + kind, callback=api(lambda kind=kind: save(kind)))


def add_phone_routes(app, chat):
    """The phone as a keyboard (link.py): the link a phone opens, its QR code, and the
    watch the Kindle's page long-polls for messages the phone sent."""
    phone = Phone(chat.settings, typing=chat.phone_typing)

    @app.hook("before_request")
    def phone_seen():
        phone.seen_request(bottle.request.path, bottle.request.get_cookie("kc_phone"))

    @app.hook("after_request")
    def phone_posted():
        phone.posted_in(bottle.request.method, bottle.request.path, bottle.response.status_code)

    @app.get("/api/link")
    @api
    def link():
        return phone.link(bottle.request.query.get("chat"))

    @app.get("/api/link.png")
    @api
    def link_png():
        size = query_number("size", 360, 60, 2000)
        png = phone.png(bottle.request.query.get("chat"), size)
        return bottle.HTTPResponse(png, 200, {"Content-Type": "image/png", "Cache-Control": "no-store"})

    @app.get("/api/link/watch")
    @api
    def link_watch():
        return phone.watch(query_number("after", -1, -1, 10 ** 12), query_number("wait", 0.0, 0.0, MAX_WAIT, float))


###############################################################################
# The server ##################################################################
###############################################################################


def make_server(chat, limits=None):
    """The HTTP server (httpd.py), bound and ready; serve_forever() runs it."""
    settings = chat.settings
    app = guard(make_app(chat), allowed_hosts(settings), settings["token"])
    return serve(app, settings["host"], settings["port"], limits)
