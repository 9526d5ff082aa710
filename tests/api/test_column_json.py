"""JSON columns: written with orjson (or the standard library where orjson refuses), read back unchanged."""

import json

import pytest
from sqlalchemy import select

from obligraph.app.core.json_encoding import column_json, column_value
from obligraph.app.models import IdempotencyKey, Workspace


@pytest.mark.parametrize(
    "value",
    [
        {"nodes": [{"id": "ä-1", "layer": "saas"}], "ratio": 0.1, "none": None, "flag": True},
        [1, 2**70, "beyond 64 bits: the standard library's turn"],
        {1: "a key that is not text"},
        [],
    ],
)
def test_a_value_reads_back_as_the_standard_library_would_read_it(value):
    text = column_json(value)
    assert isinstance(text, str)
    assert column_value(text) == json.loads(text) == json.loads(json.dumps(value))


def test_the_service_stores_and_reads_json_columns_through_it(app):
    db = app.state.service.db
    response = {"big": 2**70, "text": "日本語", "nested": {"list": [1.5, None]}}
    with db.write() as session:
        session.add(Workspace(id="j", uid="u" * 32, name="j", catalog="meti-2011", controls=["5.1.1"]))
        session.flush()
        session.add(IdempotencyKey(workspace_id="j", key="k", request_hash="h", status=200, response=response))
        session.commit()
    with db.read() as session:
        stored = session.execute(select(IdempotencyKey.response).where(IdempotencyKey.key == "k")).scalar_one()
        controls = session.execute(select(Workspace.controls).where(Workspace.id == "j")).scalar_one()
    assert stored == response and controls == ["5.1.1"]
