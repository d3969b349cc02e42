"""A client that sends half a request and goes quiet gets a 408 and frees its thread
(wsgiref sets no socket timeout of its own). In-process, with a short timeout."""
import socket
import threading
import time

from kindlechat import server, settings


def test_half_sent_body_times_out_with_408(tmp_path, monkeypatch):
    monkeypatch.setattr(server.QuietHandler, "timeout", 1)
    chat = server.ChatServer(settings.load(["--data-dir", str(tmp_path), "--port", "0"], environ={}))
    httpd = server.make_server(chat)
    threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    try:
        sock = socket.create_connection(httpd.server_address[:2], timeout=10)
        sock.sendall(b"POST /api/chats HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                     b"Content-Length: 100\r\n\r\n{")
        started = time.monotonic()
        answer = b""
        while True:
            piece = sock.recv(4096)
            if not piece:
                break
            answer += piece
        assert answer.startswith(b"HTTP/1.0 408") and b'"timeout"' in answer
        assert time.monotonic() - started < 5
        assert chat.store.list() == []
    finally:
        httpd.shutdown()
        httpd.server_close()
