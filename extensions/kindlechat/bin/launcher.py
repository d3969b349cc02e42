"""The Python half of the KUAL scripts: runs the server, waits for it, makes tokens.

    python3 -I bin/launcher.py serve --log LOG --pid-file PID -- --host 127.0.0.1 --port 8642 ...
    python3 -I bin/launcher.py wait http://127.0.0.1:8642/api/health --pid-file PID --timeout 90
    python3 -I bin/launcher.py token

The shell scripts call it instead of `python3 -m kindlechat` because the Kindle's
Python has none of our libraries installed: `serve` puts the zip's `app/` and
`vendor/` folders first on sys.path itself, so it needs no PYTHONPATH. The scripts
run it isolated (-I: no PYTHON* variables, no user site, not even this script's
folder on sys.path), so nothing of the Kindle's environment or of another program's
packages (pithon's pip) comes between the zip and the server; it runs the same
under -S. Written for Python 3.9 without f-strings, so an older Python still gets
as far as saying it is too old; tests/kindle/test_python39.py keeps it free of what 3.12
to 3.14 removed.
"""
import argparse
import json
import os
import signal
import sys
import threading
import time

EXT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MIN_PYTHON = (3, 9)
LOG_MAX_BYTES = 256 * 1024  # per file; one older file is kept beside it (LOG.1)


class CappedLog(object):
    """The server's stdout and stderr: a log file that never grows past max_bytes.

    When the next write would pass the cap, LOG becomes LOG.1 (replacing the older
    one) and a fresh LOG starts. File descriptors 1 and 2 are pointed at the current
    file too, so output that bypasses sys.stderr (a crash in C, faulthandler) lands
    there as well. Thread-safe: the web server logs from many threads.
    """

    encoding = "utf-8"
    errors = "replace"

    def __init__(self, path, max_bytes=LOG_MAX_BYTES):
        self.path = path
        self.max_bytes = max_bytes
        self.lock = threading.Lock()
        self.fd = None
        self._open()
        if os.fstat(self.fd).st_size >= max_bytes:
            self._rotate()

    def _open(self):
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        os.dup2(fd, 1)
        os.dup2(fd, 2)
        if self.fd is not None:
            os.close(self.fd)
        self.fd = fd

    def _rotate(self):
        os.replace(self.path, self.path + ".1")
        self._open()

    def write(self, text):
        data = text.encode(self.encoding, self.errors) if isinstance(text, str) else bytes(text)
        with self.lock:
            size = os.fstat(self.fd).st_size
            if size and size + len(data) > self.max_bytes:
                self._rotate()
            view = memoryview(data)
            while view:
                view = view[os.write(self.fd, view):]
        return len(text)

    def writelines(self, lines):
        for line in lines:
            self.write(line)

    def flush(self):
        pass

    def fileno(self):
        return self.fd

    def isatty(self):
        return False

    def writable(self):
        return True


def write_pid_file(path):
    """Write our pid atomically: the shell must never read half a number."""
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % os.getpid())
    os.replace(tmp, path)


def serve(args):
    log = CappedLog(args.log, args.log_max)
    sys.stdout = sys.stderr = log
    if sys.version_info < MIN_PYTHON:
        print("launcher: KindleChat needs Python %d.%d or newer; this is %s"
              % (MIN_PYTHON + (sys.version.split()[0],)))
        return 3
    # Detach from KUAL: our own session, and no death when the starting shell's
    # terminal (if any) hangs up.
    signal.signal(signal.SIGHUP, signal.SIG_IGN)
    try:
        os.setsid()
    except OSError:
        pass  # already a session leader
    sys.path[:0] = [os.path.join(EXT, "app"), os.path.join(EXT, "vendor")]
    print("launcher: %s pid %d, Python %s, kindlechat %s"
          % (time.strftime("%Y-%m-%d %H:%M:%S"), os.getpid(), sys.version.split()[0],
             " ".join(args.server_args)))
    write_pid_file(args.pid_file)
    import runpy
    sys.argv = ["kindlechat"] + args.server_args
    runpy.run_module("kindlechat", run_name="__main__", alter_sys=True)
    return 0


def read_pid(path):
    try:
        with open(path) as f:
            return int(f.read().strip())
    except (OSError, ValueError):
        return None


def alive(pid):
    """True while pid runs (a zombie, already ended, counts as gone)."""
    if not pid:
        return False
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        pass
    try:
        os.kill(pid, 0)
    except OSError:
        return False
    return True


def healthy(url):
    """True when url answers 200 with {"ok": true}. Never uses a proxy."""
    try:
        from urllib.request import ProxyHandler, build_opener
    except ImportError:
        return False
    try:
        with build_opener(ProxyHandler({})).open(url, timeout=3) as answer:
            return answer.status == 200 and json.loads(answer.read().decode("utf-8")).get("ok") is True
    except Exception:  # not up yet: refused, reset, timed out, half an answer
        return False


def wait(args):
    """Exit 0 once the server answers its health check; 1 if it died or took too long."""
    deadline = time.time() + args.timeout
    while time.time() < deadline:
        pid = read_pid(args.pid_file)
        if pid is None and args.starter_pid and not alive(args.starter_pid):
            print("launcher: the server ended before it started serving (see above)")
            return 1
        if pid is not None and not alive(pid):
            print("launcher: the server (pid %d) ended before it answered (see above)" % pid)
            return 1
        if pid is not None and healthy(args.url):
            return 0
        time.sleep(0.3)
    print("launcher: the server did not answer %s within %d s" % (args.url.split("?")[0], args.timeout))
    return 1


def token(args):
    """A fresh access token: hex, so it needs no escaping in a URL or a shell."""
    import binascii
    print(binascii.hexlify(os.urandom(16)).decode("ascii"))
    return 0


def parse(argv):
    parser = argparse.ArgumentParser(prog="launcher.py")
    sub = parser.add_subparsers(dest="command")
    p = sub.add_parser("serve", help="run the server with its output in a capped log")
    p.add_argument("--log", required=True)
    p.add_argument("--log-max", type=int, default=LOG_MAX_BYTES)
    p.add_argument("--pid-file", required=True)
    p.add_argument("server_args", nargs=argparse.REMAINDER)
    p = sub.add_parser("wait", help="wait until the server answers its health check")
    p.add_argument("url")
    p.add_argument("--pid-file", required=True)
    p.add_argument("--starter-pid", type=int, default=0)
    p.add_argument("--timeout", type=float, default=90)
    sub.add_parser("token", help="print a fresh access token")
    args = parser.parse_args(argv)
    if args.command is None:
        parser.error("a command is needed")
    if args.command == "serve" and args.server_args[:1] == ["--"]:
        args.server_args = args.server_args[1:]
    return args


def main(argv=None):
    args = parse(sys.argv[1:] if argv is None else argv)
    return {"serve": serve, "wait": wait, "token": token}[args.command](args)


if __name__ == "__main__":
    sys.exit(main())
