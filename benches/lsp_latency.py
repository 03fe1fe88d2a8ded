#!/usr/bin/env python3
"""How quickly `ismsbook lsp` answers on a corpus, as an editor sees it: the time from
a didChange to the publishDiagnostics of that document (the server's 200 ms settle
time included), and from a completion request for a control id to its answer.

    python3 benches/lsp_latency.py CORPUS [ISMSBOOK] [RUNS]

Prints the medians in milliseconds.
"""
import json
import os
import statistics
import subprocess
import sys
import time

corpus = os.path.abspath(sys.argv[1])
binary = sys.argv[2] if len(sys.argv) > 2 else "target/release/ismsbook"
runs = int(sys.argv[3]) if len(sys.argv) > 3 else 6

server = subprocess.Popen([binary, "--root", corpus, "lsp"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)


def send(message):
    body = json.dumps(message).encode()
    server.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
    server.stdin.flush()


def receive():
    length = 0
    while True:
        line = server.stdout.readline()
        if not line:
            raise SystemExit("the server stopped")
        if line in (b"\r\n", b"\n"):
            break
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":")[1])
    return json.loads(server.stdout.read(length))


def wait_for(predicate):
    while True:
        message = receive()
        if predicate(message):
            return message


try:
    uri = "file://" + corpus + "/policies/doc-00000.md"
    text = open(corpus + "/policies/doc-00000.md").read()
    send({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"processId": None, "rootUri": "file://" + corpus, "capabilities": {}}})
    wait_for(lambda m: m.get("id") == 1)
    send({"jsonrpc": "2.0", "method": "initialized", "params": {}})
    send({"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument": {"uri": uri, "languageId": "markdown", "version": 1, "text": text}}})
    wait_for(lambda m: m.get("method") == "textDocument/publishDiagnostics" and m["params"]["uri"] == uri)

    diagnostics = []
    for n in range(runs):
        edited = text.replace("## Purpose\n", f"## Purpose\n\nEdit {n}.\n", 1)
        start = time.monotonic()
        send({"jsonrpc": "2.0", "method": "textDocument/didChange", "params": {"textDocument": {"uri": uri, "version": n + 2}, "contentChanges": [{"text": edited}]}})
        wait_for(lambda m: m.get("method") == "textDocument/publishDiagnostics" and m["params"]["uri"] == uri)
        diagnostics.append((time.monotonic() - start) * 1000)
        time.sleep(0.3)

    # Completion inside `controls: [` of the front matter.
    line = next(i for i, l in enumerate(text.splitlines()) if l.startswith("controls:"))
    completions = []
    for n in range(runs):
        start = time.monotonic()
        send({"jsonrpc": "2.0", "id": 100 + n, "method": "textDocument/completion", "params": {"textDocument": {"uri": uri}, "position": {"line": line, "character": len("controls: [")}}})
        answer = wait_for(lambda m: m.get("id") == 100 + n)
        completions.append((time.monotonic() - start) * 1000)
        items = answer.get("result") or []
        items = items.get("items", []) if isinstance(items, dict) else items
        if not items:
            raise SystemExit("no completion items")
    print(f"diagnostics after a change {statistics.median(diagnostics):.0f} ms (200 ms settle included), completion of a control id {statistics.median(completions):.0f} ms; medians of {runs}")
    send({"jsonrpc": "2.0", "id": 999, "method": "shutdown"})
    wait_for(lambda m: m.get("id") == 999)
    send({"jsonrpc": "2.0", "method": "exit"})
finally:
    try:
        server.wait(timeout=5)
    except subprocess.TimeoutExpired:
        server.kill()
