"""Words that stick: spaced reviews of the words the reader looked up on the Kindle.

fsrs.py owns the scheduler (FSRS-6); reviews.py the review state, an append-only
journal in the data folder; cards.py the card prompt for a batch of words and
reading the model's answer; deck.py the words as the reviews see them (vocab.db's
lookups grouped into one word each), snapshot.py those words kept between runs
(a cache: the first Review after a start loads them instead of grouping every
lookup again); anki.py the .apkg; export.py the CSV. session.py what is due now.

    >>> from kindlechat.words import fsrs
    >>> sorted(fsrs.RATINGS)
    ['again', 'easy', 'good', 'hard']

Nothing here knows HTTP, the service, or which provider writes the cards.
"""
