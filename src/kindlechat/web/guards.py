"""Request guards (WSGI middleware): refuse what a web page elsewhere, or a client
on the same Wi-Fi without the token, could send to this server.

    >>> host_of({"HTTP_HOST": "127.0.0.1:8642"}), host_of({"HTTP_HOST": "[::1]:8642"})
    ('127.0.0.1', '[::1]')
"""
import hmac
import json
from urllib.parse import parse_qs

from .. import errors

LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1", "[::1]")
WRITE_METHODS = ("POST", "PUT", "DELETE", "PATCH")


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
        code, message = errors.api(key, **values)[:2]
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


def allowed_hosts(settings):
    hosts = set(LOOPBACK_NAMES)
    if settings["host"] not in ("0.0.0.0", "::", ""):
        hosts.add(settings["host"].lower())
    return hosts
