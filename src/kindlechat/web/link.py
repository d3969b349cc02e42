"""The phone as a keyboard: the URL (token included) that opens this KindleChat on a
phone on the same Wi-Fi, that URL as a QR code drawn here (the token never leaves the
Kindle for a QR service), and the watch the Kindle's page long-polls to see a message
sent from the phone. Holds no HTTP: routes.py call it.

    >>> phone = Phone({"host": "192.168.1.23", "port": 8642, "token": "ab12"})
    >>> phone.url("0f3a")
    'http://192.168.1.23:8642/?token=ab12&chat=0f3a&phone=1'
    >>> Phone({"host": "127.0.0.1", "port": 8642, "token": ""}).url("new") is None
    True
    >>> phone.posted_in("POST", "/api/chats/0f3a/messages", 202), phone.watch(-1, 0)["chat"]
    ('0f3a', '0f3a')

The phone's page carries the cookie kc_phone=1 (www/phone.js sets it when the page was
opened from the link), so the server can tell the page whether a phone is in use.
"""
import io
import re
import threading
import time

from .. import errors
from ..errors import Refused
from .guards import LOOPBACK_NAMES

PHONE_IDLE = 600.0      # seconds after the phone's last request that it counts as in use
WILDCARDS = ("0.0.0.0", "::", "")
CHAT_PARAM = re.compile(r"^(new|[0-9a-f]{1,64})$")
# The requests that put a new message into a chat (a reply for the page to follow).
POSTED = re.compile(r"^/api/chats/([0-9a-f]{1,64})/(messages|retry)$")
QR_BORDER = 4           # modules of white around the code (the QR spec's quiet zone)


class Phone:
    """The link, its QR code, and what the Kindle's page waits on."""

    def __init__(self, settings, clock=time.monotonic, typing=None):
        """typing: called at each of the phone's requests (the service keeps the
        Kindle's screensaver away while the phone types: screensaver.py)."""
        self.settings = settings
        self.clock = clock
        self.typing = typing
        self._changed = threading.Condition()
        self.seq = 0            # messages posted since the server started
        self.chat = None        # the chat of the last one
        self.seen = None        # when the phone last asked for something

    def url(self, chat):
        """The URL a phone opens, or None in loopback mode (no phone can reach it)."""
        host = self.settings["host"]
        if host.lower() in LOOPBACK_NAMES or host in WILDCARDS:
            return None
        if ":" in host and not host.startswith("["):
            host = "[%s]" % host
        token = self.settings.get("token") or ""
        query = ("token=%s&" % token if token else "") + "chat=%s&phone=1" % chat
        return "http://%s:%d/?%s" % (host, self.settings["port"], query)

    def link(self, chat):
        """{"url"} for GET /api/link; errors.Refused for a bad chat or in loopback mode."""
        chat = chat or "new"
        if not CHAT_PARAM.match(chat):
            raise Refused("bad_input", errors.bad_link_chat())
        url = self.url(chat)
        if url is None:
            raise Refused("conflict", errors.no_link())
        return {"url": url}

    def png(self, chat, size):
        """The link as a QR code, PNG bytes (the old Kindle WebKit shows PNG; no SVG),
        about size pixels wide, whole pixels a module so no edge is blurred."""
        url = self.link(chat)["url"]
        try:
            import segno     # vendored; imported here, not at start (a Kindle core is slow)
        except ImportError:
            raise Refused("unavailable", errors.no_qr()) from None
        code = segno.make(url, error="m", micro=False)
        modules = code.symbol_size(scale=1, border=QR_BORDER)[0]
        out = io.BytesIO()
        code.save(out, kind="png", scale=max(2, size // modules), border=QR_BORDER)
        return out.getvalue()

    # -- what the page waits on ----------------------------------------------

    def seen_request(self, path, phone_cookie):
        """Before every request: the phone's (not its watch) mark the phone in use."""
        if phone_cookie == "1" and path != "/api/link/watch":
            self.seen = self.clock()
            if self.typing is not None:
                self.typing()

    def posted_in(self, method, path, status):
        """After every request: a message posted (or retried) wakes the watchers.
        Returns the chat's id, or None."""
        match = POSTED.match(path) if method == "POST" and status == 202 else None
        if match is None:
            return None
        with self._changed:
            self.seq += 1
            self.chat = match.group(1)
            self._changed.notify_all()
        return self.chat

    def phone_in_use(self):
        return self.seen is not None and self.clock() - self.seen < PHONE_IDLE

    def watch(self, after, wait):
        """{"seq", "chat", "phone"} once seq differs from after (a server restarted
        counts from 0 again), or after wait seconds."""
        with self._changed:
            self._changed.wait_for(lambda: self.seq != after, wait)
            return {"seq": self.seq, "chat": self.chat, "phone": self.phone_in_use()}
