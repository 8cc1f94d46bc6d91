"""``helpline complaints ...``: operator commands for complaints."""

from __future__ import annotations

import click


@click.group()
def complaints() -> None:
    """Complaints: housekeeping and look-ups."""


@complaints.command("close-stale")
def close_stale_command() -> None:
    """Close resolved complaints whose reopen window has passed (run daily, e.g. from cron)."""
    from helpline.cli import env
    from helpline.complaints import references
    from helpline.complaints import service as csvc
    from helpline.pipeline import utcnow

    core, sessions = env().core, env().sessions
    with sessions.begin() as session:
        closed = csvc.close_stale(session, utcnow(), core)
        refs = [references.display(c.reference) for c in closed]
    click.echo(f"closed {len(refs)} complaint(s){': ' + ', '.join(refs) if refs else ''}")


@complaints.command("show")
@click.argument("reference")
def show_command(reference: str) -> None:
    """Print a complaint's status and history (no personal fields)."""
    from helpline.cli import env
    from helpline.complaints import references
    from helpline.complaints import service as csvc

    with env().sessions() as session:
        found = csvc.find_by_reference(session, reference)
        if found is None:
            raise click.ClickException("no complaint with that reference (check the letters and the check symbol)")
        click.echo(f"{references.display(found.reference)} {found.category} {found.status} "
                   f"body={found.responsible_body}"
                   f" urgent={found.urgent} created={found.created_at:%Y-%m-%d %H:%M}")
        for e in found.events:
            change = f" {e.from_status or ''}->{e.to_status}" if e.to_status else ""
            click.echo(f"  {e.at:%Y-%m-%d %H:%M} {e.actor} {e.kind}{change}{' (public)' if e.public else ''}")
