"""Reference numbers: alphabet without look-alikes, and a check symbol that catches typing mistakes."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from helpline.complaints import references as R

payloads = st.text(alphabet=R.ALPHABET, min_size=R.PAYLOAD, max_size=R.PAYLOAD)


def test_alphabet_has_no_look_alikes():
    assert not set("01OIL") & set(R.ALPHABET)
    assert len(R.ALPHABET) == 31


@given(payloads)
def test_a_reference_is_valid(payload: str) -> None:
    ref = payload + R.check_char(payload)
    assert R.is_valid(ref)
    assert R.parse(R.display(ref).lower()) == (ref, True)


@given(payloads, st.integers(0, R.LENGTH - 1), st.sampled_from(R.ALPHABET))
def test_every_single_substitution_is_caught(payload: str, position: int, symbol: str) -> None:
    ref = payload + R.check_char(payload)
    typo = ref[:position] + symbol + ref[position + 1:]
    assert R.is_valid(typo) == (typo == ref)


@given(payloads, st.integers(0, R.LENGTH - 2))
def test_every_adjacent_transposition_is_caught(payload: str, position: int) -> None:
    ref = payload + R.check_char(payload)
    swapped = ref[:position] + ref[position + 1] + ref[position] + ref[position + 2:]
    assert R.is_valid(swapped) == (swapped == ref)


def test_exhaustively_for_one_reference():
    ref = R.new_reference()
    for i in range(R.LENGTH):
        for symbol in R.ALPHABET:
            typo = ref[:i] + symbol + ref[i + 1:]
            assert R.is_valid(typo) == (symbol == ref[i])


def test_parsing_is_forgiving_about_case_separators_and_urdu_digits():
    ref = "K7M4XQY"
    assert R.is_valid(ref)
    for typed in ("K7M-4XQY", "k7m 4xqy", " k7m_4xqy ", "K7M.4XQY", "K۷M-۴XQY", "#K7M4XQY"):
        assert R.parse(typed) == (ref, True), typed
    assert R.parse("K7M-4XQA") == (None, True)  # wrong check symbol: "check the reference"
    assert R.parse("K7M-4XQ") == (None, False)
    assert R.parse("hello there") == (None, False)
    assert R.display(ref) == "K7M-4XQY"


def test_new_references_use_the_alphabet():
    refs = {R.new_reference() for _ in range(200)}
    assert len(refs) == 200 and all(R.is_valid(r) and set(r) <= set(R.ALPHABET) for r in refs)
