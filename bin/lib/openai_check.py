"""lm-serve through the `openai` Python package, unchanged: a completion and a stream.

Usage: openai_check.py BASE_URL MODEL PREFIX LENGTH EXPECTED_FILE
The greedy completion and the streamed greedy text must both equal EXPECTED_FILE's text
(what `lm-generate --strategy greedy` printed after the prefix).
"""
import sys

from openai import OpenAI

base, model, prefix, length, expected_file = sys.argv[1:6]
expected = open(expected_file, encoding="utf-8").read()
client = OpenAI(base_url=base, api_key="unused")

whole = client.completions.create(model=model, prompt=prefix, max_tokens=int(length), temperature=0)
text = whole.choices[0].text
assert whole.object == "text_completion", whole.object
assert whole.choices[0].finish_reason == "length", whole.choices[0].finish_reason
assert whole.usage.completion_tokens == int(length), whole.usage
assert text == expected, f"completion {text!r} != lm-generate {expected!r}"

streamed, events = "", 0
for chunk in client.completions.create(model=model, prompt=prefix, max_tokens=int(length), temperature=0, stream=True):
    streamed += chunk.choices[0].text
    events += 1
assert streamed == expected, f"stream {streamed!r} != lm-generate {expected!r}"
assert events > 1, "the stream came in one event"

models = [m.id for m in client.models.list()]
assert model in models, models
print(f"openai {__import__('openai').__version__}: completion and stream ({events} events) equal lm-generate's greedy text")
