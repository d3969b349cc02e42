"""Keep the server's memory near what it holds: large buffers from mmap, and free
pages given back after a reply.

    >>> configure() in (True, False), release() in (True, False)
    (True, True)

Why: glibc's malloc raises its mmap threshold each time a large block is freed (up
to 32 MiB), so later large buffers (a reply's request body, which is the whole
conversation, the compacted journal, a long answer's JSON) come from the heap,
and a heap shrinks only from its top. A server that has written a few long
replies then keeps their peak as RSS though it holds little: bench/memory_start.py
--only tiny grew +27 MiB over five 512 KB replies, and +5 MiB (the chat itself)
with the threshold pinned at 64 KiB, as configure() does. On a Kindle, with
256-512 MB shared with the browser, that is memory the browser lacks. Without glibc,
or on a Python without ctypes, both do nothing and say so (False).
"""
M_MMAP_THRESHOLD = -3          # glibc's mallopt() parameter (malloc.h)
MMAP_THRESHOLD = 64 * 1024     # blocks from this size on are mmapped, and unmapped when freed

_libc = None


def _glibc():
    global _libc
    if _libc is None:
        try:
            import ctypes
            _libc = ctypes.CDLL("libc.so.6")
            _libc.mallopt, _libc.malloc_trim   # both there, or neither is used
        except (ImportError, OSError, AttributeError):
            _libc = False
    return _libc


def configure():
    """At start: pin malloc's mmap threshold (which also stops its growth)."""
    libc = _glibc()
    return bool(libc) and libc.mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD) == 1


def release():
    """After a reply: return the heap's free pages to the system."""
    libc = _glibc()
    if libc:
        libc.malloc_trim(0)
    return bool(libc)
