"""`failmap docs`: every model and column is described, undocumented ones are found (also those
only the database knows), and the docs server serves both sites and nothing outside them."""

from __future__ import annotations

import json
import socket
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from failmap.docs import Undocumented, serve_docs, undocumented, write_index
from failmap.runtime.dbt_manifest import DBT_PROJECT_DIR


def _manifest() -> dict:
    return json.loads((DBT_PROJECT_DIR / "target" / "manifest.json").read_text(encoding="utf-8"))


def _models() -> list[dict]:
    return [
        node
        for node in _manifest()["nodes"].values()
        if node["resource_type"] == "model" and node["package_name"] == "failmap"
    ]


def test_every_model_and_every_declared_column_is_described() -> None:
    assert undocumented(_manifest(), catalog=None) == []


def test_every_mart_declares_all_its_columns_under_an_enforced_contract() -> None:
    # With a contract dbt refuses a mart whose columns differ from its YAML, so the YAML (and
    # the test above) covers every column the app and the analysts read.
    marts = [node for node in _models() if node["schema"] in {"marts", "predictions"}]

    assert marts
    assert [m["name"] for m in marts if not m["config"]["contract"]["enforced"]] == []


def test_columns_only_the_database_knows_count_as_undocumented() -> None:
    manifest = {
        "nodes": {
            "model.failmap.a": {
                "resource_type": "model",
                "package_name": "failmap",
                "schema": "marts",
                "name": "a",
                "description": "A mart.",
                "columns": {"x": {"description": "X."}, "y": {"description": ""}},
            },
            "model.failmap.b": {
                "resource_type": "model",
                "package_name": "failmap",
                "schema": "staging",
                "name": "b",
                "description": "",
                "columns": {},
            },
        }
    }
    catalog = {"nodes": {"model.failmap.a": {"columns": {"X": {}, "y": {}, "z": {}}}}}

    assert undocumented(manifest, catalog) == [
        Undocumented("marts.a", "y"),
        Undocumented("marts.a", "z"),
        Undocumented("staging.b"),
    ]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, ""


def test_the_docs_server_serves_both_sites_and_nothing_outside(tmp_path: Path) -> None:
    site, dbt_site, gx_site = tmp_path / "site", tmp_path / "dbt", tmp_path / "gx"
    for folder, text in ((dbt_site, "dbt site"), (gx_site, "gx site")):
        folder.mkdir()
        (folder / "index.html").write_text(text)
    (tmp_path / "secret.txt").write_text("secret")
    write_index(site, [Undocumented("staging.b", "z")])
    port = _free_port()
    server = serve_docs(site, dbt_site, gx_site, port=port, host="127.0.0.1")
    base = f"http://127.0.0.1:{port}"
    try:
        status, index = _get(f"{base}/")
        assert status == 200
        assert 'href="/dbt/"' in index
        assert 'href="/gx/"' in index
        assert "staging.b.z" in index
        assert _get(f"{base}/dbt/") == (200, "dbt site")
        assert _get(f"{base}/gx/index.html") == (200, "gx site")
        assert _get(f"{base}/dbt/../secret.txt")[1] != "secret"
        assert _get(f"{base}/gx/%2e%2e/secret.txt")[1] != "secret"
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize("name", ["dbt", "gx"])
def test_a_site_not_built_yet_is_a_404_not_a_crash(tmp_path: Path, name: str) -> None:
    site = tmp_path / "site"
    write_index(site, [])
    port = _free_port()
    server = serve_docs(site, tmp_path / "none1", tmp_path / "none2", port=port, host="127.0.0.1")
    try:
        assert _get(f"http://127.0.0.1:{port}/{name}/index.html")[0] == 404
    finally:
        server.shutdown()
        server.server_close()
