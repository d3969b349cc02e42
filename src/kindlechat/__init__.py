"""KindleChat: chat with Gemini in a Kindle's own browser."""

__version__ = "0.1.0"
