"""Answering questions from the knowledge base: confident → the answer; close call → suggestions; else honest."""

from __future__ import annotations

from helpline.engine.core import MAIN_MENU, Flow, Turn, with_team
from helpline.engine.events import FaqAnswered, Unanswered
from helpline.matcher import OUT_OF_SCOPE
from helpline.messages import MenuItem, Text

FULL = "faq.full"
OTHER = "faq.other"
NONE_OF_THESE = "faq.none_of_these"
TOPIC_PREFIX = "t:"
COUNTRY = "faq.country"  # after a general answer: "your country's rule" (asks which country)
COUNTRY_PREFIX = "c:"  # a country chosen from the menu: c:SA ... c:MY, or c:-- for another country / Pakistan
OTHER_COUNTRY = "--"  # remembered as the worker's country: none of the destinations the knowledge base covers
DESTINATIONS = ("SA", "AE", "QA", "OM", "KW", "BH", "MY")  # the menu's order (most Pakistani workers first)
HOME = "PK"  # named in a question it is where the worker comes from, not where the rule applies
COUNTRY_WORDS = 4  # a reply this short that names a country, just after an answer, is "my country is ..."


def _home() -> MenuItem:
    return MenuItem(MAIN_MENU, Text("menu.main"))


class FaqFlow(Flow):
    id = "faq"
    label = "menu.faq"

    def start(self, turn: Turn) -> None:
        """Ask the worker to type a question."""
        turn.enter(self.id, "ask")
        turn.say("faq.ask")
        turn.menu([_home()])

    def handle(self, turn: Turn) -> None:
        """A choice after an answer or among suggestions, or a new question."""
        choice = turn.choice or ""
        if choice == FULL and turn.data.get("topic"):
            self._answer(turn, turn.data["topic"], long=True, question=turn.data.get("question", ""))
        elif choice == OTHER:
            self.start(turn)
        elif choice.startswith(TOPIC_PREFIX) and choice[len(TOPIC_PREFIX) :] in turn.ctx.kb.topics:
            self._answer(turn, choice[len(TOPIC_PREFIX) :], score=turn.data.get("score", 0.0),
                         question=turn.data.get("question", ""))
        elif choice == NONE_OF_THESE:
            self._unanswered(turn, turn.data.get("question", ""), turn.data.get("best"), turn.data.get("score", 0.0))
        elif choice == COUNTRY and turn.data.get("topic"):
            self._ask_country(turn)
        elif choice.startswith(COUNTRY_PREFIX) and turn.data.get("topic"):
            self._country_chosen(turn, choice[len(COUNTRY_PREFIX):])
        elif _has_rules(turn) and not choice and (code := _country_reply(turn)):
            self._country_chosen(turn, code)  # "Qatar" typed after an answer or at "which country?"
        else:
            self.fallback(turn)

    def fallback(self, turn: Turn) -> bool:
        """Answer free text as a question."""
        self.question(turn, turn.text)
        return True

    def question(self, turn: Turn, text: str) -> None:
        """Answer ``text`` (the message, or the question after a greeting): the answer, suggestions, or an honest
        decline; only an in-scope question without an answer is kept for staff."""
        match = turn.ctx.matcher.match(text)
        if match.decision != "answer":
            _country(turn, text)  # "I am in Qatar" is worth remembering even when it is not a question we answer
        if match.decision != "answer" and with_team(turn):
            pass  # waiting for a person: the message is with the team, no guesses
        elif match.decision == "answer" and match.topic:
            self._answer(turn, match.topic, score=match.score, question=text)
        elif match.decision == "suggest":
            turn.leave()
            turn.enter(self.id, "suggest", {"question": text[:500], "best": match.topic, "score": match.score})
            turn.say("faq.suggest")
            items = [MenuItem(TOPIC_PREFIX + tid, Text(f"kb:{tid}:title")) for tid in match.suggestions]
            turn.menu([*items, MenuItem(NONE_OF_THESE, Text("faq.none_of_these")), _home()])
        elif match.declined == OUT_OF_SCOPE:
            turn.main_menu("faq.out_of_scope")  # not ours: said honestly, and not a question for staff
        elif match.declined:
            turn.main_menu("menu.prompt")  # small talk the matcher was not sure of: no answer to add
        else:
            self._unanswered(turn, text, match.topic, match.score)

    def _answer(self, turn: Turn, topic_id: str, *, score: float = 1.0, long: bool = False,
                question: str = "") -> None:
        """The answer, then what the worker can do next: the helpline's own action on it first (file the
        complaint it describes, check a status), more detail, another question, a person, the menu. The question
        is kept, so a complaint started from here begins with the worker's own words."""
        topic = turn.ctx.kb.topics[topic_id]
        turn.leave()
        turn.enter(self.id, "answered", {"topic": topic_id, "question": question[:500]})
        if topic.urgent:  # the emergency route first: on SMS it must not wait behind MORE
            turn.say("faq.urgent", contacts=turn.ctx.kb.fill("{mission_contacts}", turn.lang))
        country = _country(turn, question)
        texts = topic.texts.get(turn.lang, topic.texts["en"])
        variant = texts.by_country.get(country or "")
        if topic.countries and country and country != OTHER_COUNTRY and variant is None:
            turn.say("faq.country.general", country=_country_name(country, turn.lang))
        turn.say(f"kb:{topic_id}:{_answer_field(turn, long)}", **({"country": country} if country else {}))
        if not long:
            turn.emit(FaqAnswered(topic_id, round(score, 3)))
        items = []
        fuller = (variant.long, variant.sms) if variant else (texts.long, texts.sms)
        if not long and (fuller[0] or (fuller[1] and turn.msg.channel == "sms")):  # more to read than was sent
            items.append(MenuItem(FULL, Text("faq.full")))
        if topic.countries and not country:  # the rule differs by country and we do not know the worker's
            items.append(MenuItem(COUNTRY, Text("faq.country")))
        items += [MenuItem(OTHER, Text("faq.other")), *_person(turn), _home()]
        actions = [MenuItem(flow.id, Text(label)) for flow in turn.ctx.flows
                   if (label := flow.offered_after(topic_id)) is not None]
        turn.menu(actions + items)

    def _ask_country(self, turn: Turn) -> None:
        """Which country is the worker in? The destinations with their own rules, and "another / Pakistan"."""
        turn.goto("country")
        turn.say("faq.country.ask")
        turn.menu([*(MenuItem(COUNTRY_PREFIX + code, Text(f"faq.country.{code}")) for code in DESTINATIONS),
                   MenuItem(COUNTRY_PREFIX + OTHER_COUNTRY, Text("faq.country.other")), _home()])

    def _country_chosen(self, turn: Turn, code: str) -> None:
        """Remember the worker's country and give the last answer again: that country's rule, or the general one."""
        turn.state["country"] = code
        self._answer(turn, turn.data["topic"], question="", score=turn.data.get("score", 1.0))

    def _unanswered(self, turn: Turn, question: str, best: str | None, score: float) -> None:
        if with_team(turn):  # waiting for a person: with the team, not kept as unanswered
            return
        turn.emit(Unanswered(question[:500], turn.lang, best, round(score, 3)))
        turn.main_menu("faq.none")


