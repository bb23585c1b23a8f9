"""The front-end packages from npm, served by the app itself (the app works on a closed
network): GOV.UK Frontend's CSS, JavaScript, fonts and images, and the bpmn-js viewer.

`make setup` installs them (`npm ci`) into ``node_modules/``; ACRO_NODE_MODULES points
elsewhere when a deployment keeps them in another folder.
"""
from __future__ import annotations

import os
from pathlib import Path

from flask import Blueprint, abort, current_app, send_from_directory

from casework.config import REPO

bp = Blueprint("assets", __name__)

# only what the pages use is served, not the whole of node_modules
PACKAGES = {
    "govuk-frontend": ("govuk-frontend/dist/govuk", {"govuk-frontend.min.css", "govuk-frontend.min.js",
                                                     "govuk-frontend.min.css.map", "govuk-frontend.min.js.map"}),
    "bpmn-js": ("bpmn-js/dist", {"bpmn-navigated-viewer.production.min.js", "assets/bpmn-js.css",
                                 "assets/diagram-js.css"}),
}
ONE_DAY = 24 * 3600


def node_modules() -> Path:
    return Path(current_app.config.get("ACRO_NODE_MODULES") or os.environ.get("ACRO_NODE_MODULES")
                or REPO / "node_modules")


@bp.get("/assets/<path:filename>")
def govuk_assets(filename):
    """GOV.UK Frontend's fonts and images, where its CSS expects them (/assets/)."""
    return send_from_directory(node_modules() / "govuk-frontend/dist/govuk/assets", filename, max_age=ONE_DAY)


@bp.get("/vendor/<package>/<path:filename>")
def vendor(package, filename):
    if package not in PACKAGES:
        abort(404)
    folder, allowed = PACKAGES[package]
    # bpmn-js's CSS loads its font from assets/bpmn-font/
    if filename not in allowed and not (package == "bpmn-js" and filename.startswith("assets/bpmn-font/")):
        abort(404)
    return send_from_directory(node_modules() / folder, filename, max_age=ONE_DAY)


def init_app(app) -> None:
    app.register_blueprint(bp)
    missing = [name for name, (folder, _) in PACKAGES.items()
               if not (Path(app.config.get("ACRO_NODE_MODULES") or os.environ.get("ACRO_NODE_MODULES")
                            or REPO / "node_modules") / folder).is_dir()]
    if missing:
        app.logger.warning("front-end packages missing (%s): run `make setup` (npm ci)", ", ".join(missing))
