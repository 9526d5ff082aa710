"""CSV and XLSX downloads: what Excel opens, with the same rows as the JSON API."""

from __future__ import annotations

import csv
import io
import re

from openpyxl import load_workbook

from obligraph.app.web.spreadsheets import STATUS_FILLS, XLSX_TYPE
from obligraph.graph.catalog import load_catalog


def _api_gaps(client, query: str = "") -> list[dict]:
    items, cursor = [], None
    while True:
        url = f"/api/v1/workspaces/demo/gaps?limit=1000&root_causes=false{query}" + (
            f"&cursor={cursor}" if cursor else ""
        )
        page = client.get(url).json()
        items += page["gaps"]
        cursor = page.get("next")
        if not cursor:
            return items


def test_gap_csv_starts_with_a_byte_order_mark(client):
    response = client.get("/w/demo/gaps.csv")
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert next(iter(rows[0])) == "node"  # the mark is not glued to the first header
    assert len(rows) == len(_api_gaps(client))


def test_gap_xlsx_has_the_rows_of_the_api(client):
    response = client.get("/w/demo/gaps.xlsx?require=verified")
    assert response.status_code == 200
    assert response.headers["content-type"] == XLSX_TYPE
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    header = list(rows[0])
    got = sorted((r[header.index("node")], r[header.index("control")], r[header.index("effective")]) for r in rows[1:])
    want = sorted((g["node"], g["control"], g["effective"]) for g in _api_gaps(client, "&require=verified"))
    assert got == want
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == f"A1:K{len(rows)}"
    assert sheet["A1"].font.bold
    assert sheet.column_dimensions["G"].width > len("title")  # sized to the titles, not left at the default


def test_heatmap_xlsx_colours_cells_by_status(client):
    sheet = load_workbook(io.BytesIO(client.get("/w/demo/heatmap.xlsx").content)).active
    header = [c.value for c in sheet[1]]
    assert header[:4] == ["node", "name", "layer", "gaps"]
    coloured = 0
    for row in sheet.iter_rows(min_row=2):
        for cell in row[4:]:
            if cell.value:
                assert cell.fill.start_color.rgb.endswith(STATUS_FILLS[cell.value])
                coloured += 1
    assert coloured > 0
    page = client.get("/w/demo/heatmap").text
    assert page.count("<tr>") - 1 == sheet.max_row - 1  # one sheet row per page row


def test_checklist_xlsx_matches_the_node_report(client):
    node = "hoshino-it"
    response = client.get(f"/w/demo/nodes/{node}/checklist.xlsx")
    assert response.status_code == 200, response.text
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    report = client.get(f"/api/v1/workspaces/demo/nodes/{node}/report").json()
    want = [(c["control"], c["effective"]) for c in report["controls"] if c["in_scope"] or c["declaration"]]
    assert [(r[0], r[4]) for r in rows[1:]] == want


def test_formula_cells_stay_text_in_both_formats(client):
    created = client.post("/api/v1/workspaces", json={"id": "formula", "name": "Formula"})
    assert created.status_code == 201
    chain = {
        "format": "obligraph/chain@1",
        "name": "Formula",
        "controls": ["10.5.1"],
        "nodes": [
            {"id": "p", "name": '=HYPERLINK("http://x")', "layer": "iaas"},
            {"id": "c", "name": "@SUM(1)", "layer": "customer"},
        ],
        "edges": [{"provider": "p", "consumer": "c"}],
    }
    assert client.post("/api/v1/workspaces/formula/import", json=chain).status_code == 200
    text = client.get("/w/formula/gaps.csv").content.decode("utf-8-sig")
    assert "'=HYPERLINK" in text and "'@SUM" in text
    sheet = load_workbook(io.BytesIO(client.get("/w/formula/gaps.xlsx").content)).active
    names = {row[1] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert names <= {'\'=HYPERLINK("http://x")', "'@SUM(1)"} and names
    assert all(cell.data_type == "s" for row in sheet.iter_rows() for cell in row if cell.value)


def test_bad_analysis_parameters_are_a_page_that_names_the_field(client):
    response = client.get("/w/demo/gaps?require=verifed")
    assert response.status_code == 400
    assert "require: &#39;verifed&#39; is not a status" in response.text
    response = client.get("/w/demo/heatmap?as_of=2026-13-01")
    assert response.status_code == 400 and "YYYY-MM-DD" in response.text


def _count(page: str) -> int:
    return int(re.search(r'<p id="gap-count"[^>]*>(\d+)', page).group(1))


def test_requirement_changes_the_gap_page(client):
    declared = client.get("/w/demo/gaps?require=declared").text
    verified = client.get("/w/demo/gaps?require=verified&as_of=2026-11-26").text
    assert _count(verified) > _count(declared)
    assert 'href="/w/demo/gaps.xlsx?require=verified&amp;as_of=2026-11-26"' in verified


def test_cloud_guidance_only_narrows_every_analysis_page(client):
    everything = client.get("/w/demo/gaps?as_of=2026-11-26").text
    guided = client.get("/w/demo/gaps?as_of=2026-11-26&guided=1").text
    assert 0 < _count(guided) < _count(everything)
    assert 'id="choice-guided" checked' in guided and 'id="choice-guided" checked' not in everything
    assert 'href="/w/demo/gaps.xlsx?as_of=2026-11-26&amp;guided=1"' in guided  # downloads follow the page
    unguided = next(c.id for c in load_catalog("meti-2011") if not c.cloud_guidance)
    node = client.get("/w/demo/nodes/musashi-dc?as_of=2026-11-26").text
    assert f'data-control="{unguided}"' in node
    assert f'data-control="{unguided}"' not in client.get("/w/demo/nodes/musashi-dc?as_of=2026-11-26&guided=1").text
    for page in ("heatmap", "", "fixes"):
        assert client.get(f"/w/demo/{page}?guided=1").status_code == 200, page
    response = client.get("/w/demo/gaps?guided=maybe")
    assert response.status_code == 400 and "guided=1" in response.text
