"""Render `failmap.quality.suites` into the GX file context under `expectations/`.

Writes, for every suite, its expectation suite JSON, a table asset with a whole-table batch
definition in `great_expectations.yml`, a validation definition and a checkpoint (whose action
updates the Data Docs). Ids are derived from names, so rendering twice gives the same bytes and a
test can check the committed files are current. Run after changing a suite:

    uv run python -m failmap.quality.scaffold
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

from failmap.quality.context import (
    BATCH_DEFINITION_NAME,
    CONNECTION_VARIABLE,
    CONTEXT_ROOT,
    DATA_DOCS_SITE,
    DATASOURCE_NAME,
)
from failmap.quality.suites import SUITES, Suite

GX_VERSION = "1.24.1"
_NAMESPACE = uuid.UUID("5f1c9f3e-4a51-4d9b-9b7e-6661696c6d61")

GREAT_EXPECTATIONS_YML = """\
# Great Expectations file context of failmap, rendered by `python -m failmap.quality.scaffold`
# from failmap/quality/suites.py: edit the suites there, not here.
# The connection string is substituted at run time from ${connection_variable}, which failmap
# sets from the database it uses; nothing secret is stored in this directory.
config_version: 4.0
config_variables_file_path: uncommitted/config_variables.yml
plugins_directory: plugins/
analytics_enabled: false
data_context_id: {context_id}
progress_bars:
  globally: false
  metric_calculations: false

stores:
  expectations_store:
    class_name: ExpectationsStore
    store_backend:
      class_name: TupleFilesystemStoreBackend
      suppress_store_backend_id: true
      base_directory: expectations/
  validation_results_store:
    class_name: ValidationResultsStore
    store_backend:
      class_name: TupleFilesystemStoreBackend
      base_directory: uncommitted/validations/
  checkpoint_store:
    class_name: CheckpointStore
    store_backend:
      class_name: TupleFilesystemStoreBackend
      suppress_store_backend_id: true
      base_directory: checkpoints/
  validation_definition_store:
    class_name: ValidationDefinitionStore
    store_backend:
      class_name: TupleFilesystemStoreBackend
      suppress_store_backend_id: true
      base_directory: validation_definitions/

expectations_store_name: expectations_store
validation_results_store_name: validation_results_store
checkpoint_store_name: checkpoint_store

data_docs_sites:
  {data_docs_site}:
    class_name: SiteBuilder
    show_how_to_buttons: false
    store_backend:
      class_name: TupleFilesystemStoreBackend
      base_directory: uncommitted/data_docs/{data_docs_site}/
    site_index_builder:
      class_name: DefaultSiteIndexBuilder

fluent_datasources:
  {datasource}:
    type: postgres
    id: {datasource_id}
    connection_string: ${{{connection_variable}}}
    assets:
{assets}
"""

ASSET_YML = """\
      {name}:
        type: table
        id: {asset_id}
        schema_name: {schema}
        table_name: {table}
        batch_metadata: {{}}
        batch_definitions:
          {batch_definition}:
            id: {batch_definition_id}
            partitioner:
"""


def stable_id(*parts: str) -> str:
    """A UUID derived from names: the same suite always renders the same ids."""
    return str(uuid.uuid5(_NAMESPACE, "/".join(parts)))


def suite_json(suite: Suite) -> dict[str, Any]:
    """The suite as GX stores it in `expectations/<schema>/<table>.json`."""
    return {
        "expectations": [
            {
                "description": rule.description,
                "id": stable_id("expectation", suite.name, rule.name, rule.type),
                "kwargs": rule.kwargs,
                "meta": rule.meta,
                "severity": rule.severity,
                "type": rule.type,
            }
            for rule in suite.rules
        ],
        "id": stable_id("suite", suite.name),
        "meta": {"great_expectations_version": GX_VERSION},
        "name": suite.name,
        "notes": suite.notes,
    }


def validation_definition_json(suite: Suite) -> dict[str, Any]:
    return {
        "data": {
            "asset": {"id": stable_id("asset", suite.name), "name": suite.name},
            "batch_definition": {
                "id": stable_id("batch_definition", suite.name),
                "name": BATCH_DEFINITION_NAME,
            },
            "datasource": {"id": stable_id("datasource", DATASOURCE_NAME), "name": DATASOURCE_NAME},
        },
        "id": stable_id("validation_definition", suite.name),
        "name": suite.name,
        "suite": {"id": stable_id("suite", suite.name), "name": suite.name},
    }


def checkpoint_json(suite: Suite) -> dict[str, Any]:
    return {
        # No `update_data_docs` action: the docs are rendered once per run, for every new result
        # (`failmap.quality.validation.update_data_docs`), not once per checkpoint.
        "actions": [],
        "id": stable_id("checkpoint", suite.name),
        "name": suite.name,
        "result_format": {"result_format": "COMPLETE", "partial_unexpected_count": 10},
        "validation_definitions": [
            {"id": stable_id("validation_definition", suite.name), "name": suite.name}
        ],
    }


def great_expectations_yml(suites: tuple[Suite, ...]) -> str:
    assets = "".join(
        ASSET_YML.format(
            name=suite.name,
            asset_id=stable_id("asset", suite.name),
            schema=suite.schema,
            table=suite.table,
            batch_definition=BATCH_DEFINITION_NAME,
            batch_definition_id=stable_id("batch_definition", suite.name),
        )
        for suite in suites
    )
    return GREAT_EXPECTATIONS_YML.format(
        context_id=stable_id("context"),
        data_docs_site=DATA_DOCS_SITE,
        datasource=DATASOURCE_NAME,
        datasource_id=stable_id("datasource", DATASOURCE_NAME),
        connection_variable=CONNECTION_VARIABLE,
        assets=assets.rstrip("\n"),
    )


def rendered_files(suites: tuple[Suite, ...] = SUITES) -> dict[str, str]:
    """Relative path -> content of every file the scaffold owns."""

    def dump(document: dict[str, Any]) -> str:
        return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"

    files = {"great_expectations.yml": great_expectations_yml(suites)}
    for suite in suites:
        files[f"expectations/{suite.schema}/{suite.table}.json"] = dump(suite_json(suite))
        files[f"validation_definitions/{suite.name}.json"] = dump(validation_definition_json(suite))
        files[f"checkpoints/{suite.name}.json"] = dump(checkpoint_json(suite))
    return files


def write_context(root: Path = CONTEXT_ROOT, suites: tuple[Suite, ...] = SUITES) -> list[Path]:
    """Write the rendered files under `root`, removing suite files no longer rendered."""
    files = rendered_files(suites)
    for folder in ("expectations", "validation_definitions", "checkpoints"):
        for stale in (root / folder).rglob("*.json") if (root / folder).exists() else []:
            if str(stale.relative_to(root)) not in files:
                stale.unlink()
    written = []
    for relative, content in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8")
        written.append(path)
    return written


if __name__ == "__main__":
    for path in write_context():
        print(path.relative_to(CONTEXT_ROOT.parent))
