"""Command line (`flask --app wsgi ...`), as listed in docs/design.md's public contract."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from recrutement.backup import backup_commands
from recrutement.core.errors import ServiceError
from recrutement.core.french import plural
from recrutement.core.models import record_event_on
from recrutement.extensions import db


def register_commands(app: Flask) -> None:
    app.cli.add_command(offers)
    app.cli.add_command(search)
    app.cli.add_command(personal_data)
    app.cli.add_command(alerts)
    app.cli.add_command(demo)
    app.cli.add_command(users)
    app.cli.add_command(referential)
    app.cli.add_command(outbox)
    app.cli.add_command(worker)
    app.cli.add_command(backup_commands)


demo = AppGroup("demo", help="Demo data.")
users = AppGroup("users", help="User accounts.")
referential = AppGroup("referential", help="The administrative referential and PVD towns.")
outbox = AppGroup("outbox", help="Outgoing mails.")
offers = AppGroup("offers", help="Offers.")
search = AppGroup("search", help="The Whoosh search index.")
alerts = AppGroup("alerts", help="Email alerts of saved searches.")


@alerts.command("send")
@click.option(
    "--frequency",
    type=click.Choice(["daily", "weekly"]),
    required=True,
    help="Which saved searches to mail (each at most once a day or a week).",
)
def alerts_send(frequency: str) -> None:
    """Mail the saved searches of this frequency the new offers they find."""
    from recrutement.alerts.sending import send_alerts

    queued = plural(send_alerts(frequency), "alerte mise", "alertes mises")
    click.echo(f"{queued} en file d'envoi.")


personal_data = AppGroup("personal-data", help="Personal data (retention period).")


@personal_data.command("purge")
def personal_data_purge() -> None:
    """Delete inactive candidate accounts and anonymise old applications (RETENTION_DAYS);
    delete the mails delivered more than 90 days ago."""
    from recrutement.candidates.personal_data import purge_expired
    from recrutement.emails.outbox import purge_delivered

    counts = purge_expired()
    mails = purge_delivered()
    click.echo(
        f"{plural(counts['accounts_deleted'], 'compte supprimé', 'comptes supprimés')}, "
        f"{plural(counts['applications_anonymised'], 'candidature anonymisée', 'candidatures anonymisées')}, "
        f"{plural(counts['files_deleted'], 'fichier effacé', 'fichiers effacés')}, "
        f"{plural(mails, 'courriel envoyé', 'courriels envoyés')} il y a plus de 90 jours "
        f"{'effacés' if mails > 1 else 'effacé'}."
    )


@search.command("rebuild")
def search_rebuild() -> None:
    """Recreate the search index from the database (published offers only)."""
    from recrutement.search.index import rebuild_index

    started = time.perf_counter()
    # This command runs no other thread: the rebuild may fork, one process per core.
    count = rebuild_index(processes=len(os.sched_getaffinity(0)))
    click.echo(
        f"Index reconstruit : {plural(count, 'offre')} en {time.perf_counter() - started:.1f} s"
    )


@offers.command("expire")
def offers_expire() -> None:
    """Expire the published offers whose application deadline has passed."""
    from recrutement.offers.services import expire_due

    click.echo(f"{plural(expire_due(), 'offre expirée', 'offres expirées')}.")


@demo.command("seed")
@click.option(
    "--offers",
    "extra_offers",
    default=0,
    show_default=True,
    help="Add this many more realistic published offers (for load tests).",
)
@click.option(
    "--national",
    is_flag=True,
    help="Add a whole programme's volume (PVD towns, posts, applications, cofunding since "
    "2020), for the dashboard and load tests; idempotent.",
)
def demo_seed(extra_offers: int, national: bool) -> None:
    """Load the referential and create the demo accounts, offers in every state (idempotent)."""
    from recrutement.demo import DemoRefused, seed
    from recrutement.demo.applications import create_demo_applications
    from recrutement.demo.cofunding import create_demo_cofunding
    from recrutement.demo.offers import (
        create_demo_offers,
        create_demo_offers_in_every_state,
        describe_demo_offers,
    )
    from recrutement.search.index import rebuild_index

    try:
        summary = seed()
    except DemoRefused as refusal:
        raise click.ClickException(str(refusal)) from refusal
    click.echo(summary)
    created = create_demo_offers_in_every_state()
    click.echo(describe_demo_offers(created))
    click.echo(f"Candidatures de démonstration ajoutées : {create_demo_applications()}")
    click.echo(f"Demandes de cofinancement de démonstration ajoutées : {create_demo_cofunding()}")
    if extra_offers:
        started = time.perf_counter()
        added = create_demo_offers(extra_offers)
        click.echo(
            f"{plural(added, 'offre publiée ajoutée', 'offres publiées ajoutées')} "
            f"en {time.perf_counter() - started:.1f} s"
        )
    if national:
        from recrutement.demo.national import seed_national

        click.echo("Programme national de démonstration :")
        try:
            click.echo(seed_national(progress=click.echo))
        except DemoRefused as refusal:
            raise click.ClickException(str(refusal)) from refusal
    # Bulk-inserted demo offers bypass the index tasks: rebuild from the database.
    indexed = plural(rebuild_index(), "offre publiée indexée", "offres publiées indexées")
    click.echo(f"Index de recherche : {indexed}")


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
    from recrutement.search.index import rebuild_index

    started = time.perf_counter()
    counts = load_referential()
    click.echo(f"{describe_load(counts)} en {time.perf_counter() - started:.1f} s")
    if counts["changed"]:
        # Commune names and coordinates are copied into the index documents.
        click.echo(f"Index de recherche reconstruit : {plural(rebuild_index(), 'offre')}")


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
            f"{plural(len(report.errors), 'erreur')} : le fichier est refusé, rien n'a été modifié."
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
        f"{plural(report.sent, 'envoyé')}, {report.failed} en échec (nouvel essai prévu), "
        f"{plural(report.given_up, 'abandonné')}"
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
