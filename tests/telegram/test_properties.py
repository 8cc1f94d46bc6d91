"""Arbitrary bodies through the secret-checked Telegram webhook: a 200 or a 400 with a reason, never a 500."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.telegram.conftest import post, update

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=50),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=20,
)
_ids = iter(range(10_000_000, 20_000_000))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(payload=JSON)
def test_any_json_is_refused_or_ignored_cleanly(tg, payload) -> None:
    response = post(tg, payload)
    assert response.status_code in (200, 400), (response.status_code, response.get_data(as_text=True))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(st.characters(exclude_categories=("Cs",)), max_size=600))
def test_any_message_text_gets_a_turn(tg, text) -> None:
    body = update("message", update_id=next(_ids), text=text)
    response = post(tg, body)
    assert response.status_code == 200, response.get_data(as_text=True)
