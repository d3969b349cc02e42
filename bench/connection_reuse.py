"""Connection reuse: does a reply that ended normally give its upstream connection
back, so the next reply skips TCP and TLS set-up? Against a local HTTPS upstream
with a self-signed certificate this benchmark makes (openssl), which the server
under test trusts through REQUESTS_CA_BUNDLE (requests reads it for a session
whose trust_env is on, as kindlechat's is).

    python3 bench/run.py connection_reuse [--rounds 5] [--rtt-ms 0,50] [--tree /tmp/kc-before]

Each round: a new chat, three replies one after the other, each read to its end by
a page client (long polls, throttle 0). Measured: the seconds from posting the
message to the first poll answer that carries text, for the second reply (the
first reply of a round may reuse the last round's connection; the very first
reply of a run also imports requests); and the TCP connections the upstream
accepted during the round's three replies (3 without reuse, 1 or 0 with).

--rtt-ms emulates a network's round trip on loopback: a new connection waits two
round trips before its TLS handshake (TCP's SYN/ACK and TLS 1.3's one round trip)
and every request one before its answer's head (the request's own trip). 0 is bare
loopback, where a handshake costs only CPU; a Kindle on Wi-Fi to Google sees
20-100 ms, and DNS on top, which this does not add.
"""
import argparse
import os
import ssl
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import KindleChat, add_tree_option, median, save, table, tree_info, tree_label  # noqa: E402
from testkit.gemini_chunks import gemini_stream  # noqa: E402
from testkit.upstream import Reply, Upstream  # noqa: E402


def make_certificate(folder):
    """A self-signed certificate for 127.0.0.1 (EC P-256, a day): (cert, key) paths."""
    cert, key = os.path.join(folder, "cert.pem"), os.path.join(folder, "key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                    "-nodes", "-keyout", key, "-out", cert, "-days", "1", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1"], check=True, capture_output=True)
    return cert, key


class SlowHandshake:
    """A server-side SSLContext stand-in whose handshakes start after `delay`
    seconds: a new connection's TCP and TLS round trips on a real network."""

    def __init__(self, context, delay):
        self.context, self.delay = context, delay

    def wrap_socket(self, sock, server_side):
        time.sleep(self.delay)
        return self.context.wrap_socket(sock, server_side=server_side)


def first_text(kc, cid, index):
    """Long-poll the reply until an answer carries text: monotonic time it came; then
    read it to its end (it must end done)."""
    srv, offset, first = kc.server, 0, None
    while True:
        answer = srv.get("/api/chats/%s/messages/%d?from=%d&wait=30" % (cid, index, offset))
        if answer["text"] and first is None:
            first = time.monotonic()
        offset = answer["next"]
        if answer["status"] != "streaming":
            if answer["status"] != "done":
                raise SystemExit("reply ended %s: %s" % (answer["status"], answer.get("error")))
            return first


def run_setting(args, rtt, cert, key, tmp):
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    events, _ = gemini_stream(args.reply_kib * 1024)
    up = Upstream(tls=SlowHandshake(context, 2 * rtt) if rtt else context).start()
    up.script(Reply(body=b"".join(events), pieces=events, keep_alive=True, head_delay=rtt))
    kc = KindleChat(up.url, os.path.join(tmp, "data-%d" % (rtt * 1000)), 0, tree=args.tree,
                    env={"REQUESTS_CA_BUNDLE": cert})
    rounds = []
    try:
        for _ in range(args.rounds):
            cid = kc.server.new_chat()
            conns0, ttft = up.connections, []
            for n in range(3):
                t0 = time.monotonic()
                index = kc.server.send(cid, "Question %d." % n)
                ttft.append(first_text(kc, cid, index) - t0)
            rounds.append({"ttft_s": ttft, "connections": up.connections - conns0})
    finally:
        kc.stop()
        up.stop()
    return {"rtt_ms": int(round(rtt * 1000)), "rounds": rounds,
            "second_ttft_median_s": median([r["ttft_s"][1] for r in rounds]),
            "third_ttft_median_s": median([r["ttft_s"][2] for r in rounds]),
            "connections_median": median([r["connections"] for r in rounds])}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=5, help="rounds of three replies per setting")
    ap.add_argument("--rtt-ms", default="0,50", help="emulated round trips to run, comma-separated")
    ap.add_argument("--reply-kib", type=int, default=4)
    add_tree_option(ap)
    args = ap.parse_args()
    info = tree_info(args.tree)
    print("measuring %s" % tree_label(info), flush=True)
    out = dict(args=vars(args), **info)
    with tempfile.TemporaryDirectory(prefix="kc-bench-") as tmp:
        cert, key = make_certificate(tmp)
        out["settings"] = [run_setting(args, int(r) / 1000.0, cert, key, tmp) for r in args.rtt_ms.split(",")]
    print("\nHTTPS upstream (self-signed, trusted through REQUESTS_CA_BUNDLE), %d rounds of 3 replies of %d KiB\n"
          % (args.rounds, args.reply_kib))
    table(["emulated RTT ms", "2nd reply: send -> first text, ms", "3rd reply, ms", "connections per 3 replies"],
          [[s["rtt_ms"], s["second_ttft_median_s"] * 1000, s["third_ttft_median_s"] * 1000, s["connections_median"]]
           for s in out["settings"]])
    reused = all(s["connections_median"] <= 1 for s in out["settings"])
    print("\ntarget: one connection for the replies of a round (a reply that ended normally gives its "
          "connection back): %s" % ("MET" if reused else "MISSED"))
    save("connection_reuse", out)


if __name__ == "__main__":
    main()
