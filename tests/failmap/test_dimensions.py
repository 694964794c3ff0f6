"""The dimensions are defined once (failmap/dimensions.py); dbt's copy must agree with it."""

from __future__ import annotations

import re

import yaml

from failmap import dimensions
from failmap.alerts.configuration import CHOSEN_DIMENSIONS
from failmap.api.routes.trends import TrendDimension
from failmap.demo import spec
from failmap.pattern_keys import DIMENSIONS as KEY_DIMENSIONS
from tests.conftest import REPO_ROOT

DBT_PROJECT = REPO_ROOT / "dbt_project"


def dbt_vars() -> dict:
    return yaml.safe_load((DBT_PROJECT / "dbt_project.yml").read_text(encoding="utf-8"))["vars"]


def test_dbt_vars_hold_the_dimensions_in_the_python_order() -> None:
    assert tuple(dbt_vars()["pattern_dimensions"]) == dimensions.DIMENSIONS


def test_dbt_naming_preference_is_the_python_one() -> None:
    preference = tuple(dbt_vars()["pattern_name_preference"])
    assert preference == dimensions.NAME_PREFERENCE
    assert sorted(preference) == sorted(dimensions.DIMENSIONS)


def test_dbt_macro_reads_the_var_instead_of_listing_dimensions() -> None:
    macro = (DBT_PROJECT / "macros" / "patterns" / "pattern_dimensions.sql").read_text()
    body = re.search(r"macro pattern_dimensions\(\).*?endmacro", macro, re.DOTALL)
    assert body is not None
    assert "var('pattern_dimensions')" in body.group(0)
    assert "'workflow'" not in body.group(0)


def test_every_python_copy_is_the_one_definition() -> None:
    assert KEY_DIMENSIONS is dimensions.DIMENSIONS
    assert spec.PATTERN_DIMENSIONS is dimensions.DIMENSIONS
    for mapping in (dimensions.LABELS, dimensions.TITLES):
        assert tuple(mapping) == dimensions.DIMENSIONS
    assert dimensions.Dimension.__args__ == dimensions.DIMENSIONS
    assert TrendDimension.__args__ == ("overall", *dimensions.DIMENSIONS)
    assert (*CHOSEN_DIMENSIONS, "segment_position") == dimensions.DIMENSIONS
