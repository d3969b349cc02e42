"""What went wrong on the Kindle itself: the storage full or away, a reply cut
short, a thread that could not start, a damaged chat.

    >>> import errno
    >>> storage(OSError(errno.ENOSPC, "No space left on device")).code
    'storage_full'
"""
import errno

from .base import GeminiError


def interrupted():
    """A reply cut short because the server stopped (a kill, a crash, a restart)."""
    return GeminiError("interrupted", "KindleChat was stopped while this reply was streaming. "
                       "The text so far is kept; tap Retry for a full reply.")


def reply_too_long(limit):
    """A reply that passed KindleChat's size limit (replies.MAX_REPLY): only an
    upstream that never ends gets there."""
    return GeminiError("reply_too_long", "This reply passed %s characters, far more than any model "
                       "writes, so KindleChat ended it. The text so far is kept." % format(limit, ","))


def no_thread():
    """The Kindle could not start one more thread for the reply (its memory is short)."""
    return GeminiError("no_thread", "The Kindle is short of memory and could not start the reply. "
                       "Close a chat page in another tab, or restart KindleChat from KUAL, then try again.")


def internal(what):
    """A bug of ours while a reply was written: say so, keep the text."""
    return GeminiError("internal", "Something went wrong while writing the reply (%s). "
                       "The text so far is kept; tap Retry." % what)


def damaged_chat():
    """A chat whose file holds a record KindleChat never wrote (store.Damaged)."""
    return GeminiError("damaged", "This chat's file is damaged: it can be read and deleted, "
                       "but not continued. Start a new chat.")


# errno values that mean the storage itself is full, not away: FAT on a Kindle
# full of books answers ENOSPC; EFBIG is FAT's 4 GiB file limit.
_FULL = (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC), errno.EFBIG)


def storage(exc):
    """What an OSError of the data folder means to the reader: the storage is full,
    or the folder is away (USB mode unmounts /mnt/us) or read-only.

    >>> storage(OSError(errno.ENOSPC, "No space left on device")).code
    'storage_full'
    """
    if getattr(exc, "errno", None) in _FULL:
        return GeminiError("storage_full", "The Kindle's storage is full, so KindleChat could not save. "
                           "Delete a book or two (or old chats), then try again.")
    return GeminiError("storage", "Can't use the data folder (%s). If the Kindle is connected by USB, "
                       "eject it and try again." % (getattr(exc, "strerror", None) or exc.__class__.__name__))
