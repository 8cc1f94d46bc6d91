"""The outbox: every proactive outbound message is a row written in the transaction that caused it.

Staff replies, case updates and status alerts call :func:`enqueue` inside their own transaction, so the message
exists if and only if the change that caused it was committed. A worker (:func:`deliver_due`, run by
``helpline worker`` and in-process by ``helpline serve``) then claims due rows, hands each to the
:class:`Sender` of its channel and records the outcome.

Life of a row::

    queued ──claim──► sending ──ok──► sent ──status callback──► delivered | failed (provider said so)
       ▲                 │
       └──retryable──────┤ (backoff; after MAX_ATTEMPTS → failed)
         or any error    ├──permanent──► failed (error_code = the provider's code)
                         ├──contact opted out / unreachable──► skipped
                         ├──channel may not send it now (WhatsApp's window)──► held ──worker writes──► queued
                         └──lease lapsed at the MAX_ATTEMPTS-th claim──► failed (error_code "attempts")

    enqueue(claim_for=w) ──► sending (leased to w from the start; deliver_now(w) sends it with no claim)

Claiming is one UPDATE of due rows to ``sending`` with a lease (``FOR UPDATE SKIP LOCKED`` on PostgreSQL), so
several workers never take the same row. Just before each send the worker renews its lease, and gives the row
up if the lease was lost. A worker that dies between sending and marking leaves the row in ``sending``; when
the lease expires the next claim takes it again, so each such crash can repeat that one message once (the
provider has no idempotency key for us to use), and nothing is ever lost; after :data:`MAX_ATTEMPTS` claims the
row ends ``failed``. Each row is delivered and recorded on its own: an error on one row (a sender that raises,
an outcome the database refuses) is that row's retry or failure, with the reason in ``error_detail`` (shown in
the console's conversation view), never the batch's; a message the provider took is recorded ``sent`` even
when the rest of its outcome cannot be written, so it is never sent again. A sender's ``opt_out_codes`` (Twilio
21610) mark the contact opted out; later rows to that contact are skipped. Status callbacks
(:func:`record_status`) only move a message forward. A channel that may not send a message now raises
:class:`~helpline.errors.SendHeld` (WhatsApp, more than 24 hours after the worker last wrote, when no approved
template can stand in): the row is ``held`` with the reason, and :func:`release_held` queues it again as soon as
the worker writes (their message opens the window).

A turn's replies take a shorter road (:func:`deliver_now`): written already leased to the turn's worker
(``enqueue(claim_for=…)``), they are sent right after the turn commits, and each costs two UPDATEs (the row,
its message-log row), with one commit for all of them.

The rooms: :mod:`~helpline.outbox.model` (the table, :class:`Outgoing`, :class:`Sender`, statuses),
:mod:`~helpline.outbox.queue` (:func:`enqueue`, :func:`record_status`), :mod:`~helpline.outbox.delivery`
(claiming, sending, recording outcomes) and :mod:`~helpline.outbox.worker` (the loop).
"""

from __future__ import annotations

from helpline.outbox.delivery import DeliveryStats, backoff, claim, deliver_due, deliver_now
from helpline.outbox.model import (BACKOFF, LEASE, MAX_ATTEMPTS, STATUS_RANK, STATUSES, Claimed, OutboxMessage,
                                   Outgoing, Sender)
from helpline.outbox.queue import enqueue, record_status, release_held
from helpline.outbox.worker import pending, run_worker, worker_name

__all__ = [
    "BACKOFF", "LEASE", "MAX_ATTEMPTS", "STATUSES", "STATUS_RANK",
    "Claimed", "DeliveryStats", "OutboxMessage", "Outgoing", "Sender",
    "backoff", "claim", "deliver_due", "deliver_now", "enqueue", "pending", "record_status", "release_held",
    "run_worker", "worker_name",
]
