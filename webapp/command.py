"""The `acro` command (pyproject.toml's entry point): the app's commands, with the app built
from the environment, and the commands that need only a folder of diagrams."""

from __future__ import annotations

import click
from flask.cli import FlaskGroup

from . import create_app
from .cli import PROCESS_COMMANDS


@click.group(
    cls=FlaskGroup,
    create_app=lambda: create_app(),
    add_default_commands=False,
    help="ACRO Casework: validate diagrams, run scenarios, fire timers, serve the app.",
)
def main():
    pass


for _command in PROCESS_COMMANDS:
    main.add_command(_command)