def _country(turn: Turn, question: str) -> str | None:
    """The worker's destination: named in the question (Pakistan is home, not a destination), else remembered in
    the conversation (named earlier, chosen from the country menu, or the country of a complaint filed or being
    drafted here); None when unknown. ``OTHER_COUNTRY`` when the worker said none of the destinations."""
    from helpline.complaints.countries import load
    from helpline.flows.complaint.draft import DRAFT

    text = question or turn.text
    found = load().find_in(text) if text else None
    if found == HOME:
        found = None
    if found:
        turn.state["country"] = found
        return found
    draft = turn.state.get(DRAFT) or {}
    found = turn.state.get("country") or draft.get("country") or None
    return OTHER_COUNTRY if found == HOME else found  # remembered before Pakistan was read as home


def _has_rules(turn: Turn) -> bool:
    """The answer just given is on a topic whose rule differs by country."""
    topic = turn.ctx.kb.topics.get(turn.data.get("topic") or "")
    return bool(topic and topic.countries)


def _country_reply(turn: Turn) -> str | None:
    """A short message that names a country, sent right after an answer or at "which country?" ("Qatar",
    "main Oman mein hun"): that country's code, or ``OTHER_COUNTRY`` for Pakistan."""
    from helpline.complaints.countries import load

    words = turn.norm.split()
    if turn.step not in ("answered", "country") or not words or len(words) > COUNTRY_WORDS:
        return None
    countries = load()
    if turn.step == "answered" and not countries.only_place(turn.text, COUNTRY_WORDS):
        return None  # more than a country: a new question ("gratuity in Qatar"), not "my country is Qatar"
    found = countries.find_in(turn.text)
    if found is None and turn.step == "country":
        matches = countries.match(turn.text)
        found = matches[0][0] if matches and matches[0][1] >= 100 else None
    return OTHER_COUNTRY if found == HOME else found


def _country_name(code: str, lang: str) -> str:
    from helpline.complaints.countries import load

    return load().name(code, lang)


def _answer_field(turn: Turn, long: bool) -> str:
    """The full answer on request; on SMS, where every part is paid for, the one-SMS answer first."""
    if long:
        return "answer_long"
    return "answer_sms" if turn.msg.channel == "sms" else "answer"


def _person(turn: Turn) -> list[MenuItem]:
    """The talk-to-a-person entry, when a handoff flow is wired."""
    flow = turn.ctx.flow("handoff")
    return [MenuItem(flow.id, Text(flow.label))] if flow and flow.label else []

