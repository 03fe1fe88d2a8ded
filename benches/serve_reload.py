#!/usr/bin/env python3
"""Time from saving one document to the new build being served, as a browser sees
it: `ismsbook serve` on a corpus, one document edited, the page's reload request
(/__ismsbook/wait) answered, and the page fetched again.

    python3 benches/serve_reload.py CORPUS [ISMSBOOK] [RUNS]
"""
import re
import statistics
import subprocess
import sys
import time
import urllib.request

corpus = sys.argv[1]
binary = sys.argv[2] if len(sys.argv) > 2 else "target/release/ismsbook"
runs = int(sys.argv[3]) if len(sys.argv) > 3 else 5

server = subprocess.Popen([binary, "--root", corpus, "serve", "--port", "0"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
try:
    url = server.stdout.readline().split("at ")[1].split(" ")[0]
    page = url + "policies/doc-00000.html"
    version = int(urllib.request.urlopen(page).read().decode().split("var v=")[1].split(";")[0])
    path = f"{corpus}/policies/doc-00000.md"
    original = open(path).read()
    times = []
    for n in range(runs):
        time.sleep(0.5)
        start = time.monotonic()
        # A proper change: new text and a new version (an approved document's text
        # may not change without one).
        edited = re.sub(r'version: "(\d+)\.(\d+)"', lambda m: f'version: "{m[1]}.{int(m[2]) + 1000 + n}"', original, count=1)
        with open(path, "w") as f:
            f.write(edited + f"\nEdit {n}.\n")
        while True:
            answer = int(urllib.request.urlopen(f"{url}__ismsbook/wait?v={version}").read())
            if answer != version:
                version = answer
                break
        body = urllib.request.urlopen(page).read().decode()
        times.append(time.monotonic() - start)
        assert f"Edit {n}." in body, "the page shows the edit"
    with open(path, "w") as f:
        f.write(original)
    print(f"save to reloaded page: median {statistics.median(times) * 1000:.0f} ms, "
          f"min {min(times) * 1000:.0f} ms, max {max(times) * 1000:.0f} ms ({runs} saves)")
finally:
    server.kill()
