#!/usr/bin/env python3
"""Another IndieWeb site on loopback, for tests/it/findable.rs: Webmention done by
ronkyuu (IndieWeb Webmention tools, PyPI), not by Tribune's code.

Usage:
  webmention_peer.py serve PORT DIR
      Serves DIR/NAME.html at /NAME (410 Gone while DIR/NAME.gone exists), each page
      advertising this site's endpoint in a Link header; each path asked for is
      appended to DIR/fetched. POST /webmention is that
      endpoint: it verifies the mention as ronkyuu does (ronkyuu.findMentions: the
      source's h-entry links to the target) and appends what it found to
      DIR/received.jsonl; while DIR/fail holds a number above zero it answers 500
      instead and counts down.
  webmention_peer.py send SOURCE TARGET
      Discovers TARGET's endpoint and sends it SOURCE (ronkyuu.sendWebmention);
      prints {"status": ..., "endpoint": ...} as JSON.
"""
import json
import os
import sys
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import ronkyuu


def serve(port, root):
    endpoint = f"http://127.0.0.1:{port}/webmention"

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def answer(self, status, body=b"", kind="text/plain; charset=utf-8", link=False):
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            if link:
                self.send_header("Link", f'<{endpoint}>; rel="webmention"')
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self):
            with open(os.path.join(root, "fetched"), "a") as f:
                f.write(self.path + "\n")
            name = urllib.parse.urlparse(self.path).path.strip("/")
            if not name or "/" in name or name.startswith("."):
                return self.answer(404, b"not found\n")
            if os.path.exists(os.path.join(root, name + ".gone")):
                return self.answer(410, b"gone\n")
            page = os.path.join(root, name + ".html")
            if not os.path.exists(page):
                return self.answer(404, b"not found\n")
            with open(page, "rb") as f:
                body = f.read()
            self.answer(200, body, "text/html; charset=utf-8", link=True)

        def do_POST(self):
            if urllib.parse.urlparse(self.path).path != "/webmention":
                return self.answer(404, b"not found\n")
            length = int(self.headers.get("Content-Length") or 0)
            form = urllib.parse.parse_qs(self.rfile.read(length).decode())
            source = (form.get("source") or [""])[0]
            target = (form.get("target") or [""])[0]
            fail = os.path.join(root, "fail")
            if os.path.exists(fail):
                with open(fail) as f:
                    left = int(f.read().strip() or 0)
                if left > 0:
                    with open(fail, "w") as f:
                        f.write(str(left - 1))
                    return self.answer(500, b"try again later\n")
            found = ronkyuu.findMentions(source, target, test_urls=False, timeout=10)
            record = {
                "source": source,
                "target": target,
                "source_status": found["status"],
                "verified": target in found["refs"],
                "content_type": self.headers.get("Content-Type"),
            }
            with open(os.path.join(root, "received.jsonl"), "a") as f:
                f.write(json.dumps(record) + "\n")
            self.answer(202, b"accepted\n")

    ThreadingHTTPServer(("127.0.0.1", port), Handler).serve_forever()


def send(source, target):
    result = ronkyuu.sendWebmention(source, target, test_urls=False, timeout=10)
    status, found = ronkyuu.discoverEndpoint(target, test_urls=False, timeout=10)
    print(
        json.dumps(
            {
                "status": result.status_code if result is not None else None,
                "body": result.text if result is not None else None,
                "endpoint": found,
                "discovery_status": status,
            }
        )
    )


if __name__ == "__main__":
    if sys.argv[1] == "serve":
        serve(int(sys.argv[2]), sys.argv[3])
    elif sys.argv[1] == "send":
        send(sys.argv[2], sys.argv[3])
    else:
        sys.exit(__doc__)
