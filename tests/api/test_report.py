"""GET .../nodes/{node}/report: the audit checklist as JSON."""

from obligraph.graph.analysis import analyze
from obligraph.graph.chain import Chain
from tests.api.support import AS_OF, HR_CHAIN, error_of

URL = "/api/v1/workspaces/hr/nodes/hr-saas/report"


def test_report(client, workspace):
    body = client.get(URL, params={"as_of": AS_OF}).json()
    analysis = analyze(Chain.from_dict(HR_CHAIN), as_of=AS_OF)
    assert body["format"] == "obligraph/node-report@1" and body["node"]["layer"] == "saas"
    assert [item["control"] for item in body["controls"]] == analysis.controls
    by_control = {item["control"]: item for item in body["controls"]}
    backup = by_control["11.5.1"]
    assert backup["declaration"]["status"] == "declared" and backup["own"] == "declared"
    assert backup["providers"] == [
        {
            "provider": "acme-paas",
            "responsibility": "shared",
            "own": "unknown",
            "effective": analysis.effective_status("acme-paas", "11.5.1").value,
        }
    ]
    assert backup["needs_own_part"] and backup["you_do"] and backup["demand"]
    for item in body["controls"]:
        gap = analysis.gap("hr-saas", item["control"])
        assert (item["gap"] is None) == (gap is None)
        if gap:
            assert item["gap"] == analysis.gap_dict(gap)
    assert body["summary"]["gaps"] == sum(1 for item in body["controls"] if item["gap"])


def test_report_parameters_and_errors(client, workspace):
    body = client.get(URL, params={"controls": "10.5.1", "require": "verified"}).json()
    assert [item["control"] for item in body["controls"]] == ["10.5.1"] and body["requirement"] == "verified"
    error_of(client.get("/api/v1/workspaces/hr/nodes/ghost/report"), 404)
    error_of(client.get(URL, params={"controls": "bogus"}), 422)
