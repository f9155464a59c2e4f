"""The interactive API page at /docs, with Swagger UI served by the service itself (no CDN)."""
from __future__ import annotations

import swagger_ui_bundle
from flask import Blueprint, Flask, send_from_directory

ASSETS = "/docs-assets/"


def register(app: Flask) -> None:
    bp = Blueprint("docs_assets", __name__)

    @bp.route(ASSETS + "<path:filename>")
    def assets(filename):
        return send_from_directory(swagger_ui_bundle.swagger_ui_path, filename, max_age=86400)

    app.register_blueprint(bp)
