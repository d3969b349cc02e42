"""The Kindle's own files, read-only and never damaged: My Clippings.txt (clippings.py,
highlights.py, clippings_cache.py), vocab.db (vocab.py), the library cc.db (books.py),
all through kindledb.py; the questions they start chats with (prompts.py); kindle.py,
what the service asks of them; sample_library/, the demo's Kindle.

Knows no HTTP and no provider: answers are values, refusals are errors.Refused.
"""
