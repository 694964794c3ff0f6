"""Build the dbt docs and the Great Expectations Data Docs, and serve both on loopback.

dbt's site (every model and column with its description, lineage, and the catalog read from
the database) is generated into `$FAILMAP_HOME/docs/dbt`, never into `dbt_project/target`, whose
manifest the Dagster code location reads. The GX site is the static folder the checks keep
current (`expectations/uncommitted/data_docs/local_site`). One HTTP server serves both under
`/dbt/` and `/gx/`, with a small index at `/`.
"""

from __future__ import annotations

import html
import json
import threading
from dataclasses import dataclass
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from failmap.dbt_invoke import invoke_dbt
from failmap.quality.context import DATA_DOCS_DIR

DEFAULT_PORT = 8080

INDEX_HTML = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>failmap docs</title>
<style>body{{font-family:system-ui,sans-serif;max-width:42rem;margin:3rem auto;line-height:1.5}}
code{{background:#f3f3f3;padding:0 .2em}}</style></head>
<body><h1>failmap documentation</h1>
<ul>
<li><a href="/dbt/">dbt docs</a>: every model and column of the warehouse (staging, marts),
with descriptions and lineage.</li>
<li><a href="/gx/">Great Expectations Data Docs</a>: the data-quality suites of the raw tables
and the marts, and their latest validation results.</li>
</ul>
{warnings}
</body></html>
"""


@dataclass(frozen=True)
class Undocumented:
    """A model or column of the warehouse without a description."""

    model: str
    column: str | None = None

    def __str__(self) -> str:
        return self.model if self.column is None else f"{self.model}.{self.column}"


def undocumented(manifest: dict[str, Any], catalog: dict[str, Any] | None) -> list[Undocumented]:
    """Models (and their columns) with no description in the project's YAML.

    With a catalog, columns are those the database actually has, so a column added to a model's
    SQL but not to its YAML counts too.
    """
    missing: list[Undocumented] = []
    catalog_nodes = (catalog or {}).get("nodes", {})
    for unique_id, node in sorted(manifest.get("nodes", {}).items()):
        if node.get("resource_type") != "model" or node.get("package_name") != "failmap":
            continue
        name = f"{node['schema']}.{node['name']}"
        if not (node.get("description") or "").strip():
            missing.append(Undocumented(name))
        documented = {
            column_name.lower()
            for column_name, column in node.get("columns", {}).items()
            if (column.get("description") or "").strip()
        }
        actual = catalog_nodes.get(unique_id, {}).get("columns")
        columns = [c.lower() for c in actual] if actual else list(node.get("columns", {}))
        missing += [Undocumented(name, c) for c in columns if c.lower() not in documented]
    return missing


def generate_dbt_docs(url: str, target: Path) -> list[Undocumented]:
    """`dbt docs generate` into `target` (the catalog needs the database); what lacks docs."""
    target.mkdir(parents=True, exist_ok=True)
    invoke_dbt(["docs", "generate"], url=url, target_path=target)
    manifest = json.loads((target / "manifest.json").read_text(encoding="utf-8"))
    catalog_path = target / "catalog.json"
    catalog = (
        json.loads(catalog_path.read_text(encoding="utf-8")) if catalog_path.exists() else None
    )
    return undocumented(manifest, catalog)


def write_index(site: Path, missing: list[Undocumented]) -> Path:
    """The landing page linking both sites (and listing what lacks a description)."""
    warnings = ""
    if missing:
        items = "".join(f"<li><code>{html.escape(str(item))}</code></li>" for item in missing)
        warnings = f"<h2>Not documented yet</h2><ul>{items}</ul>"
    site.mkdir(parents=True, exist_ok=True)
    index = site / "index.html"
    index.write_text(INDEX_HTML.format(warnings=warnings), encoding="utf-8")
    return index


class DocsRequestHandler(SimpleHTTPRequestHandler):
    """Serves `/dbt/...` and `/gx/...` from their folders and everything else from the index."""

    def __init__(self, *args: Any, mounts: dict[str, Path], **kwargs: Any) -> None:
        self.mounts = mounts
        super().__init__(*args, **kwargs)

    def translate_path(self, path: str) -> str:
        parts = unquote(urlsplit(path).path).lstrip("/").split("/", 1)
        if parts[0] in self.mounts:
            base = self.mounts[parts[0]]
            rest = parts[1] if len(parts) > 1 else ""
        else:
            base, rest = self.mounts[""], "/".join(parts)
        resolved = (base / rest).resolve()
        # Never serve outside the mounted folders (`..` in the path).
        if not resolved.is_relative_to(base.resolve()):
            return str(base / "__outside__")
        return str(resolved)

    def log_message(self, format: str, *args: Any) -> None:
        pass


def serve_docs(
    site: Path, dbt_site: Path, gx_site: Path = DATA_DOCS_DIR, *, port: int, host: str
) -> ThreadingHTTPServer:
    """Start serving the sites in a background thread; `.shutdown()` stops it."""
    mounts = {"": site, "dbt": dbt_site, "gx": gx_site}
    server = ThreadingHTTPServer((host, port), partial(DocsRequestHandler, mounts=mounts))
    threading.Thread(target=server.serve_forever, daemon=True, name="failmap-docs").start()
    return server
