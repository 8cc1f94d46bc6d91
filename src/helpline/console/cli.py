"""``helpline staff ...``: create the first admin and other staff users, and hand back lapsed conversations."""

from __future__ import annotations

import sys

import click


@click.group("staff")
def staff() -> None:
    """Staff console accounts and handoff upkeep."""


@staff.command("add-user")
@click.argument("username")
@click.option("--role", type=click.Choice(["agent", "supervisor", "admin"]), required=True)
def add_user(username: str, role: str) -> None:
    """Create USERNAME; the password is asked for (or read from stdin's first line when it is not a terminal)."""
    from helpline.cli import env
    from helpline.console.security import audit
    from helpline.console.users import create_user
    from helpline.pipeline import utcnow

    if sys.stdin.isatty():
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    sessions = env().sessions
    try:
        with sessions.begin() as session:
            user = create_user(session, username, password, role, utcnow())
            audit(session, "user.create", "staff_user", user.id, actor="cli", now=utcnow(), role=role,
                        username=user.username)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        sessions.kw["bind"].dispose()
    click.echo(f"created {role} {username.strip().lower()!r}; sign in at /staff/login")


@staff.command("expire-holds")
def expire_holds() -> None:
    """Give every conversation whose hold timed out back to the bot, telling each worker (for cron)."""
    from helpline.cli import env
    from helpline.handoff.service import expire_due
    from helpline.pipeline import utcnow

    settings = env().settings
    core = env().core
    sessions = env().sessions
    try:
        with sessions.begin() as session:
            count = expire_due(session, core, utcnow())
    finally:
        sessions.kw["bind"].dispose()
    click.echo(f"{count} hold(s) handed back to the bot")
