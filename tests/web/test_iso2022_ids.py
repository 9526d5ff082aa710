"""Pages show the ISO/IEC 27002:2022 numbers beside the catalog's 2005 ids."""

from __future__ import annotations

import re

from obligraph.app.web.render import env


def test_the_filter_gives_2022_ids():
    template = env.from_string(
        '{{ "10.5.1"|iso2022|join(",") }}|{{ iso27002_2022_ids("11.4.1")|join(",") }}|{{ "6.1.1"|iso2022|length }}'
    )
    assert template.render() == "8.13|5.15|0"


def test_node_checklist_rows_show_2022_ids(client):
    page = client.get("/w/xss/nodes/p1")
    assert page.status_code == 200
    row = re.search(r"<td>10\.5\.1(.*?)</td>", page.text, re.DOTALL)
    assert row is not None
    assert '<span class="iso2022" title="ISO/IEC 27002:2022">(2022: 8.13)</span>' in row.group(1)


def test_gap_table_shows_2022_ids(client):
    page = client.get("/w/xss/gaps")
    assert page.status_code == 200
    assert (
        '<td>10.5.1 <span class="iso2022" title="ISO/IEC 27002:2022">(2022: 8.13)</span> Information back-up</td>'
        in (page.text)
    )


def test_gap_page_filters_by_a_2022_id(client):
    typed = client.get("/w/xss/gaps", params={"control": "27002:2022/8.13"})
    plain = client.get("/w/xss/gaps", params={"control": "10.5.1"})
    count = re.search(r'<p id="gap-count" role="status">(\d+) of', plain.text)
    assert count is not None and int(count.group(1)) > 0
    assert re.search(r'<p id="gap-count" role="status">(\d+) of', typed.text).group(1) == count.group(1)
    refused = client.get("/w/xss/gaps", params={"control": "A.5.1"})
    assert "27002:2022/5.1" in refused.text and "12.5.1" not in refused.text
