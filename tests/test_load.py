"""Load (issue 5, must 6), bounded and on loopback: 20 replies streaming at once for
about 30 seconds while 100 clients long-poll them (5 a reply, at the default e-ink
throttle). No errors, every client gets every reply's text exactly, and the
server's threads, open files and memory come back to where they started.
"""
import threading
import time
import urllib.request
import json

import pytest

from testkit.faultkit import KEY, proc_stats, tally, wait_until
from testkit.gemini_chunks import event_split, numbered_text, pieces_of, sse_body
from testkit.serverproc import ServerProcess
from testkit.upstream import Reply

REPLIES, POLLERS_PER_REPLY, SECONDS = 20, 5, 30.0
EVENTS = 300
TEXT = numbered_text(1500)
BODY = sse_body(pieces_of(TEXT, EVENTS))


def get(url, timeout=30):
    with urllib.request.urlopen(url, timeout=timeout) as r:
        return json.loads(r.read().decode("utf-8"))


@pytest.mark.load
def test_20_replies_and_100_long_pollers(tmp_path, upstream):
    srv = ServerProcess(tmp_path / "data", "--gemini-url", upstream.url, "--read-timeout", "20",
                        env={"GEMINI_API_KEY": KEY}).start()
    try:
        # Warm up (requests is imported at the first reply), then take the baseline.
        upstream.script(Reply(body=sse_body(["warm ", "up"])))
        cid = srv.new_chat()
        srv.read_reply(cid, srv.send(cid, "warm up"))
        time.sleep(0.5)
        base = proc_stats(srv.proc.pid)

        upstream.script(Reply(body=BODY, pieces=event_split(BODY), delay=SECONDS / EVENTS))
        replies = []
        for n in range(REPLIES):
            cid = srv.new_chat()
            replies.append((cid, srv.send(cid, "question %d" % n)))
        texts, errors, polls, peak = {}, [], [0], [base]

        def poller(key, cid, index):
            offset, parts = 0, []
            deadline = time.monotonic() + SECONDS * 3
            try:
                while time.monotonic() < deadline:
                    answer = get("%s/api/chats/%s/messages/%d?from=%d&wait=10" % (srv.url, cid, index, offset))
                    polls[0] += 1
                    assert answer["next"] == offset + len(answer["text"])
                    parts.append(answer["text"])
                    offset = answer["next"]
                    if answer["status"] != "streaming":
                        assert answer["status"] == "done", answer
                        texts[key] = "".join(parts)
                        return
                errors.append("%s: not done in time" % (key,))
            except Exception as exc:  # noqa: BLE001 -- reported below
                errors.append("%s: %r" % (key, exc))

        threads = [threading.Thread(target=poller, args=((n, p), cid, index), daemon=True)
                   for n, (cid, index) in enumerate(replies) for p in range(POLLERS_PER_REPLY)]
        started = time.monotonic()
        for t in threads:
            t.start()
        while any(t.is_alive() for t in threads) and time.monotonic() - started < SECONDS * 3:
            time.sleep(1)
            stats = proc_stats(srv.proc.pid)
            peak[0] = tuple(max(a, b) for a, b in zip(peak[0], stats))
        took = time.monotonic() - started
        for t in threads:
            t.join(1)

        assert errors == []
        assert len(texts) == REPLIES * POLLERS_PER_REPLY
        assert all(text == TEXT for text in texts.values())
        # Back to the start: threads and files at once (give them a few seconds), memory
        # within a margin (CPython keeps freed arenas; 20 replies of 9 KB are nothing).
        settled = wait_until(lambda: (lambda s: s[0] <= base[0] and s[1] <= base[1])(proc_stats(srv.proc.pid)), 15, 0.2)
        after = proc_stats(srv.proc.pid)
        assert settled, "threads/fds %s, at start %s" % (after[:2], base[:2])
        assert after[2] <= base[2] + 20 * 1024, "memory %d KB, at start %d KB" % (after[2], base[2])
        assert srv.get("/api/health")["ok"]
    finally:
        srv.stop()
    tally("load: 20 replies streaming + 100 long-pollers for %.0f s" % took, REPLIES * POLLERS_PER_REPLY, 0,
          "%d polls, no errors; threads %d -> peak %d -> %d; open files %d -> peak %d -> %d; "
          "memory %.1f -> peak %.1f -> %.1f MB" % (polls[0], base[0], peak[0][0], after[0], base[1], peak[0][1],
                                                   after[1], base[2] / 1024, peak[0][2] / 1024, after[2] / 1024))
