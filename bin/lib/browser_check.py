"""The lm-serve web page in a real browser: headless Chromium, driven over the DevTools protocol.

Usage: browser_check.py CHROMIUM PAGE_URL EXPECTED_FILE
Loads PAGE_URL (the page with ?prompt=…&autostart=1), waits until the output element's
data-state is "done" (the stream has ended) and checks that the text the page shows after the
prompt equals EXPECTED_FILE's (lm-generate's continuation). Needs `websocket-client`.
"""
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.request

import websocket

chromium, url, expected_file = sys.argv[1:4]
expected = open(expected_file, encoding="utf-8").read()
profile = tempfile.mkdtemp(prefix="lmserve-chromium-")
browser = subprocess.Popen([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                            "--remote-debugging-port=0", f"--user-data-dir={profile}", "about:blank"],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
try:
    port_file = os.path.join(profile, "DevToolsActivePort")
    for _ in range(300):
        if os.path.exists(port_file) and open(port_file).read().strip():
            break
        time.sleep(0.1)
    port = open(port_file).read().split()[0]
    targets = json.load(urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list"))
    page = next(t for t in targets if t["type"] == "page")
    ws = websocket.create_connection(page["webSocketDebuggerUrl"], timeout=30)
    ids = iter(range(1, 1 << 30))

    def call(method, **params):
        n = next(ids)
        ws.send(json.dumps({"id": n, "method": method, "params": params}))
        while True:
            reply = json.loads(ws.recv())
            if reply.get("id") == n:
                return reply.get("result", {})

    def evaluate(expression):
        return call("Runtime.evaluate", expression=expression, returnByValue=True).get("result", {}).get("value")

    call("Page.enable")
    call("Page.navigate", url=url)
    state = None
    for _ in range(600):
        state = evaluate("document.getElementById('output') && document.getElementById('output').dataset.state")
        if state in ("done", "error"):
            break
        time.sleep(0.05)
    shown = evaluate("(document.getElementById('completion') || {}).textContent")
    status = evaluate("document.getElementById('status').textContent")
    assert state == "done", f"the page did not finish streaming: state {state!r}, status {status!r}"
    assert shown == expected, f"the page shows {shown!r}, lm-generate printed {expected!r}"
    print(f"Chromium: the page streamed lm-generate's text ({status})")
finally:
    browser.terminate()
    browser.wait(timeout=10)
