"""The front-end packages from npm, served by the app itself (the app works on a closed
network): GOV.UK Frontend's CSS, JavaScript, fonts and images, the bpmn-js viewer, and the
Camunda 7 BPMN and DMN modelers of the workbench.

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
    "govuk-frontend": (
        "govuk-frontend/dist/govuk",
        {"govuk-frontend.min.css", "govuk-frontend.min.js", "govuk-frontend.min.css.map", "govuk-frontend.min.js.map"},
    ),
    "bpmn-js": (
        "bpmn-js/dist",
        {"bpmn-navigated-viewer.production.min.js", "assets/bpmn-js.css", "assets/diagram-js.css"},
    ),
    # the workbench's modelers: the Camunda 7 modeler with its properties panel and element
    # templates, and the DMN modeler (their fonts from files: the CSP allows no data: fonts)
    "camunda-bpmn-js": (
        "camunda-bpmn-js/dist",
        {
            "camunda-platform-modeler.production.min.js",
            "assets/diagram-js.css",
            "assets/bpmn-js.css",
            "assets/bpmn-font/css/bpmn.css",
            "assets/properties-panel.css",
            "assets/element-templates.css",
            "assets/element-template-chooser.css",
            "assets/popup-menu.css",
        },
    ),
    "camunda-dmn-js": (
        "camunda-dmn-js/dist",
        {
            "camunda-platform-modeler.production.min.js",
            "assets/diagram-js.css",
            "assets/dmn-font/css/dmn.css",
            "assets/dmn-js-shared.css",
            "assets/dmn-js-drd.css",
            "assets/dmn-js-decision-table.css",
            "assets/dmn-js-decision-table-controls.css",
            "assets/dmn-js-literal-expression.css",
            "assets/properties-panel.css",
        },
    ),
}
# the icon fonts the CSS above loads
FONT_FOLDERS = {
    "bpmn-js": "assets/bpmn-font/",
    "camunda-bpmn-js": "assets/bpmn-font/font/",
    "camunda-dmn-js": "assets/dmn-font/font/",
}
ONE_DAY = 24 * 3600


def node_modules() -> Path:
    return Path(
        current_app.config.get("ACRO_NODE_MODULES") or os.environ.get("ACRO_NODE_MODULES") or REPO / "node_modules"
    )


@bp.get("/assets/<path:filename>")
def govuk_assets(filename):
    """GOV.UK Frontend's fonts and images, where its CSS expects them (/assets/)."""
    return send_from_directory(node_modules() / "govuk-frontend/dist/govuk/assets", filename, max_age=ONE_DAY)


@bp.get("/vendor/<package>/<path:filename>")
def vendor(package, filename):
    if package not in PACKAGES:
        abort(404)
    folder, allowed = PACKAGES[package]
    # the diagram CSS loads its icon font from a folder beside it
    fonts = FONT_FOLDERS.get(package)
    if filename not in allowed and not (fonts and filename.startswith(fonts)):
        abort(404)
    return send_from_directory(node_modules() / folder, filename, max_age=ONE_DAY)


def init_app(app) -> None:
    app.register_blueprint(bp)
    missing = [
        name
        for name, (folder, _) in PACKAGES.items()
        if not (
            Path(app.config.get("ACRO_NODE_MODULES") or os.environ.get("ACRO_NODE_MODULES") or REPO / "node_modules")
            / folder
        ).is_dir()
    ]
    if missing:
        app.logger.warning("front-end packages missing (%s): run `make setup` (npm ci)", ", ".join(missing))
