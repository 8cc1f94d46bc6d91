"""``helpline privacy ...``: retention and the data keys (issue 16, item 6). See helpline.retention, helpline.crypto."""

from __future__ import annotations

import click


@click.group()
def privacy() -> None:
    """Privacy at rest: the retention purge and the data keys."""


@privacy.command("purge")
@click.option("--dry-run", is_flag=True, help="Count what would be anonymised; change nothing.")
def purge_command(dry_run: bool) -> None:
    """Anonymise message texts, unanswered questions and handoff reasons older than HELPLINE_RETENTION_MESSAGE_DAYS,
    complaints closed longer ago than HELPLINE_RETENTION_CLOSED_CASE_DAYS and drafts older than
    HELPLINE_COMPLAINT_DRAFT_DAYS (run daily, e.g. from cron; the rows and their counts stay)."""
    from helpline import retention
    from helpline.cli import env
    from helpline.pipeline import utcnow

    settings, sessions = env().settings, env().sessions
    periods = retention.Periods.from_settings(settings)
    with sessions.begin() as session:
        counts = retention.purge(session, utcnow(), periods, dry_run=dry_run)
    verb = "would anonymise" if dry_run else "anonymised"
    click.echo(f"{verb}: " + ", ".join(f"{n} {name.replace('_', ' ')}" for name, n in counts.items()))
    click.echo(f"(messages after {periods.messages} days, closed complaints after {periods.closed_cases} days, "
               f"drafts after {periods.drafts} days)")


@privacy.command("new-key")
def new_key_command() -> None:
    """Print a fresh data key (put it first in HELPLINE_DATA_KEYS, then run `helpline privacy rotate-keys`)."""
    from helpline.crypto import generate_key

    click.echo(generate_key())


@privacy.command("rotate-keys")
def rotate_keys_command() -> None:
    """Re-encrypt every identity number and conversation state with the first key of HELPLINE_DATA_KEYS (plain
    values left from before encryption are encrypted too); afterwards the older keys can be dropped."""
    from helpline.cli import env
    from helpline.crypto import rotate

    sessions = env().sessions
    with sessions.begin() as session:
        counts = rotate(session)
    click.echo(f"re-encrypted {counts['complaints']} complaint(s) and {counts['conversations']} conversation(s) "
               "with the newest key")


@privacy.command("encrypt-existing")
def encrypt_existing_command() -> None:
    """Encrypt identity numbers and conversation states still stored in plain (the migration to 0012 already did;
    idempotent)."""
    from helpline.cli import env
    from helpline.crypto import rotate

    sessions = env().sessions
    with sessions.begin() as session:
        counts = rotate(session, only_plain=True)
    click.echo(f"encrypted {counts['complaints']} complaint(s) and {counts['conversations']} conversation(s)")
