"""Command line (`flask --app wsgi ...`), as listed in DESIGN.md's public contract."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from recrutement.core.errors import ServiceError
from recrutement.core.models import record_event_on
from recrutement.extensions import db


def register_commands(app: Flask) -> None:
    app.cli.add_command(demo)
    app.cli.add_command(users)
    app.cli.add_command(referential)
    app.cli.add_command(outbox)
    app.cli.add_command(worker)


demo = AppGroup("demo", help="Demo data.")
users = AppGroup("users", help="User accounts.")
referential = AppGroup("referential", help="The administrative referential and PVD towns.")
outbox = AppGroup("outbox", help="Outgoing mails.")


@demo.command("seed")
def demo_seed() -> None:
    """Load the referential and create the demo accounts and data (idempotent)."""
    from recrutement.demo import DemoRefused, seed

    try:
        summary = seed()
    except DemoRefused as refusal:
        raise click.ClickException(str(refusal)) from refusal
    click.echo(summary)


@users.command("create-admin")
@click.argument("email")
@click.option(
    "--password",
    prompt=True,
    hide_input=True,
    confirmation_prompt=True,
    help="Prompted for when not given.",
)
def users_create_admin(email: str, password: str) -> None:
    """Create an ANCT (admin) account."""
    from recrutement.accounts.services import create_admin

    try:
        user = create_admin(email, password)
    except ServiceError as error:
        raise click.ClickException(error.message) from error
    click.echo(f"Compte ANCT créé : {user.email}")


@referential.command("load")
def referential_load() -> None:
    """Load or refresh communes, groupings, départements and régions from the shipped file."""
    from recrutement.referential.loader import describe_load, load_referential

    started = time.perf_counter()
    counts = load_referential()
    click.echo(f"{describe_load(counts)} en {time.perf_counter() - started:.1f} s")


@referential.command("import-pvd")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def referential_import_pvd(file: Path) -> None:
    """Import the PVD towns list (CSV: INSEE code; convention signature date)."""
    from recrutement.referential.pvd_import import apply_pvd_import, parse_pvd_csv

    report = parse_pvd_csv(file.read_bytes())
    if report.errors:
        for error in report.errors:
            click.echo(error, err=True)
        raise click.ClickException(
            f"{len(report.errors)} erreur(s) : le fichier est refusé, rien n'a été modifié."
        )
    result = apply_pvd_import(report, None)
    record_event_on(None, "pvd_list_imported", "pvd_list", file.name, str(result))
    db.session.commit()
    click.echo(f"Import terminé : {result}")


@outbox.command("send")
def outbox_send() -> None:
    """Send the mails that are due, once."""
    from recrutement.emails.outbox import send_due

    report = send_due()
    click.echo(
        f"{report.sent} envoyé(s), {report.failed} en échec (nouvel essai prévu), "
        f"{report.given_up} abandonné(s)"
    )
    if report.failed or report.given_up:
        sys.exit(1)


@click.command("worker")
@click.option("--interval", default=2.0, show_default=True, help="Seconds between rounds.")
def worker(interval: float) -> None:
    """Run the background worker until stopped (Ctrl-C or SIGTERM)."""
    from recrutement.worker import Worker

    current_app.logger.info("worker starting")
    Worker(interval=interval).run()
