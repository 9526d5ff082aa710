"""The Japanese UI: message catalogs compiled at install, the language from cookie or browser."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from obligraph.app.web import i18n

ROOT = Path(__file__).resolve().parents[2]


def compile_catalogs() -> None:
    """What `make install` does (pybabel compile), for test runs that did not go through make."""
    for po in i18n.LOCALE_DIR.glob("*/LC_MESSAGES/messages.po"):
        mo = po.with_suffix(".mo")
        if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
            with po.open("rb") as source, mo.open("wb") as target:
                write_mo(target, read_po(source))
    i18n.translations.cache_clear()


@pytest.fixture(scope="module", autouse=True)
def catalogs():
    compile_catalogs()


def test_every_message_has_a_japanese_translation():
    with (i18n.LOCALE_DIR / "ja" / "LC_MESSAGES" / "messages.po").open("rb") as source:
        catalog = read_po(source)
    untranslated = [m.id for m in catalog if m.id and not (m.string if isinstance(m.string, str) else all(m.string))]
    assert untranslated == []


@pytest.mark.skipif(shutil.which("git") is None or not (ROOT / ".git").exists(), reason="not a git checkout")
def test_compiled_catalogs_are_built_not_committed():
    tracked = subprocess.run(["git", "ls-files", "*.mo"], cwd=ROOT, capture_output=True, text=True).stdout
    assert tracked == ""
    assert "*.mo" in (ROOT / ".gitignore").read_text().split()
    # `make install` (and so `make test`) compiles every .po: the dry run shows the command.
    dry = subprocess.run(
        ["make", "-n", "-W", "app/web/locale/ja/LC_MESSAGES/messages.po", "install"],
        cwd=ROOT, capture_output=True, text=True,
    )  # fmt: skip
    assert "pybabel compile" in dry.stdout and "ja/LC_MESSAGES/messages.mo" in dry.stdout
    assert "pybabel compile" in (ROOT / "Dockerfile").read_text()


def test_the_browser_language_picks_the_page_language(client):
    page = client.get("/", headers={"accept-language": "ja,en-US;q=0.8"}).text
    assert '<html lang="ja">' in page and "<h1>ワークスペース</h1>" in page
    page = client.get("/", headers={"accept-language": "de-DE,en;q=0.5"}).text
    assert '<html lang="en">' in page and "<h1>Workspaces</h1>" in page


def test_the_selector_remembers_the_choice_in_a_cookie(client):
    response = client.get("/language", params={"lang": "ja", "next": "/w/demo/gaps"}, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/w/demo/gaps"
    assert "obligraph_lang=ja" in response.headers["set-cookie"]
    page = client.get("/", headers={"accept-language": "en", "cookie": "obligraph_lang=ja"}).text
    assert '<html lang="ja">' in page
    away = client.get("/language", params={"lang": "en", "next": "//evil.example/"}, follow_redirects=False)
    assert away.headers["location"] == "/"  # never off the site
    client.cookies.clear()  # the session's client is shared: leave no language behind


def test_the_node_page_shows_the_catalogs_japanese(client):
    english = client.get("/w/demo/nodes/hoshino-it").text
    japanese = client.get("/w/demo/nodes/hoshino-it", headers={"accept-language": "ja"}).text
    assert "Information security policy document" in english
    assert "情報セキュリティ基本方針文書" in japanese
    assert "監査チェックリスト" in japanese and "宣言済み" in japanese
    guidance = re.findall(r'<td class="guidance">([^<]+)', japanese)
    assert guidance and any(re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", text) for text in guidance)


def test_a_missing_catalog_falls_back_to_english(tmp_path, monkeypatch):
    monkeypatch.setattr(i18n, "LOCALE_DIR", tmp_path)
    i18n.translations.cache_clear()
    try:
        assert i18n.translations("ja").gettext("Workspaces") == "Workspaces"
    finally:
        monkeypatch.undo()
        i18n.translations.cache_clear()


@pytest.mark.parametrize(
    ("fields", "japanese"),
    [
        ({"expires": "2025-12-31"}, "2025-12-31 に期限切れ"),
        ({"expires": "2026-12-31", "independence": "internal"}, "内部監査"),
        ({"expires": "2026-12-31", "scope": ["9"]}, "証跡の適用範囲外"),
        ({"kind": "contract", "expires": "2026-12-31"}, "契約 は監査報告書でも認証でもありません"),
    ],
)
def test_the_evidence_rules_reasons_in_japanese(fields, japanese):
    from datetime import date

    from pydantic import TypeAdapter

    from obligraph.app.web.warnings_view import evidence_reason
    from obligraph.graph.evidence import assess
    from obligraph.graph.schema import Evidence

    item = TypeAdapter(Evidence).validate_python({"kind": "certification", "ref": "ISO/IEC 27001", **fields})
    reason = assess(item, "10.5.1", date(2026, 1, 1)).reason
    with i18n.language("ja"):
        assert evidence_reason(reason) == japanese
    assert evidence_reason(reason) == reason  # English is the engine's own wording


def _visible_text(page: str) -> str:
    """The page's text as a reader sees it: no scripts, no tags, no JSON blobs."""
    page = re.sub(r"<script\b.*?</script>", " ", page, flags=re.S)
    return re.sub(r"<[^>]+>", " ", page)


@pytest.mark.parametrize(
    ("path", "japanese", "english"),
    [
        (
            "/w/demo",
            ["凡例", "絞り込み", "ギャップのあるノードのみ", "監査ページ"],
            ["Legend", "Only nodes with gaps", "Audit page"],
        ),
        ("/w/demo/gaps", ["根本原因", "絞り込む", "（すべて）"], ["Root causes", "Filter", "(any)"]),
        ("/w/demo/gaps?layer=saas", ["一致"], ["match these filters"]),
        (
            "/w/demo/fixes",
            ["対策：まずここから", "解消するギャップ", "マップで見る"],
            ["chase these first", "Gaps closed"],
        ),
        ("/w/demo/spof", ["集中度", "依存する顧客"], ["Concentration", "Customers depending", "Nodes depending"]),
        ("/w/demo/what-if", ["変更を追加", "ノードを削除"], ["Add a change", "remove a node", "Nothing is stored"]),
        (
            "/w/demo/what-if?change=remove_node|hoshino-it",
            ["影響を受けるノード", "発生"],
            ["gaps opened", "nodes affected", "Opened"],
        ),
        ("/w/demo/snapshots/diff", ["比較元", "現在のワークスペース"], ["the live workspace", "Compare"]),
    ],
)
def test_the_analysis_pages_in_japanese(client, path, japanese, english):
    response = client.get(path, headers={"accept-language": "ja"})
    assert response.status_code == 200, response.text[:500]
    assert '<html lang="ja">' in response.text
    text = _visible_text(response.text)
    for words in japanese:
        assert words in text, words
    for words in english:
        assert words not in text, words
    english_page = _visible_text(client.get(path).text)
    assert all(words in english_page for words in english)  # the English words are there to be translated
