"""SMS encoding: exact segment counts on edge cases, GSM-7 clean-up, pagination, and properties."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpline.sms import (
    GSM7_BASIC,
    GSM7_EXTENSION,
    PART_LIMIT,
    SINGLE_LIMIT,
    SegmentInfo,
    count_segments,
    is_gsm7,
    paginate,
    split_parts,
    to_gsm7,
)

URDU = "ا"  # one BMP Urdu letter: one UTF-16 unit
EMOJI = "😀"  # astral: a surrogate pair, two UTF-16 units

# (text, encoding, units, segments, characters per part) — computed by hand from GSM 03.38 and channels.md.
EDGE_CASES = [
    pytest.param("", "GSM-7", 0, 0, [], id="empty: nothing to send"),
    pytest.param("a" * 160, "GSM-7", 160, 1, [160], id="160 GSM fits one SMS"),
    pytest.param("a" * 161, "GSM-7", 161, 2, [153, 8], id="161 GSM needs two"),
    pytest.param("a" * 306, "GSM-7", 306, 2, [153, 153], id="153*2 exactly"),
    pytest.param("a" * 307, "GSM-7", 307, 3, [153, 153, 1], id="153*2+1"),
    pytest.param("€" * 80, "GSM-7", 160, 1, [80], id="80 euros are 160 septets"),
    pytest.param("€" * 81, "GSM-7", 162, 2, [76, 5], id="escapes pack 76 per part"),
    pytest.param("a" * 152 + "€" + "a" * 10, "GSM-7", 164, 2, [152, 11], id="escape at 153 moves on"),
    pytest.param("a" * 152 + "€", "GSM-7", 154, 1, [153], id="escape at 153, single part"),
    pytest.param("a" * 151 + "€" + "a" * 10, "GSM-7", 163, 2, [152, 10], id="escape ending at 153 stays"),
    pytest.param(URDU * 70, "UCS-2", 70, 1, [70], id="70 Urdu fits one SMS"),
    pytest.param(URDU * 71, "UCS-2", 71, 2, [67, 4], id="71 Urdu needs two"),
    pytest.param(URDU * 66 + EMOJI + URDU * 10, "UCS-2", 78, 2, [66, 11], id="emoji at 67 moves on"),
    pytest.param(URDU * 65 + EMOJI + URDU * 10, "UCS-2", 77, 2, [66, 10], id="emoji ending at 67 stays"),
    pytest.param(EMOJI * 35, "UCS-2", 70, 1, [35], id="35 emoji fill one SMS"),
    pytest.param("It’s", "UCS-2", 4, 1, [4], id="a curly quote makes UCS-2"),
    pytest.param("a" * 159 + "’", "UCS-2", 160, 3, [67, 67, 26], id="one curly quote: 1 SMS becomes 3"),
    pytest.param("۱۲۳", "UCS-2", 3, 1, [3], id="Urdu digits are UCS-2"),
    pytest.param("123", "GSM-7", 3, 1, [3], id="ASCII digits are GSM-7"),
    pytest.param("€", "GSM-7", 2, 1, [1], id="euro is an escape"),
    pytest.param("ç", "UCS-2", 1, 1, [1], id="small c cedilla is not GSM-7"),
    pytest.param("Ç", "GSM-7", 1, 1, [1], id="capital C cedilla is GSM-7"),
    pytest.param("\x1b", "UCS-2", 1, 1, [1], id="raw ESC is not a character"),
    pytest.param("a\r\nb", "GSM-7", 4, 1, [4], id="CR and LF are one septet each"),
]


@pytest.mark.parametrize(("text", "encoding", "units", "segments", "part_lengths"), EDGE_CASES)
def test_count_segments_edge_cases(text, encoding, units, segments, part_lengths):
    info = count_segments(text)
    assert (info.encoding, info.units, info.segments) == (encoding, units, segments)
    parts = split_parts(text)
    assert [len(p) for p in parts] == part_lengths
    assert "".join(parts) == text


def test_segment_info_per_segment_and_remaining():
    assert count_segments("") == SegmentInfo("GSM-7", 0, 0, 160, 160)
    assert count_segments("hello") == SegmentInfo("GSM-7", 5, 1, 160, 155)
    assert count_segments("a" * 161) == SegmentInfo("GSM-7", 161, 2, 153, 145)
    assert count_segments(URDU * 71) == SegmentInfo("UCS-2", 71, 2, 67, 63)
    # the escape could not fit in the 153rd septet, so part 1 has one septet unused and part 2 holds 12
    assert count_segments("a" * 152 + "€" + "a" * 10).remaining == 153 - 12


def test_gsm7_tables_follow_gsm_03_38():
    assert len(GSM7_BASIC) == 128 and len(set(GSM7_BASIC)) == 128
    assert GSM7_BASIC[0x00] == "@" and GSM7_BASIC[0x1B] == "\x1b" and GSM7_BASIC[0x7F] == "à"
    assert GSM7_BASIC[0x09] == "Ç" and GSM7_BASIC[0x24] == "¤" and GSM7_BASIC[0x40] == "¡"
    assert set(GSM7_EXTENSION) == set("\f^{}\\[~]|€") and GSM7_EXTENSION["€"] == 0x65
    assert is_gsm7("") and is_gsm7("Hello @ 10:30, [ok] €5") and not is_gsm7("`") and not is_gsm7("ç")


ORACLE_STRINGS = [
    "a" * 160, "a" * 161, "a" * 306, "a" * 307, "€" * 81, "a" * 152 + "€" + "a" * 10, "{}[]" * 50,
    URDU * 70, URDU * 71, URDU * 66 + EMOJI + URDU * 10, EMOJI * 40, "It’s " * 20, "۱۲۳", "ç" * 80,
    "Aap ki shikayat darj ho gayi hai. Number: 1234. " * 5, "آپ کی شکایت درج ہو گئی ہے۔ " * 6,
]  # fmt: skip


@pytest.mark.parametrize("text", ORACLE_STRINGS, ids=range(len(ORACLE_STRINGS)))
def test_agrees_with_smsutil(text):
    """PyPI ``smsutil`` as an independent oracle (it counts the empty text as one part and ESC as GSM-7:
    both left out here)."""
    smsutil = pytest.importorskip("smsutil")
    result = smsutil.split(text)
    assert {"gsm0338": "GSM-7", "utf_16_be": "UCS-2"}[result.encoding] == count_segments(text).encoding
    assert [part.content for part in result.parts] == split_parts(text)


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("It’s ‘fine’", "It's 'fine'"),
        ("“Quoted” „low“ «guillemets»", '"Quoted" "low" "guillemets"'),
        ("10\u00a0000\u202fPKR\u2009x\u3000y", "10 000 PKR x y"),
        ("a–b—c−d‐e", "a-b-c-d-e"),
        ("Wait…", "Wait..."),
        ("• one\n• two", "- one\n- two"),
        ("zero\u200bwidth\u2060joined\ufeff soft\u00adhyphen", "zerowidthjoined softhyphen"),
        ("ça, façade, naïve, São, Zürich, Ça", "ca, facade, naive, Sao, Zürich, Ça"),
        ("Çok", "Çok"),
        ("e\u0301te\u0301", "été"),  # decomposed accents compose to GSM-7 letters
        ("q\u0301", "q"),  # a stray accent on a letter with no GSM-7 form is dropped
        ("col1\tcol2", "col1 col2"),
        ("½ ﬁle ₨500", "1/2 file Rs500"),
        ("Aap ka number: 12", "Aap ka number: 12"),
    ],
)
def test_to_gsm7(raw, clean):
    assert to_gsm7(raw) == clean
    assert is_gsm7(clean) == is_gsm7(to_gsm7(raw))


def test_to_gsm7_leaves_what_has_no_equivalent():
    assert to_gsm7("Shukriya 🙏 ابھی") == "Shukriya 🙏 ابھی"
    family = "👨\u200d👩\u200d👧"  # joiners between non-GSM characters hold an emoji sequence together
    assert to_gsm7(family) == family
    assert to_gsm7("a\u200db \u200c") == "ab "
    assert count_segments(to_gsm7("It’s “done” – really…")).encoding == "GSM-7"


HINT = "Reply MORE for the rest"
LONG_EN = "\n\n".join(
    f"Paragraph {n}. " + " ".join(f"Sentence {n}.{s} has a few plain words in it." for s in range(6)) for n in range(8)
)
LONG_UR = " ".join(["آپ کی شکایت درج ہو گئی ہے۔ ہم جلد آپ سے رابطہ کریں گے۔"] * 30)


def _body(page: str) -> str:
    return page.removesuffix("\n" + HINT)


@pytest.mark.parametrize("text", [LONG_EN, LONG_UR, LONG_EN + "\n\n" + LONG_UR, "x" * 2000])
@pytest.mark.parametrize("budget", [1, 2, 4])
def test_paginate_pages_fit_and_keep_every_word(text, budget):
    pages = paginate(text, budget, HINT)
    assert len(pages) > 1
    assert all(page.endswith("\n" + HINT) for page in pages[:-1]) and not pages[-1].endswith(HINT)
    assert all(count_segments(page).segments <= budget for page in pages)
    assert all(_body(page).strip() for page in pages)
    joined = " ".join(_body(page) for page in pages)
    if text == "x" * 2000:
        assert joined.replace(" ", "") == text
    else:
        assert joined.split() == text.split()


def test_paginate_short_text_is_one_page_without_hint():
    assert paginate("Hello", 1, HINT) == ["Hello"]
    assert paginate("a" * 160, 1, HINT) == ["a" * 160]  # the last page needs no room for the hint
    assert paginate("", 1, HINT) == [] and paginate("  \n ", 2, HINT) == []


def test_paginate_breaks_at_paragraphs_first():
    first, second = "a " * 60, "b " * 60
    pages = paginate(f"{first}\n\n{second}", 1, HINT)
    assert [_body(p) for p in pages] == [first.strip(), second.strip()]


def test_paginate_decides_encoding_per_page():
    pages = paginate("plain english words " * 6 + "\n\n" + URDU * 60, 1, HINT)
    assert [count_segments(p).encoding for p in pages] == ["GSM-7", "UCS-2"]


def test_paginate_never_splits_an_escape_or_emoji():
    for text in ("€" * 500, EMOJI * 300):
        pages = paginate(text, 1, HINT)
        assert "".join(_body(p) for p in pages) == text


def test_paginate_makes_progress_when_the_hint_cannot_fit():
    hint = "Reply MORE " * 20  # 220 GSM-7 septets: more than one SMS on its own
    pages = paginate("word " * 200, 1, hint)
    assert " ".join(p.removesuffix("\n" + hint.strip()) for p in pages).split() == ["word"] * 200
    assert all(count_segments(p.removesuffix("\n" + hint.strip())).segments == 1 for p in pages)


def test_paginate_rejects_a_zero_budget():
    with pytest.raises(ValueError):
        paginate("text", 0, HINT)


# Texts mixing the two alphabets (and the characters that sit at their borders).
mixed = st.text(
    st.one_of(
        st.sampled_from(GSM7_BASIC.replace("\x1b", "")),
        st.sampled_from(sorted(GSM7_EXTENSION)),
        st.sampled_from("آبپتٹثجچحخدڈذرڑزژسشصضطظعغفقکگلمنںوہھءیے۔؟،۱۲۳"),
        st.sampled_from(["😀", "👍", "\U0001f3fd", "’", "\u00a0", "\u200d", " ", "\n"]),
    ),
    max_size=700,
)
anything = st.text(st.characters(codec=None, exclude_categories=()), max_size=500)  # incl. lone surrogates


@settings(max_examples=300)
@given(st.one_of(st.text(max_size=500), mixed, anything))
def test_split_parts_is_exact(text):
    info, parts = count_segments(text), split_parts(text)
    assert info.segments == len(parts) and "".join(parts) == text
    limit = SINGLE_LIMIT[info.encoding] if len(parts) == 1 else PART_LIMIT[info.encoding]
    for part in parts:
        assert part and count_segments(part).encoding == info.encoding
        assert _units(part, info.encoding) <= limit
    assert info.units == sum(_units(p, info.encoding) for p in parts)
    assert 0 <= info.remaining <= info.per_segment


def _units(part: str, encoding: str) -> int:
    if encoding == "UCS-2":
        return len(part.encode("utf-16-le", "surrogatepass")) // 2
    return len(part) + sum(ch in GSM7_EXTENSION for ch in part)


@settings(max_examples=150, deadline=None)
@given(st.one_of(mixed, st.text(max_size=400)), st.integers(1, 4))
def test_paginate_keeps_text_and_fits(text, budget):
    pages = paginate(text, budget, HINT)
    bodies = [_body(p) for p in pages[:-1]] + pages[-1:]
    assert all(body.strip() for body in bodies)
    assert all(count_segments(page).segments <= budget for page in pages)
    assert "".join("".join(bodies).split()) == "".join(text.split())
