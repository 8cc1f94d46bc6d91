"""``helpline oep ...``: the operator's commands for the OEP registry (the Bureau's list of licensed agents)."""

from __future__ import annotations

import getpass
from datetime import date
from pathlib import Path

import click


@click.group()
def oep() -> None:
    """Recruiting agents (OEPs): the Bureau's list that "Check an agent" answers from."""


@oep.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Validate and count, write nothing.")
@click.option("--list-date", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="The date of the list (YYYY-MM-DD), shown to workers; default: the newest updated_at, else today.")
def import_command(file: Path, dry_run: bool, list_date) -> None:  # type: ignore[no-untyped-def]
    """Import FILE.csv (licence_no, name, city, status; valid_until, address, phone, updated_at).

    All or nothing: any rejected row leaves the registry as it was. Exit status 1 when rows were rejected.
    """
    from sqlalchemy.exc import SQLAlchemyError

    from helpline.cli import env, import_done
    from helpline.oep.importer import import_csv
    from helpline.pipeline import utcnow

    sessions = env().sessions
    listed: date | None = list_date.date() if list_date else None
    try:
        report = import_csv(sessions, file, now=utcnow(), list_date=listed, dry_run=dry_run,
                            imported_by=f"cli:{getpass.getuser()}")
    except SQLAlchemyError as exc:  # rolled back: nothing was written
        raise click.ClickException(f"database error, nothing written: {type(exc).__name__}") from None
    finally:
        sessions.kw["bind"].dispose()
    import_done(report)


@oep.command("fictional")
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--count", default=200, show_default=True, help="How many agencies.")
@click.option("--seed", default=17, show_default=True)
def fictional_command(out: Path, count: int, seed: int) -> None:
    """Write a FICTIONAL list (invented names, for trying the feature) to OUT.csv; never real agencies."""
    from helpline.oep.fictional import agencies, to_csv

    out.write_text(to_csv(agencies(count, seed)), encoding="utf-8")
    click.echo(f"{count} fictional agencies written to {out}")
