"""Exports over HTTP: the format by Accept (406 when nothing fits), HEAD, ETag and If-None-Match, format options;
imports say which content types they read."""

from __future__ import annotations

import io
import json
import zipfile

import pytest

from obligraph.app.api.negotiation import negotiate, parse_accept
from obligraph.app.core.exceptions import NotAcceptable
from tests.api.support import error_of

WS = "/api/v1/workspaces/hr"


@pytest.mark.parametrize(
    "accept, fmt",
    [
        (None, "json"),
        ("*/*", "json"),
        ("application/json", "json"),
        ("application/yaml", "yaml"),
        ("application/graphml+xml, application/json;q=0.5", "graphml"),
        ("application/json;q=0.2, application/zip;q=0.9", "csv"),
        ("text/html", "html"),
        ("text/vnd.graphviz", "dot"),
        ("application/*;q=0.1, text/*;q=0.5", "dot"),
        ("application/gexf+xml, */*;q=0", "gexf"),
        ("image/png, */*;q=0.1", "json"),
    ],
)
def test_accept_chooses_the_format(client, workspace, accept, fmt):
    headers = {"accept": accept} if accept is not None else {}
    response = client.get(f"{WS}/export", headers=headers)
    assert response.status_code == 200, response.text
    assert negotiate(accept).name == fmt
    assert response.headers["content-disposition"].endswith(f'{negotiate(accept).extensions[0]}"')
    assert response.headers["vary"] == "Accept"


def test_nothing_acceptable_is_406_listing_what_is_offered(client, workspace):
    error = error_of(client.get(f"{WS}/export", headers={"accept": "image/png, application/pdf"}), 406)
    assert error["code"] == "not_acceptable"
    assert "application/graphml+xml" in error["message"] and "text/html" in error["message"]
    assert error_of(client.get(f"{WS}/export", headers={"accept": "application/json;q=0"}), 406)
    # format= wins over Accept: the client asked for that format by name.
    response = client.get(f"{WS}/export", params={"format": "dot"}, headers={"accept": "image/png"})
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/vnd.graphviz")
    with pytest.raises(NotAcceptable):
        negotiate("text/csv")


def test_accept_parsing_is_lenient_about_odd_values():
    assert parse_accept("application/json;q=oops, text/*;Q=0.3, *") == [
        ("application/json", 1.0),
        ("text/*", 0.3),
        ("*/*", 1.0),
    ]


def test_head_answers_the_get_headers_without_a_body(client, workspace):
    get = client.get(f"{WS}/export", params={"format": "graphml"})
    head = client.head(f"{WS}/export", params={"format": "graphml"})
    assert head.status_code == 200 and head.content == b""
    for name in ("content-type", "content-disposition", "etag", "content-length"):
        assert head.headers[name] == get.headers[name], name
    assert int(get.headers["content-length"]) == len(get.content)
    refused = client.head(f"{WS}/export", headers={"accept": "image/png"})
    assert refused.status_code == 406 and refused.content == b""


def test_etag_and_if_none_match(client, workspace):
    first = client.get(f"{WS}/export", params={"format": "csv"})
    tag = first.headers["etag"]
    assert tag.startswith('W/"')
    again = client.get(f"{WS}/export", params={"format": "csv"}, headers={"if-none-match": tag})
    assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == tag
    assert client.head(f"{WS}/export", params={"format": "csv"}, headers={"if-none-match": tag}).status_code == 304
    # Another format, other options, or a change to the workspace: another tag, and the full answer.
    assert client.get(f"{WS}/export", params={"format": "json"}).headers["etag"] != tag
    assert client.get(f"{WS}/export", params={"format": "csv", "gaps": "false"}).headers["etag"] != tag
    assert client.delete(f"{WS}/nodes/mon-saas").status_code == 204
    changed = client.get(f"{WS}/export", params={"format": "csv"}, headers={"if-none-match": tag})
    assert changed.status_code == 200 and changed.headers["etag"] != tag
    assert client.get(f"{WS}/export", params={"format": "csv"}, headers={"if-none-match": "*"}).status_code == 304


def test_a_snapshot_export_has_its_own_stable_tag(client, workspace):
    snap = client.post(f"{WS}/snapshots").json()["id"]
    tag = client.get(f"{WS}/export", params={"snapshot": snap}).headers["etag"]
    client.delete(f"{WS}/nodes/mon-saas")
    response = client.get(f"{WS}/export", params={"snapshot": snap}, headers={"if-none-match": f'"x", {tag}'})
    assert response.status_code == 304


def test_format_options_over_http(client, workspace):
    bundle = client.get(f"{WS}/export", params={"format": "csv", "gaps": "false"}).content
    assert "gaps.csv" not in zipfile.ZipFile(io.BytesIO(bundle)).namelist()
    full = zipfile.ZipFile(io.BytesIO(client.get(f"{WS}/export", params={"format": "csv"}).content)).namelist()
    assert "gaps.csv" in full and "root_causes.csv" in full
    no_causes = client.get(f"{WS}/export", params={"format": "csv", "causes": "false"}).content
    assert "root_causes.csv" not in zipfile.ZipFile(io.BytesIO(no_causes)).namelist()
    linked = client.get(f"{WS}/export", params={"format": "node-link", "links": "true"}).json()
    assert "links" in linked and "edges" not in linked
    error = error_of(client.get(f"{WS}/export", params={"format": "graphml", "links": "true"}), 422)
    assert "node-link" in error["message"] and error["details"][0]["location"] == "query.links"


def test_an_import_of_another_type_is_told_every_type_it_may_send(client, workspace):
    error = error_of(client.post(f"{WS}/import", content=b"x,y\n", headers={"content-type": "text/csv"}), 415)
    for media in (
        "application/json",
        "application/yaml",
        "application/graphml+xml",
        "application/xml",
        "application/zip",
    ):
        assert media in error["message"], media


@pytest.mark.parametrize("media", ["application/xml", "text/xml", "application/xml; charset=utf-8"])
def test_graphml_sent_as_plain_xml_imports(client, workspace, media):
    graphml = client.get(f"{WS}/export", params={"format": "graphml"}).content
    response = client.post(f"{WS}/import", content=graphml, headers={"content-type": media})
    assert response.status_code == 200, response.text
    assert response.json()["nodes"] == 5
    chain = client.get(f"{WS}/export").json()
    assert json.dumps(chain) and len(chain["nodes"]) == 5
