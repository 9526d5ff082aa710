"""Each database pass really runs on its own backend (a PostgreSQL pass that fell back to SQLite would pass unseen)."""

from tests.api.conftest import POSTGRES_URL

DIALECTS = {"sqlite": "sqlite", "postgres": "postgresql"}


def test_the_app_runs_on_the_backend_of_its_pass(app, backend):
    assert app.state.service.db.engine.dialect.name == DIALECTS[backend]


def test_the_postgres_pass_runs_whenever_a_url_is_given(request):
    passes = {item.callspec.params.get("backend") for item in request.session.items if hasattr(item, "callspec")}
    assert ("postgres" in passes) == bool(POSTGRES_URL), passes
