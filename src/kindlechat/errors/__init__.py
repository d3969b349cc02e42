"""Every message a person reads from the server, and its code for programs: one
owner for the wording (the page adds none). Errors are values, never raised here;
Refused carries one to wherever a request is refused.

    >>> dropped().code
    'dropped'
    >>> storage(OSError(28, "No space left on device")).code
    'storage_full'

    base.py       the value (GeminiError: code, message, extra) and as_dict
    upstream.py   what the model's service answered, and the connection's failures
    local.py      the Kindle's own troubles: storage, interrupted replies, threads
    answers.py    the API's own 4xx/5xx answers, by key
    library.py    the reader's library: highlights, words, books, saving
    providers.py  what OpenAI-compatible services, Anthropic and Ollama answered
    phone.py      the phone as a keyboard: no link in loopback mode, no QR encoder
    books.py      why a book's text can't be read (DRM, KFX, PDF, damaged, too big)
    bookchat.py   a chat about the book being read: the book gone, a position past its end
    refused.py    Refused: the one error a request is refused with (web/ maps it to a status)
"""
from .base import GeminiError, as_dict, with_extra  # noqa: F401
from .upstream import (  # noqa: F401
    from_error_body, for_status, daily_quota, not_event_stream, blocked, dropped, unreadable,
    stalled, finish_note, damaged_note, from_exception, model_unavailable, naming_model,
    retired_names, quota_period)
from .local import (  # noqa: F401
    interrupted, reply_too_long, no_thread, internal, damaged_chat, storage)
from .answers import api  # noqa: F401
from .providers import (  # noqa: F401
    provider_http_error, provider_mid_stream, provider_not_a_stream, provider_unreadable, provider_finish,
    bad_profile)
from .library import (  # noqa: F401
    no_sqlite, library_missing, library_busy, library_schema, library_unreadable,
    clippings_encoding, clippings_skipped, clippings_too_large, no_such_highlight,
    bad_library_action, no_words, documents_away, documents_readonly,
    bad_rating, unknown_word, bad_word_ids)
from .phone import no_link, bad_link_chat, no_qr  # noqa: F401
from .bookchat import position_past_end, book_gone_reading, no_such_book, bad_book_question  # noqa: F401
from .refused import Refused  # noqa: F401
