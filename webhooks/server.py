"""``helpline serve``: the web app under gunicorn, with the outbox worker as a thread in each web worker.

A custom :class:`gunicorn.app.base.BaseApplication` (https://docs.gunicorn.org/en/stable/custom.html), so no
config file is needed. The app is built once in the master (``preload_app``): the embedded SQLite database is
migrated once, not raced by N workers, and the knowledge base is indexed once; each forked worker drops the
inherited database connections and starts its own outbox thread. SIGTERM is gunicorn's graceful stop: workers
finish the request in hand, the outbox thread finishes the message in hand, and the process exits 0.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any

from gunicorn.app.base import BaseApplication

from helpline.outbox import Sender, run_worker
from helpline.settings import Settings

log = logging.getLogger(__name__)

def build_senders(settings: Settings) -> dict[str, Sender]:
    """Every configured channel's outbound sender, by channel (a channel without its settings has none)."""
    from bot.sender import from_settings as telegram_sender
    from webhooks.twilio.rest import sender_from_settings as twilio_sender
    from webhooks.twilio.whatsapp import sender_from_settings as whatsapp_sender

    senders = (twilio_sender(settings), whatsapp_sender(settings), telegram_sender(settings))
    return {sender.channel: sender for sender in senders if sender is not None}


def build_media_chore(settings: Settings, sessions: Any) -> Callable[[datetime], None] | None:
    """The chore that fetches the media workers sent (Twilio: MMS and WhatsApp), or None without credentials."""
    from helpline.media import MediaPolicy, media_chore
    from helpline.outbox import worker_name
    from webhooks.twilio.media import fetcher_from_settings

    fetcher = fetcher_from_settings(settings)
    if fetcher is None:
        return None
    policy = MediaPolicy.parse(settings.media_max_bytes, settings.media_types)
    return media_chore(sessions, {channel: fetcher for channel in fetcher.channels}, policy, worker=worker_name())


def retrain_chore(sessions: Any, core: Any, every: timedelta = timedelta(seconds=30)) -> Callable[[datetime], None]:
    """A chore for the outbox loop: every ``every``, retrain the matcher if staff taught it something in another
    process (the console's own process retrains at once)."""
    last: list[datetime] = []

    def refresh_taught_examples(now: datetime) -> None:
        if last and now - last[0] < every:
            return
        last[:] = [now]
        core.retrain(sessions)

    return refresh_taught_examples


class OutboxThread:
    """The outbox worker loop in a daemon thread, stopped cleanly by :meth:`stop`."""

    def __init__(self, sessions: Any, senders: dict[str, Sender], interval: float = 1.0,
                 chores: Sequence[Callable[[datetime], None]] = ()):
        self.stop_event = threading.Event()
        self.thread = threading.Thread(target=run_worker, args=(sessions, senders, self.stop_event),
                                       kwargs={"interval": interval, "chores": chores}, name="outbox", daemon=True)

    def start(self) -> OutboxThread:
        """Start delivering."""
        self.thread.start()
        return self

    def stop(self, timeout: float = 20.0) -> None:
        """Ask the loop to end after the message in hand and wait (bounded) for it."""
        self.stop_event.set()
        self.thread.join(timeout)


class HelplineServer(BaseApplication):  # type: ignore[misc] - gunicorn is untyped
    """gunicorn running :func:`webhooks.app.create_app`, configured from the command line."""

    def __init__(self, settings: Settings, *, host: str, port: int, workers: int, threads: int, outbox: bool):
        self.settings, self.outbox = settings, outbox
        self.options = {
            "bind": f"{host}:{port}", "workers": workers, "threads": threads, "preload_app": True,
            "timeout": 30, "graceful_timeout": 20, "accesslog": None, "errorlog": "-",
            "loglevel": settings.log_level.lower(), "post_fork": self._post_fork,
            "post_worker_init": self._post_worker_init, "worker_exit": self._worker_exit,
        }
        self.app: Any = None
        super().__init__()

    def load_config(self) -> None:
        """Hand our options to gunicorn's config."""
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        """Build the Flask app (once, in the master, because of ``preload_app``)."""
        from webhooks.app import create_app

        self.app = create_app(self.settings, senders=build_senders(self.settings))
        return self.app

    def _post_fork(self, _server: Any, _worker: Any) -> None:
        # Connections opened in the master must not be shared by the forked workers.
        self.app.extensions["helpline"].engine.dispose(close=False)

    def _post_worker_init(self, worker: Any) -> None:
        if self.outbox:
            rt = self.app.extensions["helpline"]
            from helpline.handoff.service import expiry_chore

            chores = [expiry_chore(rt.sessions, rt.core), retrain_chore(rt.sessions, rt.core)]
            media = build_media_chore(rt.settings, rt.sessions)
            chores += [media] if media is not None else []
            worker.outbox_thread = OutboxThread(rt.sessions, rt.senders, chores=chores).start()

    def _worker_exit(self, _server: Any, worker: Any) -> None:
        thread = getattr(worker, "outbox_thread", None)
        if thread is not None:
            thread.stop()


def serve(settings: Settings, *, host: str = "127.0.0.1", port: int = 8000, workers: int = 2, threads: int = 4,
          outbox: bool = True) -> None:
    """Run the web app until SIGTERM/SIGINT."""
    HelplineServer(settings, host=host, port=port, workers=workers, threads=threads, outbox=outbox).run()
