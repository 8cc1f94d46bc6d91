"""Ids in URLs stay within their INTEGER columns (found by benchmarks/fuzz.py on PostgreSQL: "integer out of
range" escaped as a 500 from every console route taking an id)."""

from __future__ import annotations

import pytest

from helpline.settings import load_settings
from webhooks.app import create_app


@pytest.fixture
def make_app(clean_env, core, db_url):
    def build(engine=None, **settings):
        return create_app(load_settings(database_url=db_url, **settings), core=core, engine=engine)

    return build


@pytest.mark.parametrize("path", ["/staff/complaints/2147483648", "/staff/complaints/9223372036854775808",
                                  "/staff/contacts/100000000000000000000000", "/staff/complaints/0"])
def test_an_id_too_large_for_its_column_is_a_404_not_a_500(make_app, engine, path) -> None:
    # Found by benchmarks/fuzz.py on PostgreSQL: "integer out of range" escaped as a 500 (before sign-in is
    # checked for GETs, and for POSTs after it).
    client = make_app(engine).test_client()
    assert client.get(path).status_code == 404
    assert client.post(path + "/note", data={"note": "x"}).status_code == 404
