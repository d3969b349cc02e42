"""Start KindleChat: ``python -m kindlechat [--demo] [--port 8642] [--data-dir DIR]``.
``--help`` lists every setting."""
import os
import signal
import sys

from . import settings as settings_mod


def is_loopback(host):
    return host in ("localhost", "::1") or host.startswith("127.")


def main(argv=None):
    settings = settings_mod.load(sys.argv[1:] if argv is None else argv)
    if not settings["token"] and not is_loopback(settings["host"]):
        print("kindlechat: serving on %s reaches beyond this device, so it needs an access token "
              "(KINDLECHAT_TOKEN or --token; the KUAL menu's Wi-Fi mode sets one)" % settings["host"],
              file=sys.stderr)
        return 2
    from .web.routes import ChatServer, make_server   # after argument errors, which exit early
    from . import memory
    memory.configure()   # large buffers mmapped: RSS follows what is held (memory.py)
    try:
        os.makedirs(settings["data_dir"], exist_ok=True)
    except OSError as exc:
        print("kindlechat: can't create the data folder %s (%s); chats can't be saved until it exists"
              % (settings["data_dir"], exc.strerror), file=sys.stderr)
    emulator = None
    if settings["demo"] or not settings["api_key"]:
        from .demo.emulator import Emulator
        emulator = Emulator(tokens_per_second=float(os.environ.get("KINDLECHAT_DEMO_TPS", "30")),
                            first_delay=float(os.environ.get("KINDLECHAT_DEMO_FIRST_MS", "500")) / 1000).start()
    chat = ChatServer(settings, emulator)
    try:
        interrupted = chat.begin()
    except Exception as exc:  # noqa: BLE001 -- storage away (USB mode): serve anyway
        interrupted = 0
        print("kindlechat: %s" % exc, file=sys.stderr)
    try:
        httpd = make_server(chat)
    except OSError as exc:
        print("kindlechat: can't listen on %s:%s (%s)" % (settings["host"], settings["port"], exc.strerror),
              file=sys.stderr)
        return 1
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    host, port = httpd.server_address[:2]
    shown = "[%s]" % host if ":" in host else host
    mode = " (demo mode: built-in Gemini emulator)" if chat.demo else ""
    if interrupted:
        print("kindlechat: %d reply(s) marked interrupted" % interrupted)
    print("KindleChat listening on http://%s:%d/%s" % (shown, port, mode), flush=True)
    try:
        httpd.serve_forever(poll_interval=0.5)
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        chat.close()
        httpd.server_close()
        if emulator is not None:
            emulator.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
