"""HTTP service: POST one text per line to /score, get one probability of "positive" per line."""

import json
import os
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from sentiment.model import load

MODEL = load()


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path == "/health":
            self._reply(200, {"status": "ok", "vocabulary": len(MODEL.vocabulary)})
        else:
            self._reply(404, {"error": "not found"})

    def do_POST(self):
        if self.path != "/score":
            self._reply(404, {"error": "not found"})
            return
        length = int(self.headers.get("Content-Length", "0"))
        texts = self.rfile.read(length).decode("utf-8").splitlines()
        self._reply(200, {"scores": MODEL.score(texts)})

    def _reply(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


def main():
    port = int(os.environ.get("PORT", "9000"))
    ThreadingHTTPServer(("0.0.0.0", port), Handler).serve_forever()


if __name__ == "__main__":
    main()
