"""The evidence page, the node page's evidence marks, and "demand from" naming only the blockers."""

from __future__ import annotations

import re

import pytest

WS = "evidence-page"
AS_OF = "2026-06-01"


def cert(ref: str, expires: str, **fields) -> dict:
    return {"kind": "certification", "ref": ref, "expires": expires, **fields}


CHAIN = {
    "format": "obligraph/chain@1",
    "name": "Evidence page",
    "controls": ["10.5.1"],
    "requirement": "verified",
    "nodes": [
        {
            "id": "iaas",
            "layer": "iaas",
            "declarations": [{"control": "10.5.1", "status": "verified", "evidence": [cert("ISO soon", "2026-07-15")]}],
        },
        {
            "id": "good",
            "layer": "iaas",
            "declarations": [{"control": "10.5.1", "status": "verified", "evidence": [cert("ISO long", "2030-01-01")]}],
        },
        {"id": "weak", "layer": "iaas", "declarations": [{"control": "10.5.1", "status": "declared"}]},
        {
            "id": "saas",
            "layer": "saas",
            "declarations": [
                {
                    "control": "10.5.1",
                    "status": "verified",
                    "evidence": [
                        {
                            "kind": "audit_report",
                            "ref": "Own audit",
                            "expires": "2027-01-01",
                            "independence": "internal",
                        }
                    ],
                }
            ],
        },
    ],
    "edges": [
        {"provider": "iaas", "consumer": "saas"},
        {"provider": "good", "consumer": "saas"},
        {"provider": "weak", "consumer": "saas"},
    ],
}


@pytest.fixture(scope="module")
def ws(client) -> str:
    assert client.post("/api/v1/workspaces", json={"id": WS, "name": "Evidence page"}).status_code == 201
    assert client.post(f"/api/v1/workspaces/{WS}/import", json=CHAIN).status_code == 200
    return WS


def rows(page: str) -> dict[str, str]:
    """The evidence table's rows by node id."""
    return dict(re.findall(r'<tr class="ev-row-\w+" data-node="([^"]+)"[^>]*>(.*?)</tr>', page, re.S))


def test_the_evidence_page_lists_what_the_api_lists(client, ws):
    page = client.get(f"/w/{ws}/evidence", params={"as_of": AS_OF})
    assert page.status_code == 200
    api = client.get(f"/api/v1/workspaces/{ws}/evidence", params={"as_of": AS_OF}).json()
    found = rows(page.text)
    assert list(found) == [item["node"] for item in api["items"]] == ["saas", "iaas"]
    assert "not assuring" in found["saas"] and "internal audit" in found["saas"] and "ev-lapsed" in found["saas"]
    assert "last day in 44 days" in found["iaas"] and "ev-soon" in found["iaas"]
    # The lapse of iaas's certificate opens its own gap (saas's is open already).
    assert re.search(r"/nodes/iaas\?as_of=2026-06-01\">iaas</a> <span class=\"muted\">\(origin", found["iaas"])
    assert "1 gap would open" in page.text
    # The days are kept in the links and the header form; a shorter window drops the certificate.
    assert f'href="/w/{ws}/evidence?days=30&amp;as_of={AS_OF}"' in page.text
    short = client.get(f"/w/{ws}/evidence", params={"as_of": AS_OF, "days": 30}).text
    assert list(rows(short)) == ["saas"] and '<input type="hidden" name="days" value="30">' in short


def test_the_evidence_page_is_linked_and_checks_its_days(client, ws):
    assert f'href="/w/{ws}/evidence">Evidence</a>' in client.get(f"/w/{ws}").text
    for bad in ("-1", "soon", "99999"):
        response = client.get(f"/w/{ws}/evidence", params={"days": bad})
        assert response.status_code == 400 and "days:" in response.text
    assert client.get("/w/nope/evidence").status_code == 404


def test_the_evidence_page_in_japanese(client, ws):
    page = client.get(f"/w/{ws}/evidence", params={"as_of": AS_OF}, headers={"cookie": "obligraph_lang=ja"}).text
    assert "更新が必要な証跡" in page and "保証していない" in page and "有効期限の最終日まであと 44 日" in page


def test_the_node_page_marks_each_evidence_item(client, ws):
    saas = client.get(f"/w/{ws}/nodes/saas", params={"as_of": AS_OF}).text
    assert re.search(r'ev-state-lapsed">audit report: Own audit.*?not assuring.*?internal audit', saas, re.S)
    iaas = client.get(f"/w/{ws}/nodes/iaas", params={"as_of": AS_OF}).text
    assert re.search(r'ev-state-soon">certification: ISO soon.*?last day in 44 days', iaas, re.S)
    good = client.get(f"/w/{ws}/nodes/good", params={"as_of": AS_OF}).text
    assert 'ev-state-ok">' in good and "in force until 2030-01-01" in good and "ev-badge" not in good


def test_demand_from_names_only_the_providers_that_block_the_gap(client, ws):
    page = client.get(f"/w/{ws}/nodes/saas", params={"as_of": AS_OF}).text
    row = re.search(r'<tr class="has-gap" data-control="10.5.1">(.*?)</tr>', page, re.S).group(1)
    demand = row.rsplit('<td class="guidance">', 1)[1]
    assert re.findall(r'class="demand-from"><a href="[^"]+">([^<]+)</a>', demand) == ["weak"]
    # The report's blockers are the source: saas itself and weak; iaas and good meet "verified".
    report = client.get(f"/api/v1/workspaces/{ws}/nodes/saas/report", params={"as_of": AS_OF}).json()
    [item] = report["controls"]
    assert {b["node"] for b in item["gap"]["blockers"]} == {"saas", "weak"}
    assert [p["provider"] for p in item["providers"]] == ["iaas", "good", "weak"]
