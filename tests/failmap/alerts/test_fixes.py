"""Recording fixes: validation with clear, field-level errors; text stored verbatim; CLI."""

from __future__ import annotations

import json
import subprocess

import pytest

from failmap import database
from failmap.demo import PLANTED
from failmap.fixes import (
    MAX_DESCRIPTION_LENGTH,
    FixValidationError,
    list_fixes,
    record_fix,
)
from tests.conftest import subprocess_env

THREE_WAY = next(p for p in PLANTED.expected_patterns if p.caused_by == "l07_c12_late_segments")
ALIASED = next(p for p in PLANTED.expected_patterns if p.alias)


def _errors(url: str, **overrides: object) -> dict[str, str]:
    arguments = {
        "pattern_key": THREE_WAY.pattern_key,
        "description": "Use the character's own LoRA",
        "reported_by": "ana",
        **overrides,
    }
    with pytest.raises(FixValidationError) as raised:
        record_fix(url, **arguments)  # type: ignore[arg-type]
    return raised.value.errors


@pytest.mark.parametrize(
    ("overrides", "field", "says"),
    [
        ({"pattern_key": "lora=l07"}, "pattern_key", "not a pattern that exists or existed"),
        ({"pattern_key": "lora=l07|colour=red"}, "pattern_key", "unknown dimension"),
        ({"pattern_key": "l07"}, "pattern_key", "not dimension=value"),
        ({"description": ""}, "description", "required"),
        ({"description": "   "}, "description", "required"),
        ({"description": "x" * (MAX_DESCRIPTION_LENGTH + 1)}, "description", "at most 2000"),
        ({"reported_by": ""}, "reported_by", "required"),
        ({"reported_by": "r" * 201}, "reported_by", "at most 200"),
        ({"effectiveness": "fixed"}, "effectiveness", "resolved, improved, no_effect"),
        ({"parameters": "{cfg: 6"}, "parameters", "not valid JSON"),
        ({"parameters": "[6, 7]"}, "parameters", "JSON object"),
        ({"parameters": {"cfg": float("nan")}}, "parameters", "cannot be stored as JSON"),
    ],
)
def test_invalid_fix_is_refused_with_a_field_level_error(
    demo_alerts, overrides: dict, field: str, says: str
) -> None:
    errors = _errors(demo_alerts.url, **overrides)
    assert list(errors) == [field]
    assert says in errors[field]


def test_unknown_pattern_error_suggests_related_patterns(demo_alerts) -> None:
    errors = _errors(demo_alerts.url, pattern_key="lora=l07")
    assert THREE_WAY.pattern_key in errors["pattern_key"]


def test_every_problem_is_reported_at_once(demo_alerts) -> None:
    errors = _errors(
        demo_alerts.url, pattern_key="model=m99", description="", effectiveness="great",
        parameters="{",
    )  # fmt: skip
    assert set(errors) == {"pattern_key", "description", "effectiveness", "parameters"}


def test_nothing_is_written_when_invalid(demo_alerts) -> None:
    before = len(list_fixes(demo_alerts.url))
    _errors(demo_alerts.url, effectiveness="great")
    assert len(list_fixes(demo_alerts.url)) == before


