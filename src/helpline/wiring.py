"""The one wiring module: it builds the core from settings, and says in plain lists what runs and in what order.

Nothing registers itself on import. To add a flow, add it to :data:`FLOWS` (and to :data:`GATES` or
:data:`MENU` if it has a gate or a main-menu entry); to add an event or an ask, name it in
:mod:`helpline.engine.events` and give it one function below. Senders (Twilio, Telegram) are built by their
channel packages where the process is composed (``webhooks.main``): the core does not know them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from helpline import kb as kb_mod
from helpline import pipeline, retention
from helpline.complaints import countries, policy, taxonomy
from helpline.complaints import turns as complaints
from helpline.engine import events as ev
from helpline.flows.complaint import ComplaintFlow
from helpline.flows.faq import FaqFlow
from helpline.flows.language import LanguageFlow
from helpline.flows.oep_check import OepCheckFlow
from helpline.flows.privacy import DataDeletionFlow
from helpline.flows.status_lookup import StatusLookupFlow
from helpline.flows.tracking import TrackingFlow
from helpline.handoff import service as handoff
from helpline.handoff.flow import HandoffFlow
from helpline.i18n import I18n, load_catalogs
from helpline.classifier import TrainedMatcher
from helpline.settings import REPO_ROOT, Settings
from helpline.oep import names as oep_names, source as oep_source, turns as oep
from helpline.status import codes, turns as status
from helpline.status import config as status_config

FAQ, HANDOFF, LANGUAGE, STATUS, COMPLAINT, TRACKING, OEP, PRIVACY = (
    FaqFlow(), HandoffFlow(), LanguageFlow(), StatusLookupFlow(), ComplaintFlow(), TrackingFlow(), OepCheckFlow(),
    DataDeletionFlow())

FLOWS = (FAQ, HANDOFF, LANGUAGE, STATUS, COMPLAINT, TRACKING, OEP, PRIVACY)
"""Every flow. Free text outside a flow is offered to their ``intercept`` in this order, then to ``fallback``."""

GATES = (HANDOFF, PRIVACY, COMPLAINT, TRACKING)
"""Flows whose ``gate`` sees every message first, in this order: while a person holds the conversation nothing
else may answer, so the handoff comes first (a test fails if it does not); "delete my data" works inside a form."""

MENU = (FAQ.id, COMPLAINT.id, STATUS.id, OEP.id, HANDOFF.id, LANGUAGE.id)
"""The main menu, in order."""

HANDLERS: dict[type, pipeline.Handler] = {
    ev.LanguageChanged: pipeline.on_language_changed,
    ev.Unanswered: pipeline.on_unanswered,
    ev.FaqAnswered: pipeline.ignore,
    ev.HandoffRequested: handoff.on_requested,
    ev.HandoffLapsed: handoff.on_lapsed,
    ev.HandoffMessage: handoff.on_message,
    ev.DangerReported: handoff.on_danger,
    ev.ComplaintConfirmed: complaints.store_complaint,
    ev.ComplaintReopened: complaints.reopen,
    ev.ResolutionConfirmed: complaints.confirm_resolution,
    ev.LookupFailed: complaints.record_failure,
    ev.StatusChecked: status.record_check,
    ev.StatusWatchRequested: status.create_watches,
    ev.SensitiveInbound: pipeline.ignore,  # acted on by close_turn itself, before the message is logged
    ev.DataDeletionRequested: retention.on_deletion_requested,
}
"""Who writes each event (``ReplyCreated`` is the channel's: it sends the reply)."""

ANSWERERS: dict[type, pipeline.Answerer] = {
    ev.NewReference: complaints.new_reference,
    ev.ComplaintLookup: complaints.lookup,
    ev.ComplaintVerify: complaints.verify,
    ev.LookupFailures: complaints.failures_last_hour,
    ev.StatusThrottled: status.throttled,
    ev.StatusCheck: status.check,
    ev.OepLookup: oep.lookup,
}
"""Who reads each ask."""


def concern_config(settings: Settings | None) -> dict[str, Any]:
    """The concerns' policies from settings (defaults without), and their bundled data read once, now."""
    from helpline.settings import load_settings

    settings = settings or load_settings()
    taxonomy.load(), countries.load(), codes.load(), oep_names.cities()  # read at start-up, never during a step
    return {"complaints.policy": policy.from_settings(settings),
            "status.config": status_config.warn_if_dev_pepper(status_config.from_settings(settings)),
            "oep.index": oep_source.IndexCache()}  # the registry in memory, rebuilt after each import


def build_core(settings: Settings | None = None, *, locales_dir: Path | None = None,
               deployment_file: Path | None = None, strict: bool = False) -> pipeline.Core:
    """The core for a process: knowledge base, matcher, catalogs, flows, handlers and policies.

    ``settings`` gives the paths and policies (the environment's when None); ``locales_dir`` and
    ``deployment_file`` override its paths; ``strict`` makes an event without a handler an error (tests).
    """
    config = concern_config(settings)
    if settings is not None:
        locales_dir = locales_dir or settings.locales_dir
        deployment_file = deployment_file or settings.deployment_file
    locales_dir = locales_dir or REPO_ROOT / "locales"
    default_lang = settings.default_language if settings is not None else "en"
    base = kb_mod.load(locales_dir, deployment_file)
    cache_dir = settings.cache_dir if settings is not None else None
    matcher = TrainedMatcher(base, locales_dir=locales_dir, cache_dir=cache_dir)
    return pipeline.Core(kb=base, matcher=matcher, i18n=I18n(load_catalogs(locales_dir), base, default_lang),
                         default_lang=default_lang, flows=FLOWS, gates=GATES, menu=MENU, handlers=HANDLERS,
                         answerers=ANSWERERS, config=config, strict=strict, locales_dir=locales_dir,
                         cache_dir=cache_dir)
