"""Everything that speaks to a model service, and nothing else.

The seam's contract (the one place a provider is added):
- one wire-format module a provider: `request(history, settings, base_url, key,
  options)` -> (url, headers, body bytes), the key only in that service's own header;
  a `Decoder` fed one line at a time (from `sse.LineDecoder`, so it knows no network)
  that returns `stream.Delta`s and ends with `error`, `finish`, `usage`; and its model
  list, `list_models(transport, base, key, timeouts, who)`. See base.py for what every
  decoder shares;
- one line in `kinds.KINDS`, the one table of kinds (an unknown kind is refused, never
  taken for Gemini);
- its frames in the emulator (demo/wire.py), so demo mode and the tests speak it.

transport.py sends and reads bytes (and owns its timeouts), sse.py cuts them into
lines and events, stream.py joins a transport's exchange to a decoder, profiles.py
says which service a chat talks to, models.py caches the model lists, resume_turns.py
how a builder asks a model to go on with a cut reply (options["partial"]), notes.py
remembers in the data folder what the services said of their models (retired for a
key, thinking levels refused), advice.py adds to a reply's error what the notes and
the live list tell (a replacement, lighter models). None of these modules knows the
page, the routes, the service or the store.
"""
