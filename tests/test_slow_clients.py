"""A client that sends half a request and goes quiet gets a 408 and frees its thread
(wsgiref sets no socket timeout of its own). In-process, with a short timeout."""
import threading
import time

from testkit.faultkit import exchange
from kindlechat import server, settings


def test_half_sent_body_times_out_with_408(tmp_path, monkeypatch):
    monkeypatch.setattr(server.QuietHandler, "timeout", 1)
    chat = server.ChatServer(settings.load(["--data-dir", str(tmp_path), "--port", "0"], environ={}))
    httpd = server.make_server(chat)
    threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    try:
        started = time.monotonic()
        status, _, body = exchange(httpd.server_address[1], b"POST /api/chats HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                   b"Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{")
        assert status == 408 and b'"timeout"' in body
        assert time.monotonic() - started < 5
        assert chat.store.list() == []
    finally:
        httpd.shutdown()
        httpd.server_close()
