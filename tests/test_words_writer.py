"""The background card writer (words/writer.py) with real threads: batches of a few
words, nothing while a reply streams, and a failed batch ends the run."""
import threading

from kindlechat.words import cards
from kindlechat.words.writer import Writer


def test_batches_of_a_few_words_in_order():
    seen = []
    writer = Writer(lambda ids: seen.append(list(ids)), busy=lambda: False)
    writer.add(["w%d" % n for n in range(12)])
    assert writer.wait_idle(10)
    assert [len(b) for b in seen] == [cards.BATCH, cards.BATCH, 2]
    assert sum(seen, []) == ["w%d" % n for n in range(12)] and writer.pending() == []


def test_nothing_is_asked_while_a_reply_streams():
    streaming, asked = threading.Event(), threading.Event()
    streaming.set()
    checked = threading.Semaphore(0)

    def busy():
        checked.release()
        return streaming.is_set()
    writer = Writer(lambda ids: asked.set(), busy=busy)
    writer.add(["a"])
    assert checked.acquire(timeout=10) and checked.acquire(timeout=10)   # looked twice: still streaming
    assert not asked.is_set() and writer.running
    streaming.clear()
    assert asked.wait(10) and writer.wait_idle(10)


class Offline:
    code, message = "no_network", "No network connection."


def test_a_failed_batch_ends_the_run_and_says_why():
    seen = []

    def write(ids):
        seen.append(ids)
        return Offline()
    writer = Writer(write, busy=lambda: False)
    writer.add(["w%d" % n for n in range(12)])
    assert writer.wait_idle(10)
    assert len(seen) == 1 and writer.pending() == [] and writer.last_error.code == "no_network"
    writer.add(["w1"])   # asked again: a new run
    assert writer.wait_idle(10) and len(seen) == 2
