"""HTTP front end: POST text to /stats, get its word statistics as JSON."""

import os

from flask import Flask, jsonify, request

from textstats import summary

app = Flask(__name__)


@app.get("/health")
def health():
    return {"status": "ok"}


@app.post("/stats")
def stats():
    text = request.get_data(as_text=True)
    top = int(request.args.get("top", "5"))
    return jsonify(summary(text, top))


def main() -> None:
    port = int(os.environ.get("TEXTSTATS_PORT", "8000"))
    app.run(host="0.0.0.0", port=port)


if __name__ == "__main__":
    main()
