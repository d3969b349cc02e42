"""A client that sends half a body and goes quiet gets a 408 and frees its worker
once the body's deadline (httpd.Limits.body_timeout) has passed. In-process, with a
1 s deadline."""
import threading
import time

from testkit.faultkit import exchange, wait_until
from kindlechat.web import httpd, routes as server
from kindlechat import settings


def test_half_sent_body_times_out_with_408(tmp_path):
    chat = server.ChatServer(settings.load(["--data-dir", str(tmp_path), "--port", "0"], environ={}))
    httpd_server = server.make_server(chat, httpd.DEFAULTS._replace(body_timeout=1.0))
    threading.Thread(target=httpd_server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    try:
        started = time.monotonic()
        status, _, body = exchange(httpd_server.server_address[1], b"POST /api/chats HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                   b"Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{")
        assert status == 408 and b'"timeout"' in body
        assert time.monotonic() - started < 10
        assert chat.store.list() == []
        assert wait_until(lambda: httpd_server.workers._value == httpd.DEFAULTS.max_workers, 10)
    finally:
        httpd_server.shutdown()
        httpd_server.server_close()
