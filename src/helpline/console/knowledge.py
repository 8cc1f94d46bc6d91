"""Knowledge pages: questions the bot could not answer (grouped, with counts), where staff teach the bot, and a
read-only FAQ browser.

Teaching (:mod:`helpline.teaching`): each open group has a form assigning it to a topic, out of scope, or noise.
A topic or out of scope becomes a training example at once and the core is asked to retrain; noise only
dismisses the questions. Keywords, numbers and one-letter messages are never listed.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, select

from helpline import teaching
from helpline.console import security
from helpline.console.views import bp
from helpline.console.web import PAGE_SIZE, arg_int, clean, now, rt, transaction
from helpline.errors import InvalidInput
from helpline.messages import LANGUAGES
from helpline.storage.models import UnansweredQuestion
from helpline.teaching import NOISE, OUT_OF_SCOPE, TrainingExample

log = logging.getLogger(__name__)
SHOW = ("open", "resolved")
MAX_IDS = 50


def topic_choices() -> list[tuple[str, str]]:
    """Every topic as ``(id, English title)``, sorted by title: the teach form's options."""
    kb = rt().core.kb
    return sorted(((tid, kb.text(tid, "title", "en")) for tid in kb.topics), key=lambda c: (c[1].casefold(), c[0]))


@bp.route("/knowledge/unanswered")
def unanswered():  # type: ignore[no-untyped-def]
    """Unanswered questions grouped by their normalised text, most asked first (masked), each with a link to the
    conversation it came from; open ones by default, ``?show=resolved`` for those staff taught or dismissed.
    Groups are taught one by one, or ticked and dismissed as noise together."""
    page = arg_int("page", 1)
    lang = request.args.get("lang", "")
    show = request.args.get("show", "open")
    show = show if show in SHOW else "open"
    q = UnansweredQuestion
    keys: list[Any] = [q.normalized] if show == "open" else [q.normalized, q.resolution]
    groups = (select(*keys, func.count(q.id).label("n"), func.max(q.id).label("example"),
                     func.max(q.created_at).label("last")).where(teaching.listable()).group_by(*keys))
    groups = groups.where(q.resolution.is_(None) if show == "open" else q.resolution.is_not(None))
    if lang in LANGUAGES:
        groups = groups.where(q.lang == lang)
    with transaction() as db:
        total = db.scalar(select(func.count()).select_from(groups.subquery())) or 0
        rows = db.execute(groups.order_by(func.count(q.id).desc(), func.max(q.id).desc())
                          .offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE)).all()
        ids = [r.example for r in rows]
        examples = {e.id: e for e in db.scalars(select(q).where(q.id.in_(ids)))}
        taught = {t.source_question_id: t.label for t in db.scalars(
            select(TrainingExample).where(TrainingExample.source_question_id.in_(ids)))}
        items = [{"id": r.example, "count": r.n, "last": r.last, "text": examples[r.example].text,
                  "lang": examples[r.example].lang, "best_topic": examples[r.example].best_topic,
                  "score": examples[r.example].best_score, "resolution": examples[r.example].resolution,
                  "resolved_by": examples[r.example].resolved_by, "resolved_at": examples[r.example].resolved_at,
                  "label": taught.get(r.example), "contact_id": examples[r.example].contact_id}
                 for r in rows if r.example in examples and teaching.worth_teaching(examples[r.example].text)]
        asked = db.scalar(select(func.count(q.id)).where(teaching.listable(), q.resolution.is_(None))) or 0
    titles = dict(topic_choices())
    return render_template("console/unanswered.html", items=items, page=page, total=total, size=PAGE_SIZE,
                           asked=asked, lang=lang, languages=LANGUAGES, show=show, topics=list(titles.items()),
                           titles=titles, out_of_scope=OUT_OF_SCOPE, noise=NOISE, active="knowledge")


def _question_ids() -> list[int]:
    raw = request.form.getlist("question")
    try:
        ids = [int(v) for v in raw]
    except ValueError:
        abort(400, description="question: not a question id")
    if not ids or len(ids) > MAX_IDS or any(i < 1 for i in ids):
        abort(400, description="question: required (one to 50 question ids)")
    return ids


