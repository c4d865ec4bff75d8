"""Interactive API docs at /api/docs, served from files shipped with the package: no CDN."""

from __future__ import annotations

from flask import Flask, send_from_directory

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Careers Hub Tracker API</title>
<link rel="stylesheet" href="/api/docs/static/swagger-ui.css"></head>
<body><div id="docs"></div>
<script src="/api/docs/static/swagger-ui-bundle.js"></script>
<script src="/api/docs/static/swagger-ui-standalone-preset.js"></script>
<script src="/api/docs/static/start.js"></script>
</body></html>"""

START = """window.ui = SwaggerUIBundle({url: "/api/openapi.json", dom_id: "#docs",
  presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
  layout: "StandaloneLayout"});"""


def register(app: Flask) -> None:
    import swagger_ui_bundle

    folder = swagger_ui_bundle.swagger_ui_path

    @app.get("/api/docs")
    def api_docs():
        return PAGE, 200, {"Content-Type": "text/html; charset=utf-8"}

    @app.get("/api/docs/static/start.js")
    def api_docs_start():
        return START, 200, {"Content-Type": "application/javascript"}

    @app.get("/api/docs/static/<path:name>")
    def api_docs_static(name: str):
        return send_from_directory(folder, name)
