"""A real, nearly full filesystem for disk-full tests: a 1 MB tmpfs mounted in a
temp dir (root only; the test skips with the reason elsewhere), and a filler file
that leaves a chosen number of bytes free.

    with tiny_tmpfs(tmp_path / "disk") as folder:
        filler = fill(folder, leave=16 * 1024)    # about 16 KB free now
        ...
        os.remove(filler)
"""
import contextlib
import errno
import os
import subprocess

import pytest

SIZE = "1m"


@contextlib.contextmanager
def tiny_tmpfs(folder):
    """Mount a 1 MB tmpfs on folder for the block; always unmounted after it."""
    folder = str(folder)
    os.makedirs(folder, exist_ok=True)
    if os.geteuid() != 0:
        pytest.skip("needs root to mount a 1 MB tmpfs (a real full disk)")
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=" + SIZE, "tmpfs", folder],
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    if done.returncode != 0:
        pytest.skip("can't mount a tmpfs here: %s" % done.stdout.decode("utf-8", "replace").strip())
    try:
        yield folder
    finally:
        if subprocess.run(["umount", folder]).returncode != 0:
            subprocess.run(["umount", "-l", folder])   # still busy: detach it at least


def fill(folder, leave):
    """Fill the filesystem of folder up, then give back `leave` bytes (rounded to
    its pages by the filesystem); returns the filler file's path."""
    path = os.path.join(folder, "filler")
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
    try:
        chunk = b"\0" * 65536
        while True:
            try:
                os.write(fd, chunk)
            except OSError as exc:
                assert exc.errno == errno.ENOSPC, exc
                break
        os.ftruncate(fd, max(0, os.lseek(fd, 0, os.SEEK_CUR) - leave))
    finally:
        os.close(fd)
    return path


def free_bytes(folder):
    st = os.statvfs(folder)
    return st.f_bavail * st.f_frsize
