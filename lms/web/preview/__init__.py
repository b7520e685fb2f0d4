"""The live preview of a working folder (`flask lms preview PATH`); see routes.py."""

from __future__ import annotations

from pathlib import Path

from flask import Flask

from lms.web.preview.routes import FOLDER_SETTING, bp


def enable_live_preview(app: Flask, folder: Path) -> None:
    """Serve ``folder`` at /preview/ in this app (only the preview server does this, never the site)."""
    app.config[FOLDER_SETTING] = str(folder.resolve())
    app.register_blueprint(bp, url_prefix="/preview")
