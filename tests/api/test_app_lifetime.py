"""An app is freed once nothing uses it: nothing module-level (FastAPI's caches) may hold it or its service."""

from __future__ import annotations

import gc
import weakref

from fastapi.testclient import TestClient

from obligraph.app.core.settings import Settings
from obligraph.app.main import create_app


def test_a_dropped_app_and_its_service_are_freed(tmp_path):
    app = create_app(Settings(data_dir=tmp_path))
    with TestClient(app) as client:
        assert client.get("/docs").status_code == 200  # every kind of route served once
        assert client.get("/api/v1/catalogs").status_code == 200
        assert client.get("/").status_code == 200
    app_ref, service_ref = weakref.ref(app), weakref.ref(app.state.service)
    del app, client
    gc.collect()
    assert app_ref() is None, [type(r).__name__ for r in gc.get_referrers(app_ref())]
    assert service_ref() is None
