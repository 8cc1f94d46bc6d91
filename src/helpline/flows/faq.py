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
        turn.say(f"kb:{topic_id}:{_answer_field(turn, long)}", **({"country": country} if country else {}))
        if not long:
            turn.emit(FaqAnswered(topic_id, round(score, 3)))
        items = []
        texts = topic.texts.get(turn.lang, topic.texts["en"])
        if not long and (texts.long or (texts.sms and turn.msg.channel == "sms")):  # more to read than was sent
            items.append(MenuItem(FULL, Text("faq.full")))
        items += [MenuItem(OTHER, Text("faq.other")), *_person(turn), _home()]
        actions = [MenuItem(flow.id, Text(label)) for flow in turn.ctx.flows
                   if (label := flow.offered_after(topic_id)) is not None]
        turn.menu(actions + items)

    def _unanswered(self, turn: Turn, question: str, best: str | None, score: float) -> None:
        if with_team(turn):  # waiting for a person: with the team, not kept as unanswered
            return
        turn.emit(Unanswered(question[:500], turn.lang, best, round(score, 3)))
        turn.main_menu("faq.none")


def _country(turn: Turn, question: str) -> str | None:
    """The worker's destination: named in the question, else remembered from earlier in the conversation."""
    from helpline.complaints.countries import load

    found = load().find_in(question or turn.text) if (question or turn.text) else None
    if found:
        turn.state["country"] = found
    return found or turn.state.get("country")


def _answer_field(turn: Turn, long: bool) -> str:
    """The full answer on request; on SMS, where every part is paid for, the one-SMS answer first."""
    if long:
        return "answer_long"
    return "answer_sms" if turn.msg.channel == "sms" else "answer"


def _person(turn: Turn) -> list[MenuItem]:
    """The talk-to-a-person entry, when a handoff flow is wired."""
    flow = turn.ctx.flow("handoff")
    return [MenuItem(flow.id, Text(flow.label))] if flow and flow.label else []

