"""Knowledge pages: questions the bot could not answer (grouped, with counts) and a read-only FAQ browser."""

from __future__ import annotations

from flask import abort, render_template, request
from sqlalchemy import func, select

from helpline.console.views import bp
from helpline.console.web import PAGE_SIZE, arg_int, rt, transaction
from helpline.messages import LANGUAGES
from helpline.storage.models import UnansweredQuestion


@bp.route("/knowledge/unanswered")
def unanswered():  # type: ignore[no-untyped-def]
    """Unanswered questions grouped by their normalised text, most asked first (masked)."""
    page = arg_int("page", 1)
    lang = request.args.get("lang", "")
    groups = select(UnansweredQuestion.normalized, func.count(UnansweredQuestion.id).label("n"),
                    func.max(UnansweredQuestion.id).label("example"),
                    func.max(UnansweredQuestion.created_at).label("last")).group_by(UnansweredQuestion.normalized)
    if lang in LANGUAGES:
        groups = groups.where(UnansweredQuestion.lang == lang)
    with transaction() as db:
        total = db.scalar(select(func.count()).select_from(groups.subquery())) or 0
        rows = db.execute(groups.order_by(func.count(UnansweredQuestion.id).desc(), func.max(UnansweredQuestion.id).desc())
                          .offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE)).all()
        examples = {q.id: q for q in db.scalars(select(UnansweredQuestion).where(
            UnansweredQuestion.id.in_([r.example for r in rows])))}
        items = [{"count": r.n, "last": r.last, "text": examples[r.example].text, "lang": examples[r.example].lang,
                  "best_topic": examples[r.example].best_topic, "score": examples[r.example].best_score}
                 for r in rows if r.example in examples]
        asked = db.scalar(select(func.count(UnansweredQuestion.id))) or 0
    return render_template("console/unanswered.html", items=items, page=page, total=total, size=PAGE_SIZE,
                           asked=asked, lang=lang, languages=LANGUAGES, active="knowledge")


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
