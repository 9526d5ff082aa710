"""The gap table filters, sorts and pages on the server over every gap; the CSV is the filtered set."""

from __future__ import annotations

import csv
import io
import re

import pytest

from benchmarks.generate import generate_chain


@pytest.fixture(scope="module")
def big(client):
    """A workspace with many more gaps than a page (and than the old 2,000-row cut)."""
    document = generate_chain(300, 900, seed=3)
    assert client.post("/api/v1/workspaces", json={"id": "table", "name": "Table"}).status_code == 201
    assert client.post("/api/v1/workspaces/table/import", json=document).status_code == 200
    return client.get("/api/v1/workspaces/table/gaps?limit=1").json()["summary"]["gaps"]


def rows(page: str) -> list[list[str]]:
    body = re.search(r"<tbody>(.*?)</tbody>", page, re.DOTALL)
    if body is None:
        return []
    return [
        [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.DOTALL)]
        for row in re.findall(r"<tr>(.*?)</tr>", body.group(1), re.DOTALL)
    ]


def api_gaps(client, **params) -> list[dict]:
    found, cursor = [], None
    while True:
        query = {**params, "limit": 1000, "root_causes": "false", **({"cursor": cursor} if cursor else {})}
        page = client.get("/api/v1/workspaces/table/gaps", params=query).json()
        found += page["gaps"]
        cursor = page["next"]
        if not cursor:
            return found


def test_a_filter_finds_gaps_beyond_the_first_2000(client, big):
    assert big > 2000
    everything = api_gaps(client)
    late = everything[-1]  # the last gap in document order: far past row 2,000
    node = client.get(f"/api/v1/workspaces/table/nodes/{late['node']}").json()
    expected = [g for g in everything if g["node"] == late["node"]]
    page = client.get("/w/table/gaps", params={"node": late["node"]}).text
    assert f"{len(expected)} of {big} gaps match" in page
    assert (node.get("name") or late["node"]) in page and late["control"] in page


def test_the_count_is_every_match_and_pages_cover_them(client, big):
    first = client.get("/w/table/gaps").text
    assert f"{big} gaps" in first and len(rows(first)) == 100
    kind = client.get("/w/table/gaps", params={"kind": "inherited"}).text
    inherited = len(api_gaps(client, kind="inherited"))
    assert f"{inherited} of {big} gaps match" in kind


def test_sorting_is_over_all_gaps(client, big):
    worst = rows(client.get("/w/table/gaps", params={"sort": "effective", "dir": "asc"}).text)
    best = rows(client.get("/w/table/gaps", params={"sort": "effective", "dir": "desc"}).text)
    order = ["not implemented", "unknown", "partial", "declared", "verified", "not applicable"]  # the cells' words
    statuses = {g["effective"].replace("_", " ") for g in api_gaps(client)}
    lowest, highest = min(statuses, key=order.index), max(statuses, key=order.index)
    assert worst[0][5] == lowest and best[0][5] == highest
    ranks = [order.index(r[5]) for r in best]
    assert ranks == sorted(ranks, reverse=True)
    page = client.get("/w/table/gaps", params={"sort": "node", "dir": "asc"}).text
    assert 'aria-sort="ascending"' in page


def test_csv_is_exactly_the_filtered_set(client, big):
    params = {"layer": "saas", "kind": "inherited"}
    response = client.get("/w/table/gaps.csv", params=params)
    lines = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    expected = api_gaps(client, layer="saas", kind="inherited")
    assert len(lines) == len(expected) > 100  # every page, not just the one shown
    assert {(r["node"], r["control"]) for r in lines} == {(g["node"], g["control"]) for g in expected}
    page = client.get("/w/table/gaps", params=params).text
    assert "gaps.csv?layer=saas&amp;kind=inherited" in page


def test_bad_filters_are_named(client, big):
    response = client.get("/w/table/gaps", params={"effective": "great"})
    assert response.status_code == 422 and "is not a status" in response.text
    assert client.get("/w/table/gaps", params={"sort": "colour"}).status_code == 422