@bp.route("/knowledge/unanswered/teach", methods=["POST"])
def teach_question():  # type: ignore[no-untyped-def]
    """Assign a group of unanswered questions to a topic or out of scope (a training example, used at once),
    or dismiss it as noise; audited. Back to the list with what was done."""
    ids = _question_ids()
    label = clean(request.form.get("label"), limit=80)
    back = {k: v for k in ("lang", "page") if (v := clean(request.form.get(k), limit=20))}
    if not label:
        abort(400, description="label: choose a topic, out of scope or noise")
    topics = rt().core.kb.topics
    if label != NOISE:
        try:
            teaching.check_label(label, topics)
        except InvalidInput as exc:
            abort(400, description=str(exc))
    learned = False
    with transaction() as db:
        group = teaching.open_group(db, ids)
        if not group:
            flash("Already resolved: nothing to do.")
            return redirect(url_for("console.unanswered", **back))
        if label == NOISE:
            n = teaching.dismiss(db, ids, actor=current_user.username, now=now())
            security.audit(db, "knowledge.dismiss", "unanswered", ids[0], now=now(), questions=n)
            message = f"Dismissed as noise: {n} question(s)."
        else:
            example = teaching.teach(db, ids, label, actor=current_user.username, now=now(), topics=topics)
            learned = example is not None
            security.audit(db, "knowledge.teach", "unanswered", ids[0], now=now(), label=label,
                           questions=len(group), example=example.id if example else None)
            name = "out of scope" if label == OUT_OF_SCOPE else rt().core.kb.text(label, "title", "en")
            message = f"Taught: {name}" if learned else f"Resolved as {name} (too short to learn from)."
    flash(message)
    if learned:
        _reload_model()
    return redirect(url_for("console.unanswered", **back))


def _reload_model() -> None:
    """The classifier learns the new example in the background, without a restart or a waiting page
    (:meth:`helpline.pipeline.Core.retrain`, a fresh training takes seconds); one training at a time: an example
    taught meanwhile is learned by the next one (``serve``'s refresh chore, which other processes rely on too,
    through :func:`helpline.teaching.version`)."""
    core, sessions = rt().core, rt().sessions

    def learn() -> None:
        if not _training.acquire(blocking=False):
            return
        try:
            core.retrain(sessions)
        except Exception:  # noqa: BLE001 - the example is saved; it is learned on the next reload
            log.exception("retraining after a taught example failed; the example is saved and used on the next reload")
        finally:
            _training.release()

    threading.Thread(target=learn, name="helpline-retrain", daemon=True).start()


_training = threading.Lock()


@bp.route("/knowledge/faq")
def faq():  # type: ignore[no-untyped-def]
    """Every FAQ topic with its English title and whether it is urgent."""
    kb = rt().core.kb
    topics = [{"id": t.id, "urgent": t.urgent, "title": kb.text(t.id, "title", "en")}
              for t in sorted(kb.topics.values(), key=lambda t: t.id)]
    return render_template("console/faq.html", topics=topics, active="knowledge")


@bp.route("/knowledge/faq/<topic_id>")
def faq_topic(topic_id: str):  # type: ignore[no-untyped-def]
    """One topic in all three languages: title, example questions, short and long answers, sources."""
    kb = rt().core.kb
    topic = kb.topics.get(topic_id)
    if topic is None:
        abort(404)
    texts = [{"lang": lang, "title": kb.text(topic_id, "title", lang), "short": kb.text(topic_id, "short", lang),
              "long": kb.text(topic_id, "long", lang) if (topic.texts.get(lang) and topic.texts[lang].long) else "",
              "source": kb.text(topic_id, "source", lang),
              "questions": topic.texts[lang].questions if lang in topic.texts else ()} for lang in LANGUAGES]
    return render_template("console/faq_topic.html", topic=topic, texts=texts, active="knowledge")
