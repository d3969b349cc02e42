"""How a request builder asks a model to go on with a cut reply (options["partial"],
continuing.py): the two ways, each provider's builder picking its best.

    >>> prefill([("user", "Hi")], "Hello, th")
    [('user', 'Hi'), ('model', 'Hello, th')]
    >>> instruct([("user", "Hi")], "Hello, th")[-1][0]
    'user'
    >>> prefill([("user", "Hi")], "") == instruct([("user", "Hi")], "  ") == [("user", "Hi")]
    True

- prefill: the partial reply is the model's own last turn, which it extends word for
  word (Anthropic's documented "prefill Claude's response", refused with extended
  thinking on; Ollama's /api/chat continues a last assistant message: ollama/ollama
  issues #5890 and #6778). Trailing whitespace is left off: Anthropic refuses a final
  assistant turn that ends in it, and the Joiner (overlap.py) mends the space.
- instruct: the partial reply as the model's turn, then a user turn asking it to go on
  (any chat API; OpenAI's Chat Completions and Gemini's generateContent have no
  documented prefill). The model may start a few words back: overlap.py drops them.
A cut before any text is asked again as it was.
"""

CONTINUE = ("Your previous reply was cut off by a network failure. Continue it exactly where it "
            "stopped, mid-sentence if need be. Do not repeat what you already wrote, do not start "
            "over, and do not mention the interruption.")


def prefill(history, partial):
    if not (partial or "").strip():
        return list(history)
    return list(history) + [("model", partial.rstrip())]


def instruct(history, partial):
    if not (partial or "").strip():
        return list(history)
    return list(history) + [("model", partial), ("user", CONTINUE)]
