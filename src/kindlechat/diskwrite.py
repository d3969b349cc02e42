"""Writes that are whole or undone. On a nearly full disk (a Kindle full of books)
os.write writes what fits and returns how much; the rest must not be dropped
silently, or a compaction would replace a good journal with a cut one.

    >>> import os, tempfile
    >>> path = os.path.join(tempfile.mkdtemp(), "a.json")
    >>> write_atomic(path, b"{}")
    >>> open(path, "rb").read(), os.path.exists(path + ".tmp")
    (b'{}', False)
"""
import errno
import os


def write_all(fd, data):
    """Write all of data, looping over short writes; a write that makes no progress
    is a full disk."""
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        if written <= 0:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        view = view[written:]


def write_atomic(path, data, mode=0o644):
    """Write a file so that a crash or a full disk leaves either the old or the new
    one, never half, and no .tmp behind. (FAT has no atomic replace of an open file,
    but os.replace of a closed one is a single directory update.)"""
    tmp = path + ".tmp"
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
        try:
            write_all(fd, data)
            os.fsync(fd)   # the new bytes are on the disk before their name replaces the old
        finally:
            os.close(fd)
        os.replace(tmp, path)
    except BaseException:
        _remove(tmp)
        raise
    try:
        os.chmod(path, mode)   # O_CREAT's mode is ignored for an existing .tmp
    except OSError:
        pass


def append_whole(fd, size, data, sync):
    """Append data to a file of size bytes opened O_APPEND, all of it or nothing:
    on a failure the file is cut back to size (half a record would glue to the
    next one, and both would be lost), then the error is raised."""
    try:
        write_all(fd, data)
        if sync:
            os.fsync(fd)
    except OSError as exc:
        try:
            os.ftruncate(fd, size)
        except OSError:
            pass
        raise exc


def _remove(path):
    try:
        os.remove(path)
    except OSError:
        pass
