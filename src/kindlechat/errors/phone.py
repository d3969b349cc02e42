"""What the phone-as-a-keyboard routes say: why there is no link, what a bad query is.

    >>> no_link().code
    'loopback_mode'
"""
from .base import GeminiError


def no_link():
    """Loopback mode: a phone cannot reach 127.0.0.1 on the Kindle."""
    return GeminiError("loopback_mode", "A phone can reach KindleChat only on the Kindle's Wi-Fi address: "
                       "in KUAL choose KindleChat, then \"Start on the Wi-Fi address\", and open Phone again.")


def bad_link_chat():
    return GeminiError("bad_query", "chat must be a chat's id (or new).")


def no_qr():
    """The QR encoder (the vendored segno) is missing from this install."""
    return GeminiError("no_qr", "This install has no QR code encoder (segno): type the address shown "
                       "instead, or install KindleChat's zip again.")
