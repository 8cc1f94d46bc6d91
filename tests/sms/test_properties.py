"""Free text through the signed SMS webhook: any body gets a 200 and pages within the budget, never a 500."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpline.sms import count_segments

# Whatever a phone can send: any Unicode except the surrogates a form cannot carry, plus the words the SMS
# rules and the engine react to, so the interesting paths are hit as often as the random ones.
BODIES = st.one_of(
    st.text(st.characters(exclude_categories=("Cs",)), max_size=400),
    st.sampled_from(["STOP", "start", "HELP", "MORE", "mazeed", "yes", "0", "9", "status K7M-4XQY", "شکایت",
                     "complaint wages saudia", "passport status", "agent", ""]),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=BODIES, sender=st.sampled_from(["+923001234567", "+923007654321"]))
def test_any_body_is_answered_within_the_budget(sms, body, sender) -> None:
    response = sms.post(sms.form(body, sender=sender))
    assert response.status_code == 200, response.get_data(as_text=True)
    for message in ET.fromstring(response.get_data(as_text=True)).iter("Message"):
        assert count_segments(message.text or "").segments <= 2, message.text