def test_fix_is_stored_verbatim_under_the_patterns_key(demo_copy_url: str) -> None:
    text = "  Use l12 — not l07'); drop table app.pattern_fixes; --  \n2nd line"
    longest = "é" * MAX_DESCRIPTION_LENGTH
    dims = dict(THREE_WAY.dims)
    shuffled = "|".join(f"{d}={v}" for d, v in reversed(list(dims.items())))
    fix = record_fix(
        demo_copy_url, pattern_key=shuffled, description=text, reported_by="Zoë",
        effectiveness="improved", parameters='{"lora": "l12", "from_segment": 6}',
    )  # fmt: skip
    assert fix.pattern_key == THREE_WAY.pattern_key
    long_fix = record_fix(
        demo_copy_url, pattern_key=THREE_WAY.pattern_key, description=longest, reported_by="bo"
    )
    with database.connect(demo_copy_url) as conn:
        rows = conn.execute(
            "select fix_description, reported_by, effectiveness, fix_parameters, pattern_key"
            " from app.pattern_fixes order by fix_id"
        ).fetchall()
        notes = conn.execute(
            "select dimension, dimension_value, fix_id from app.compatibility_notes"
            " order by dimension"
        ).fetchall()
    assert rows == [
        (text, "Zoë", "improved", {"lora": "l12", "from_segment": 6}, THREE_WAY.pattern_key),
        (longest, "bo", None, None, THREE_WAY.pattern_key),
    ]
    assert notes == [
        ("character", dims["character"], fix.fix_id),
        ("character", dims["character"], long_fix.fix_id),
        ("lora", dims["lora"], fix.fix_id),
        ("lora", dims["lora"], long_fix.fix_id),
    ]
    # A note is read by creators on the Check page: words, not the pattern's key.
    with database.connect(demo_copy_url) as conn:
        (note,) = conn.execute(
            "select note from app.compatibility_notes where fix_id = %s and dimension = 'lora'",
            [fix.fix_id],
        ).fetchone()
    assert note.startswith(f"With character {dims['character']}")
    assert f"(fix #{fix.fix_id}): " in note
    assert THREE_WAY.pattern_key not in note


def test_an_alias_is_stored_under_the_pattern_it_names(demo_copy_url: str) -> None:
    assert ALIASED.alias is not None
    alias_key = "|".join(f"{d}={v}" for d, v in ALIASED.alias.items())
    fix = record_fix(demo_copy_url, pattern_key=alias_key, description="d", reported_by="r")
    assert fix.pattern_key == ALIASED.pattern_key
    assert [f.fix_id for f in list_fixes(demo_copy_url, pattern_key=alias_key)] == [fix.fix_id]
    assert list_fixes(demo_copy_url, pattern_key=THREE_WAY.pattern_key) == []


def test_a_pattern_that_existed_accepts_fixes(demo_copy_url: str) -> None:
    with database.connect(demo_copy_url) as conn:
        conn.execute(
            "insert into marts.pattern_history (pattern_key, first_detected_at, last_seen_at,"
            " resolved_at, is_active) values ('model=m04|scene_type=crowd', now(), now(), now(),"
            " false)"
        )
        conn.commit()
    fix = record_fix(
        demo_copy_url, pattern_key="model=m04|scene_type=crowd", description="d", reported_by="r"
    )
    assert fix.note_ids  # a model is involved: one note


def test_fix_cli_add_and_list(demo_copy_url: str, tmp_path) -> None:
    env = subprocess_env(
        {"FAILMAP_DATABASE_URL": demo_copy_url, "FAILMAP_HOME": str(tmp_path / "home")}
    )

    def failmap(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["failmap", "fix", *args], capture_output=True, text=True, env=env, timeout=120
        )

    refused = failmap(
        "add", "--pattern", "lora=l07", "--description", "", "--reported-by", "ana",
        "--parameters", "{x",
    )  # fmt: skip
    assert refused.returncode == 2
    assert "--pattern:" in refused.stderr and "--description:" in refused.stderr
    assert "--parameters: not valid JSON" in refused.stderr

    added = failmap(
        "add", "--pattern", THREE_WAY.pattern_key, "--description", "Use l12",
        "--reported-by", "ana", "--effectiveness", "resolved", "--parameters", '{"lora": "l12"}',
        "--json",
    )  # fmt: skip
    assert added.returncode == 0, added.stderr
    recorded = json.loads(added.stdout)
    listed = failmap("list", "--json")
    assert [f["fix_id"] for f in json.loads(listed.stdout)] == [recorded["fix_id"]]
    readable = failmap("list", "--pattern", THREE_WAY.pattern_key)
    assert "Use l12" in readable.stdout and "[resolved]" in readable.stdout
