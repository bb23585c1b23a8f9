"""Referrals by email: the ``acro intake`` command, and the "intake problems" page where the
CC Workflow team sees every message that could not be taken in, and why."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import Blueprint, abort, g, render_template
from flask.cli import with_appcontext

from casework.intake.mailbox import Intake, IntakeError, default_quarantine, problems
from casework.referral import DEFAULT_MAX_ATTACHMENT_BYTES
from webapp.db import db

from .bootstrap import policy
from .views.auth import signed_in

bp = Blueprint("intake", __name__, url_prefix="/intake")


@click.command("intake")
@with_appcontext
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option(
    "--quarantine",
    type=click.Path(file_okay=False, path_type=Path),
    envvar="ACRO_INTAKE_QUARANTINE",
    help="Maildir for messages that cannot be read (default: 'quarantine' beside each PATH; "
    "env ACRO_INTAKE_QUARANTINE).",
)
@click.option(
    "--max-attachment-mb",
    type=click.FloatRange(min=0.001),
    envvar="ACRO_INTAKE_MAX_ATTACHMENT_MB",
    default=DEFAULT_MAX_ATTACHMENT_BYTES / 1048576,
    show_default=True,
    help="Largest certificate PDF taken in (env ACRO_INTAKE_MAX_ATTACHMENT_MB).",
)
@click.option(
    "--max-message-mb",
    type=click.FloatRange(min=0.001),
    envvar="ACRO_INTAKE_MAX_MESSAGE_MB",
    help="Largest whole message read; a bigger one is quarantined unread (default: 1.4 x the "
    "attachment limit + 1 MB, 15 MB; env ACRO_INTAKE_MAX_MESSAGE_MB).",
)
def intake_command(paths, quarantine, max_attachment_mb, max_message_mb):
    """Take in ACRO referral emails from Maildirs (new/ and cur/) or single .eml files.

    Each message becomes one referral, however often it is read (by Message-ID); a message
    that cannot be read is moved to the quarantine Maildir with its reason.
    """
    from .bootstrap import casework

    failed = False
    for path in paths:
        runner = Intake(
            casework(),
            quarantine=quarantine,
            max_attachment=int(max_attachment_mb * 1048576),
            max_message=int(max_message_mb * 1048576) if max_message_mb else None,
        )
        try:
            report = runner.run(path)
        except IntakeError as exc:
            raise click.ClickException(str(exc)) from None
        for outcome in report.outcomes:
            if outcome.status == "accepted":
                click.echo(f"referral {outcome.case_reference}: {outcome.path.name} ({outcome.message_id})")
            elif outcome.status == "duplicate":
                click.echo(
                    f"already taken in: {outcome.path.name} ({outcome.message_id})"
                    + (f" as {outcome.case_reference}" if outcome.case_reference else "")
                    + (f"; {outcome.reason}" if outcome.reason else "")
                )
            elif outcome.status == "quarantined":
                click.echo(f"quarantined: {outcome.path.name}: {outcome.reason}", err=True)
            else:
                click.echo(f"FAILED, left for the next run: {outcome.path.name}: {outcome.reason}", err=True)
        if report.erase_error:
            click.echo(
                f"could not finish deleting the emails of destroyed certificates (tried again next run): "
                f"{report.erase_error}",
                err=True,
            )
        if report.erased:
            click.echo(f"deleted {report.erased} file(s) of referral emails whose certificates were destroyed (WF-2)")
        counts = {s: len(report.of(s)) for s in ("accepted", "duplicate", "quarantined", "failed")}
        click.echo(
            f"{path}: {counts['accepted']} referral(s) created, {counts['duplicate']} already taken in, "
            f"{counts['quarantined']} quarantined (in {quarantine or default_quarantine(path)}), "
            f"{counts['failed']} failed"
        )
        failed = failed or not report.ok
    if failed:
        sys.exit(1)


@bp.get("/problems")
@signed_in
def problems_page():
    """Messages that could not be taken in: quarantined, or failed and waiting for a retry."""
    if not policy().may_see_intake_problems(g.actor):
        abort(403)
    return render_template("intake/problems.html", messages=problems(db.session))


def init_app(app) -> None:
    """The page; the command is added with the others in webapp/cli.py."""
    app.register_blueprint(bp)
