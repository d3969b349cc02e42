"""A free loopback port, for the servers the tests, benchmarks and tools start.

>>> 1024 <= free_port() <= 65535
True
"""
import socket


def free_port(host="127.0.0.1"):
    """A port nothing listens on now. The OS picks it (bind to 0); it may be taken
    again before the caller binds it, so callers that race others retry their start."""
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]
