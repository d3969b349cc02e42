"""The one table of kinds of model service: a kind names the module of its wire
format: its request(), its Decoder and its model list (list_models). A provider is
added here by one line; an unknown kind is refused where a profile is made
(profiles.py), never taken for another.

    >>> sorted(KINDS)
    ['anthropic', 'gemini', 'ollama', 'openai']
    >>> wire("ollama").__name__, models("ollama").__name__
    ('kindlechat.providers.ollama_chat', 'list_models')

The modules are imported when first asked for, so making a profile imports no wire
format.
"""
import importlib

# kind: its wire format module (request(), Decoder and list_models())
KINDS = {
    "gemini": "gemini",
    "openai": "openai_chat",
    "anthropic": "anthropic_messages",
    "ollama": "ollama_chat",
}


def _module(name):
    return importlib.import_module("." + name, __package__)


def wire(kind):
    """The kind's wire format module: request() and Decoder."""
    return _module(KINDS[kind])


def models(kind):
    """The kind's model list: list_models(transport, base_url, key, timeouts, who)."""
    return wire(kind).list_models
