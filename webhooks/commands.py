"""``helpline serve`` and ``helpline worker``. Only click is imported here; the rest when a command runs."""

from __future__ import annotations

import click

from helpline.cli import env


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on (0.0.0.0: all).")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--workers", default=2, show_default=True, type=click.IntRange(1, 64), help="gunicorn processes.")
@click.option("--threads", default=4, show_default=True, type=click.IntRange(1, 64), help="Threads per process.")
@click.option("--no-outbox", is_flag=True, help="Do not deliver the outbox here (a `helpline worker` does).")
def serve(host: str, port: int, workers: int, threads: int, no_outbox: bool) -> None:
    """Run the web app (webhooks, staff console, /healthz) under gunicorn until SIGTERM."""
    from helpline.errors import HelplineError
    from webhooks.server import serve as run

    try:
        run(env().settings, host=host, port=port, workers=workers, threads=threads, outbox=not no_outbox)
    except HelplineError as exc:
        raise click.ClickException(str(exc)) from None


@click.command()
@click.option("--interval", default=1.0, show_default=True, type=click.FloatRange(0.05, 60),
              help="Seconds to wait when nothing is due.")
@click.option("--batch", default=20, show_default=True, type=click.IntRange(1, 500), help="Rows claimed per pass.")
@click.option("--drain", is_flag=True, help="Exit once nothing is queued or being sent.")
@click.option("--lease", default=120.0, show_default=True, type=click.FloatRange(2, 3600),
              help="Seconds a claimed message is reserved; keep it above HELPLINE_TWILIO_TIMEOUT_SECONDS.")
def worker(interval: float, batch: int, drain: bool, lease: float) -> None:
    """Deliver the outbox until SIGTERM/SIGINT (safe to run several, also beside `helpline serve`)."""
    import signal
    import threading
    from datetime import timedelta

    from helpline.errors import HelplineError
    from helpline.outbox import run_worker
    from webhooks.server import build_senders

    settings = env().settings
    try:
        senders = build_senders(settings)
    except HelplineError as exc:
        raise click.ClickException(str(exc)) from None
    if not senders:
        raise click.ClickException("no channel is configured to send (e.g. HELPLINE_TWILIO_ACCOUNT_SID, "
                                   "HELPLINE_TWILIO_AUTH_TOKEN, HELPLINE_TWILIO_FROM)")
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    sessions = env().sessions
    chores = []
    if not drain:  # a long-running worker also hands lapsed handoffs back to the bot (as `serve` does)
        from helpline.handoff.service import expiry_chore

        chores.append(expiry_chore(sessions, env().core))
        from webhooks.server import build_media_chore

        media = build_media_chore(settings, sessions)  # the voice notes and photos workers sent (issue 18)
        if media is not None:
            chores.append(media)
    click.echo(f"outbox worker delivering {', '.join(sorted(senders))}", err=True)
    total = run_worker(sessions, senders, stop, interval=interval, batch=batch, drain=drain,
                       lease=timedelta(seconds=lease), chores=chores)
    click.echo(f"sent {total.sent}, retried {total.retried}, failed {total.failed}, skipped {total.skipped}, "
               f"held {total.held}", err=True)
    env().engine.dispose()
