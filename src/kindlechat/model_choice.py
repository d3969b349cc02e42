"""What the routes and the replies ask of the model services, beside the chats: the
model lists (cached for the server's life, providers/models.py), what a key may no
longer use and the thinking levels a model refused (providers/notes.py, kept on
disk), and the stream of a reply from the profile a chat talks to. Mixed into
service.ChatServer, whose settings, transport and emulator it uses.

    >>> import tempfile
    >>> from kindlechat import settings
    >>> from kindlechat.service import ChatServer
    >>> chat = ChatServer(settings.load(["--data-dir", tempfile.mkdtemp()], environ={}))
    >>> chat._model_source(None, {"base_url": "https://g.example", "kind": "gemini", "api_key": "k"})
    ('https://g.example', 'gemini', 'k')
"""
from .errors import Refused
from .providers import advice, profiles, ask as providers


class ModelChoice:
    def _demo_url(self):
        if not self.demo:
            return None
        if self.emulator is None:
            raise Refused("unavailable", "no_key")
        return self.emulator.url

    def _model_source(self, demo_url, profile):
        """Where a model list comes from: another key, service or kind is another list."""
        return (demo_url or profile["base_url"], profile["kind"], demo_url or profile.get("api_key"))

    def _fetch_models(self, demo_url, name, profile, refresh=False):
        """(models, error) of a profile's service, cached (ModelList)."""
        return self.models.get(
            lambda: providers.list_models(self.transport, self.settings, demo_url, profile, name),
            self._model_source(demo_url, profile), refresh)

    def _notes_source(self, profile):
        """Where notes of a key go: its service and key (in demo mode too: the emulator
        plays that service, and its notes never reach a real key's)."""
        return self.notes.source(profile["base_url"], profile.get("api_key"))

    def list_models(self, refresh=False):
        """{"models": [{"name", "display_name", "thinking", "available", "levels"}]} of
        the current profile, cached; an error of the service (bad key, offline) is a
        502 with its plain words. available: false for a model the key may no longer
        use (providers/notes.py); levels: the thinking levels to offer (Gemini)."""
        demo_url = self._demo_url()
        name, profile = profiles.current(self.settings)
        models, error = self._fetch_models(demo_url, name, profile, refresh)
        if error is not None:
            raise Refused("upstream", error)
        return {"models": advice.marked(models, profile, self.notes, self._notes_source(profile))}

    def _stream_for(self, history, search, chosen, follow_ups=False, partial=None):
        """The stream of a reply from chosen, (name, profile); partial: the text of a
        cut reply, to be continued (continuing.py)."""
        demo_url = self._demo_url()
        name, profile = chosen
        thinking = self.models.thinking(profile["model"], self._model_source(demo_url, profile))
        options = {"search": search, "thinking": thinking, "follow_ups": follow_ups,
                   "refused": self.notes.refused(profile["model"])}
        if partial is not None:
            options["partial"] = partial
        stream = providers.open_stream(self.transport, self.settings, history, demo_url, options, profile, name)
        stream.review = lambda error: advice.review(      # what the notes and the key's list add
            error, profile, self.notes, self._notes_source(profile),
            lambda: self._fetch_models(demo_url, name, profile)[0] or [])
        return stream
