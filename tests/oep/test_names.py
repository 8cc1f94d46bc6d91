"""Licence numbers, names and cities as workers write them; the index over 5,000 fictional agencies."""

from __future__ import annotations

import random

import pytest

from helpline.oep.names import find_licence, name_as_typed, name_core, parse_licence, read_query
from helpline.oep.source import IndexSource, decide, lookup


@pytest.mark.parametrize("text, licence", [
    ("OEP 1234/RWP", "1234/RWP"), ("1234-RWP", "1234/RWP"), ("1234 rwp", "1234/RWP"), ("RWP-1234", "1234/RWP"),
    ("licence no. 0123 / lhr", "123/LHR"), ("۱۲۳۴/RWP", "1234/RWP"), ("lic # 1234", "1234"), ("1234", "1234"),
    ("agency ka license no 2231/RWP hai ye chal rha h?", "2231/RWP"), ("لائسنس نمبر 4410", "4410"),
    ("agent ne 4 lakh liye", None), ("mera agent Lahore mein hai", None), ("2 saal se", None),
])
def test_licence_numbers_in_the_spellings_workers_use(text, licence):
    assert find_licence(text) == licence


def test_licence_cells_in_the_list():
    assert parse_licence("OEP-0771/ISB") == "771/ISB" and parse_licence("0771") == "771"
    assert parse_licence("Lahore") is None


@pytest.mark.parametrize("name, core", [
    ("Zarvolan Overseas Employment Promoters (Private) Limited", "zarvolan"),
    ("Kelmora Manpower Services (Pvt) Ltd", "kelmora"), ("Tavrino International", "tavrino"),
    ("M/S Quorava & Co. Recruiting Agency", "quorava"), ("Overseas Employment Services", "overseas employment services"),
])
def test_a_names_core_drops_what_every_agency_carries(name, core):
    assert name_core(name) == core


def test_the_question_around_a_name_and_the_city_are_read():
    q = read_query("is Zarvolan Overseas licensed in Lahore?")
    assert (q.name, q.city, q.licence) == ("zarvolan", "lahore", None)
    q = read_query("Kelmora wala agent pindi ka, licence check karo")
    assert q.city == "rawalpindi" and q.name == "kelmora"
    assert read_query("کیا زرولان اوورسیز لاہور لائسنس یافتہ ہے؟").city == "lahore"
    assert read_query("agent ka licence check karna hai").empty
    assert name_as_typed("is Zarvolan Overseas licensed in Lahore?") == "Zarvolan Overseas"


def test_5000_fictional_agencies_exact_and_slipped_names(big_list, big_index):
    source = IndexSource(big_index)
    rng = random.Random(3)
    sample = rng.sample(big_list, 200)
    for agency in sample:
        result, views = lookup(source, read_query(agency.name))
        assert agency.licence_no in [v.licence_no for v in views], agency
        result, views = lookup(source, read_query(f"{agency.licence_no.replace('/', ' ')} check"))
        assert (result, views[0].licence_no) == ("found", agency.licence_no)
    offered = 0
    for agency in sample:
        first = agency.name.split()[0]
        slipped = first[:2] + first[3:] if len(first) > 5 else first
        offered += agency.licence_no in [h.view.licence_no for h in decide(source.search(name_core(slipped), None))[1]]
    assert offered >= 0.8 * len(sample)  # one letter dropped from the distinctive word: still found or offered
