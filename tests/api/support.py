"""Test data and helpers: small chains with a delegation loop, an override, an ``assigns`` hand-down
(an orphaned gap), live and lapsed evidence."""

AS_OF = "2026-06-01"
CONTROLS = ["9.1.1", "10.5.1", "11.5.1", "12.6.1", "10.10.3"]

HR_CHAIN = {
    "format": "obligraph/chain@1",
    "name": "HR platform",
    "catalog": "meti-2011",
    "controls": CONTROLS,
    "nodes": [
        {
            "id": "acme-compute",
            "name": "Acme Compute",
            "layer": "iaas",
            "org": "Acme Corp",
            "declarations": [
                {
                    "control": "9.1.1",
                    "status": "verified",
                    "evidence": [{"kind": "certification", "ref": "ISO/IEC 27001 #1", "expires": "2030-01-01"}],
                },
                {
                    "control": "12.6.1",
                    "status": "verified",
                    "evidence": [{"kind": "audit_report", "ref": "SOC 2 2024", "expires": "2025-01-01"}],
                },
                {"control": "10.5.1", "status": "declared", "assigns": "customer"},
            ],
        },
        {
            "id": "acme-paas",
            "name": "Acme PaaS",
            "layer": "paas",
            "declarations": [{"control": "12.6.1", "status": "partial"}],
        },
        {"id": "mon-saas", "name": "Monitoring", "layer": "saas"},
        {
            "id": "hr-saas",
            "name": "HR SaaS",
            "layer": "saas",
            "declarations": [{"control": "11.5.1", "status": "declared"}],
        },
        {"id": "customer", "name": "Our company", "layer": "customer"},
    ],
    "edges": [
        {"provider": "acme-compute", "consumer": "acme-paas"},
        {"provider": "acme-paas", "consumer": "mon-saas"},
        {"provider": "mon-saas", "consumer": "acme-paas"},
        {"provider": "acme-paas", "consumer": "hr-saas", "responsibility": {"11.5.1": "shared"}, "criticality": "high"},
        {"provider": "hr-saas", "consumer": "customer"},
    ],
}


def error_of(response, status: int) -> dict:
    """The error object of a response, after checking the status and the one error shape."""
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"}, body
    assert set(body["error"]) == {"code", "message", "details"}, body
    assert body["error"]["message"]
    return body["error"]


def messages(error: dict) -> str:
    """Every message of an error, for ``in`` checks."""
    return " | ".join([error["message"], *(f"{d['location']}: {d['message']}" for d in error["details"])])
