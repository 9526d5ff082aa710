"""Which database passes run."""

import pytest

from tests.api.conftest import POSTGRES_URL


@pytest.mark.skipif(not POSTGRES_URL, reason="OBLIGRAPH_TEST_POSTGRES_URL is not set: the PostgreSQL pass is skipped")
def test_postgres_pass(database_url):
    assert database_url.startswith(("postgresql", "sqlite"))
