"""The alternatives KindleChat is measured against, each a long-lived worker
process: "run" on stdin streams one reply from the upstream and prints JSON
{"cpu", "wall", "chars", "marks"}: CPU seconds of the whole process and wall
seconds from the request to the last text, the characters of text received, and
(with --marks) [monotonic time, characters so far] after each piece of text.

    python bench/contenders.py bare  http://127.0.0.1:PORT [--marks]
    python bench/contenders.py stream http://127.0.0.1:PORT [--marks]
    python bench/contenders.py genai http://127.0.0.1:PORT [--marks]

bare:   requests' iter_lines() + json.loads, what our stack is built on (the floor).
stream: KindleChat's reading alone, no server: its transport (gathering as with the
        default throttle), SSE and Gemini decoders (src/ of the tree bench/ is in, or
        of KINDLECHAT_SRC). Beside `kindlechat` it shows what the server adds.
genai:  Google's own SDK, google-genai's models.generate_content_stream.
"""
import json
import os
import sys
import time

MODEL = "gemini-2.5-flash"
BODY = {"contents": [{"role": "user", "parts": [{"text": "Write at length."}]}]}


def bare_runner(url):
    import requests
    session = requests.Session()
    endpoint = "%s/v1beta/models/%s:streamGenerateContent?alt=sse" % (url, MODEL)

    def run(mark):
        response = session.post(endpoint, json=BODY, stream=True,
                                headers={"x-goog-api-key": "x", "Accept": "text/event-stream"})
        chars = 0
        for line in response.iter_lines():
            if line.startswith(b"data:"):
                chunk = json.loads(line[5:])
                for part in chunk["candidates"][0]["content"]["parts"]:
                    chars += len(part.get("text", ""))
                mark(chars)
        response.close()
        return chars
    return run


def stream_runner(url):
    sys.path.insert(0, os.environ.get("KINDLECHAT_SRC") or os.path.join(os.path.dirname(__file__), "..", "src"))
    from kindlechat.providers import gemini, ask as providers, transport
    from kindlechat.providers.stream import ReplyStream
    pipe = transport.Transport()
    body = json.dumps(BODY).encode("utf-8")
    gather = providers.gather({"throttle_ms": 500})

    def run(mark):
        exchange = pipe.exchange(gemini.stream_url(url, MODEL), {"x-goog-api-key": "x"}, body, gather=gather)
        chars = 0
        for delta in ReplyStream(exchange, gemini.Decoder()):
            chars += len(delta.text)
            mark(chars)
        return chars
    return run


def genai_runner(url):
    from google import genai
    from google.genai import types
    client = genai.Client(api_key="x", http_options=types.HttpOptions(base_url=url, api_version="v1beta"))

    def run(mark):
        chars = 0
        for chunk in client.models.generate_content_stream(model=MODEL, contents="Write at length."):
            chars += len(chunk.text or "")
            mark(chars)
        return chars
    return run


def main():
    kind, url = sys.argv[1], sys.argv[2]
    keep_marks = "--marks" in sys.argv
    run = {"bare": bare_runner, "stream": stream_runner, "genai": genai_runner}[kind](url)
    for line in sys.stdin:
        if line.strip() != "run":
            continue
        marks = []
        mark = (lambda chars: marks.append((time.monotonic(), chars))) if keep_marks else (lambda chars: None)
        cpu0, wall0 = time.process_time(), time.monotonic()
        chars = run(mark)
        cpu, wall = time.process_time() - cpu0, time.monotonic() - wall0
        print(json.dumps({"cpu": cpu, "wall": wall, "chars": chars, "marks": marks}), flush=True)


if __name__ == "__main__":
    main()
