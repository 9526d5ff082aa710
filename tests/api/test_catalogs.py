"""Catalogs (read-only)."""

from tests.api.support import error_of


def test_catalogs(client):
    items = client.get("/api/v1/catalogs").json()["items"]
    meti = next(item for item in items if item["id"] == "meti-2011")
    assert (meti["controls"], meti["cloud_guidance"]) == (133, 106)
    full = client.get("/api/v1/catalogs/meti-2011").json()
    assert len(full["controls"]) == 133
    control = client.get("/api/v1/catalogs/meti-2011/controls/10.5.1").json()
    assert control["title"] == "Information back-up" and control["responsibility"]["iaas"]


def test_unknown_catalog_or_control(client):
    assert "known:" in error_of(client.get("/api/v1/catalogs/nist"), 404)["message"]
    error_of(client.get("/api/v1/catalogs/meti-2011/controls/99.9.9"), 404)
    # A path-looking id is still only an id.
    error_of(client.get("/api/v1/catalogs/..%2F..%2Fetc%2Fpasswd.yaml"), 404)
