"""The benchmark's baseline: one Flask route returning a small HTML page.

`make bench` serves it with gunicorn exactly as it serves the tracker (same flags, same
client), so each page's requests per second can be read as a share of what Flask and
gunicorn manage on this machine when the application does nothing.
"""

from __future__ import annotations

from flask import Flask

PAGE = """<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Baseline</title></head>
<body><main><h1>Baseline</h1><p>A minimal Flask route.</p></main></body>
</html>
"""

app = Flask(__name__)


@app.get("/")
def index() -> str:
    return PAGE
