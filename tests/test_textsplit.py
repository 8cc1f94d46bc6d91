"""The one boundary splitter behind SMS pages and Telegram messages."""

from __future__ import annotations

from helpline.textsplit import split_text, utf16_len


def _max(n):
    return lambda s: len(s) <= n


def test_whole_text_when_it_fits():
    assert split_text("  one two  ", _max(50)) == ["one two"]
    assert split_text(" \n ", _max(50)) == []


def test_boundaries_coarsest_first():
    assert split_text("aaaa bbbb.\ncccc dddd", _max(15)) == ["aaaa bbbb.", "cccc dddd"]  # line
    assert split_text("aaaa bbbb. cccc dddd", _max(15)) == ["aaaa bbbb.", "cccc dddd"]  # sentence
    assert split_text("aaaa bbbb cccc dddd", _max(15)) == ["aaaa bbbb cccc", "dddd"]  # word
    assert split_text("abcdefghij", _max(4)) == ["abcd", "efgh", "ij"]  # mid-word, last resort


def test_urdu_sentence_end():
    assert split_text("پہلا جملہ۔ دوسرا جملہ", _max(12)) == ["پہلا جملہ۔", "دوسرا جملہ"]


def test_coarse_boundary_passed_over_when_it_wastes_the_chunk():
    text = "Hi.\n\n" + "word " * 20
    chunks = split_text(text, _max(40))
    assert chunks[0].startswith("Hi.\n\nword")  # a 3-character first chunk would waste the page


def test_marks_and_joiners_stay_with_their_character():
    assert split_text("e\u0301e\u0301e\u0301", _max(3)) == ["e\u0301", "e\u0301", "e\u0301"]
    family = "👨\u200d👩\u200d👧"
    assert split_text(family + "xyz", _max(3)) == [family, "xyz"]  # nothing fits: one whole character


def test_progress_even_when_nothing_fits():
    assert split_text("abc", lambda s: False) == ["a", "b", "c"]


def test_fits_last_gives_the_final_chunk_more_room():
    assert split_text("aa bb cc", _max(5), fits_last=_max(8)) == ["aa bb cc"]
    assert split_text("aa bb cc dd", _max(5), fits_last=_max(8)) == ["aa bb", "cc dd"]


def test_utf16_len():
    assert utf16_len("") == 0 and utf16_len("abc") == 3 and utf16_len("😀") == 2 and utf16_len("ا😀") == 3
