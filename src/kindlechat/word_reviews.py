"""What the routes call for the looked-up words (words/): Review, a rating, the
cards, the exports. Mixed into service.ChatServer, whose library, replies and
streams it uses: the model writes the cards through the same provider seam as a
chat (providers.open_stream), with nothing stored as a chat.

    >>> import tempfile
    >>> from kindlechat import settings
    >>> from kindlechat.service import ChatServer
    >>> chat = ChatServer(settings.load(["--data-dir", tempfile.mkdtemp(), "--library-dir", "/nonexistent"], environ={}))
    >>> chat.reviews()["message"][:10], chat.reviews()["due_count"]
    ('Not found:', 0)
"""
import os

from .errors import Refused
from .library.kindle import VOCAB
from .providers import profiles
from .words.trainer import Trainer


class WordReviews:
    def _trainer(self):
        return Trainer(self.settings["data_dir"], self.settings, self._vocab, self._ask, self.replies.streaming,
                       self.library.language)

    def _vocab(self):
        return os.path.join(self.library.root, VOCAB), self.library.sample

    def _ask(self, prompt):
        """(text, None) or (None, error): one whole answer of the current profile, for
        a batch of cards (words/trainer.py); thoughts left out, nothing stored."""
        try:
            stream = self._stream_for([("user", prompt)], False, profiles.current(self.settings))
        except Refused as exc:
            return None, exc.error
        text = "".join(delta.text for delta in stream if not delta.thought)
        return (None, stream.error) if stream.error is not None else (text, None)

    def reviews(self, language=None):
        return self.trainer.reviews(language)

    def rate_word(self, word_id, body):
        return self.trainer.rate(word_id, body.get("rating") if isinstance(body, dict) else None)

    def write_cards(self, body):
        body = body if isinstance(body, dict) else {}
        return self.trainer.write_cards(body.get("ids"), body.get("language"))

    def cards(self):
        return self.trainer.card_status()

    def export_words(self, kind):
        return self.trainer.export(kind)

    def save_words(self, kind):
        """The export saved into documents/KindleChat/; its path under the library's root."""
        name = "documents/KindleChat/kindlechat-words." + kind
        self.library.save_files([(name, self.trainer.export(kind))])
        return name
