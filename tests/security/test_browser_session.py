"""Browser sign-in: the session cookie's flags, CSRF on the JSON API, and open-redirect safety."""

from __future__ import annotations

from obligraph.app.security.session import COOKIE, CSRF_COOKIE

WS = "/api/v1/workspaces/alpha"


def sign_in(world, who="editor", target="/w/alpha"):
    return world.client.post("/login", data={"token": world.secrets[who], "next": target}, follow_redirects=False)


def test_pages_redirect_to_login(world):
    response = world.client.get("/w/alpha?depth=2", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=%2Fw%2Falpha%3Fdepth%3D2"
    assert world.client.get("/login").status_code == 200


def test_login_sets_a_strict_httponly_cookie(world):
    response = sign_in(world)
    assert response.status_code == 303 and response.headers["location"] == "/w/alpha"
    cookies = response.headers.get_list("set-cookie")
    session = next(c for c in cookies if c.startswith(COOKIE + "="))
    assert "HttpOnly" in session and "SameSite=strict" in session.replace("Strict", "strict")
    csrf = next(c for c in cookies if c.startswith(CSRF_COOKIE + "="))
    assert "HttpOnly" not in csrf
    assert world.client.get("/w/alpha").status_code == 200
    assert world.client.get("/w/beta").status_code == 404  # another workspace's page: as if missing


def test_bad_token_does_not_sign_in(world):
    response = world.client.post("/login", data={"token": "obg_wrong"}, follow_redirects=False)
    assert response.status_code == 401 and COOKIE not in response.headers.get("set-cookie", "")


def test_login_reads_multipart_forms_and_cuts_overlong_fields(world):
    # The form is read by FastAPI's Form (python-multipart): a multipart body signs in as well.
    fields = {"token": (None, world.secrets["editor"]), "next": (None, "/w/alpha")}
    response = world.client.post("/login", files=fields, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/w/alpha"
    long = world.client.post("/login", data={"token": "obg_" + "x" * 100_000, "next": "/" + "a" * 5000})
    assert long.status_code == 401
    nothing = world.client.post("/login", content=b"", headers={"content-type": "application/x-www-form-urlencoded"})
    assert nothing.status_code == 401 and "not valid" in nothing.text


def test_api_takes_the_cookie_only_with_the_csrf_header(world):
    sign_in(world)
    csrf = world.client.cookies.get(CSRF_COOKIE)
    body = {"id": "n9", "layer": "saas"}
    assert world.client.post(f"{WS}/nodes", json=body).status_code == 401
    assert world.client.post(f"{WS}/nodes", json=body, headers={"X-CSRF-Token": "forged"}).status_code == 401
    assert world.client.post(f"{WS}/nodes", json=body, headers={"X-CSRF-Token": csrf}).status_code == 201
    assert world.client.get(f"{WS}/nodes/n9", headers={"X-CSRF-Token": csrf}).status_code == 200


def test_tampered_cookie_is_refused(world):
    sign_in(world, who="viewer")
    cookie = world.client.cookies.get(COOKIE)
    token_id, expiry, mac = cookie.split(".")
    world.client.cookies.set(COOKIE, f"{token_id}.{int(expiry) + 10**6}.{mac}")
    assert world.client.get("/w/alpha", follow_redirects=False).status_code == 303


def test_revoking_the_token_ends_the_session(world):
    sign_in(world, who="viewer")
    assert world.client.get("/w/alpha").status_code == 200
    from obligraph.app.security import tokens

    with world.app.state.service.db.read() as session:
        principal = tokens.authenticate(session, world.secrets["viewer"])
    with world.app.state.service.db.write() as session:
        tokens.revoke(session, principal.token_id)
    assert world.client.get("/w/alpha", follow_redirects=False).status_code == 303


def test_next_is_never_an_open_redirect(world):
    for target in ("https://evil.example/", "//evil.example", "/\\evil.example"):
        assert sign_in(world, target=target).headers["location"] == "/"


def test_logout_clears_the_cookie(world):
    sign_in(world)
    world.client.post("/logout", follow_redirects=False)
    assert world.client.get("/w/alpha", follow_redirects=False).status_code == 303


def test_api_docs_schema_loads_with_the_cookie_alone(world):
    # Swagger UI fetches /openapi.json with the cookie and no CSRF header; it is a read, so that is fine.
    assert world.client.get("/openapi.json").status_code == 401
    sign_in(world, who="viewer")
    assert world.client.get("/openapi.json").status_code == 200
