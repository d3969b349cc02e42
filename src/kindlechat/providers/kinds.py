"""The one table of kinds of model service: a kind names the module of its wire
format (request() and a Decoder) and its model list (list_models). A provider is
added here by one line; an unknown kind is refused where a profile is made
(profiles.py), never taken for another.

    >>> sorted(KINDS)
    ['anthropic', 'gemini', 'ollama', 'openai']
    >>> wire("ollama").__name__, models("ollama").__name__
    ('kindlechat.providers.ollama_chat', 'ollama_models')

The modules are imported when first asked for, so making a profile imports no wire
format.
"""
import importlib

# kind: (wire format module, "module.function" of its model list)
KINDS = {
    "gemini": ("gemini", "gemini_models.list_models"),
    "openai": ("openai_chat", "other_models.openai_models"),
    "anthropic": ("anthropic_messages", "other_models.anthropic_models"),
    "ollama": ("ollama_chat", "other_models.ollama_models"),
}


def _module(name):
    return importlib.import_module("." + name, __package__)


def wire(kind):
    """The kind's wire format module: request() and Decoder."""
    return _module(KINDS[kind][0])


def models(kind):
    """The kind's model list: list_models(transport, base_url, key, timeouts, who)."""
    module, function = KINDS[kind][1].split(".")
    return getattr(_module(module), function)
