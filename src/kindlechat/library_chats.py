"""What the routes call for the Kindle's own library (library/kindle.py): the
highlights, the looked-up words, the books, a chat a highlight, a word or a book
starts, a chat saved as a book, and each message's request of a chat bound to the
book being read (reading/bookchat.py). Mixed into service.ChatServer, whose store
and sends it uses.

    >>> import tempfile
    >>> from kindlechat import settings
    >>> from kindlechat.service import ChatServer
    >>> chat = ChatServer(settings.load(["--data-dir", tempfile.mkdtemp(), "--library-dir", "/nonexistent"], environ={}))
    >>> chat.highlights("", "", 0, 5)["highlights"]
    []
"""
from .store import NotFound, StorageError


class LibraryChats:
    def highlights(self, query, book, offset, limit):
        return self.library.highlights(query, book, offset, limit)

    def words(self, limit):
        self.trainer.warm()   # Review is a tap away: its words read meanwhile
        return self.library.words(limit)

    def books(self, limit):
        return self.library.books(limit)

    def library_chat(self, body):
        """(chat id, reply index) of a new chat the library's question starts (a book chat
        is bound to its book: library/kindle.py start)."""
        text, extra = self.library.start(body)
        chat_id = self.store.create()
        return chat_id, self.send(chat_id, text, extra=extra)

    def save_chat(self, chat_id):
        """The path, under the library's root, the chat was saved to as a book."""
        return self.library.save(self.get_chat(chat_id))

    def _book_request(self, chat_id, history, chosen):
        """(request text or a recap's Plan, the reply's "book" fields) of a chat bound to a
        book (reading/bookchat.py), else None. chosen: (name, profile) the reply goes to."""
        kind = chosen[1]["kind"]
        return self.library.reading.request(chat_id, history, kind, self._stored_message)

    def _stored_message(self, chat_id, index):
        try:
            return self.store.get(chat_id)["messages"][index]
        except (NotFound, StorageError, IndexError, TypeError):
            return None
