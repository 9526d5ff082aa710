"""The map page's CAIQ upload: CSA's workbook sets a provider's declarations and lists what did not land."""

from __future__ import annotations

from tests.api.support import HR_CHAIN
from tests.browser.support import api, open_map
from tests.graph.formats.test_caiq import workbook


def test_a_caiq_workbook_upload_sets_declarations_and_reports_the_rest(page, server, tmp_path):
    assert api(server, "POST", "/api/v1/workspaces", {"id": "caiq", "name": "CAIQ"})[0] == 201
    status, body = api(server, "POST", "/api/v1/workspaces/caiq/import", HR_CHAIN)
    assert status == 200, body
    answers = tmp_path / "acme-caiq.xlsx"
    answers.write_bytes(workbook())
    bad = tmp_path / "bad.csv"
    bad.write_text("Question ID,CSP CAIQ Answer,SSRM Control Ownership\nLOG-06.1,Maybe,CSP-owned\n")
    open_map(page, server, "caiq")
    page.click("text=Import a provider's CAIQ answers")
    form = page.locator("#form-caiq")
    form.locator("input[name=node]").fill("acme-compute")
    form.locator("input[name=file]").set_input_files(str(bad))
    form.locator("button[type=submit]").click()
    page.wait_for_selector("#form-caiq .form-error:not(:empty)")
    assert "'Maybe' is not an answer" in form.locator(".form-error").inner_text()
    form.locator("input[name=file]").set_input_files(str(answers))
    form.locator("button[type=submit]").click()
    page.wait_for_selector("#form-caiq .form-result:not(:empty)")
    result = form.locator(".form-result").inner_text()
    assert "declarations set on acme-compute" in result and "Not imported: CCM DSP-07" in result
    assert "Unanswered: IAM-02.1" in result and form.locator(".form-error").inner_text() == ""
    status, declaration = api(server, "GET", "/api/v1/workspaces/caiq/nodes/acme-compute/declarations/10.10.6")
    assert status == 200 and declaration["status"] == "not_implemented"
