"""The peer for "one new day": DuckDB recomputing everything from all the inbox files.

    uv run python benchmarks/duckdb_peer.py --inbox DIR [--threads 2] [--repeat 3]

Reads every `quality_scores*` file of DIR (CSV, JSON Lines or Parquet, as failmap's demo writes
them), rolls the checks up to one row per segment (a segment failed when any of its checks
failed), and computes segment and failure counts and the failure rate of every combination of
1-3 of the six pattern dimensions: the same 41 grouping sets as
benchmarks/patterns/grouping_sets_baseline.sql. Nothing is kept between runs: each run starts
from the files, which is what "recompute everything when a day arrives" costs. It does not
validate, quarantine, dedupe ids across files or keep history, so it is a floor, not a rival
product. Prints seconds per run (median of --repeat) and the sizes it computed.
"""

from __future__ import annotations

import argparse
import statistics
import time
from itertools import combinations
from pathlib import Path

import duckdb

DIMENSIONS = ("workflow", "model", "lora", "character", "scene_type", "segment_position_bucket")
# dbt var segment_position_buckets: [1, 4, 6] (dbt_project.yml).
BUCKET = (
    "case when segment_position >= 6 then '6+' when segment_position >= 4 then '4-5' else '1-3' end"
)


def grouping_sets() -> str:
    """The 41 sets: every combination of one, two or three dimensions."""
    sets = [c for size in (1, 2, 3) for c in combinations(DIMENSIONS, size)]
    assert len(sets) == 41
    return ", ".join("(" + ", ".join(s) + ")" for s in sets)


def scan(inbox: Path) -> tuple[str, dict[str, list[str]]]:
    """A DuckDB relation over every quality_scores file of the inbox, whatever its format, and
    the file lists it takes as parameters."""
    parts, files = [], {}
    for suffix, reader in (
        ("csv", "read_csv(${}, header = true, union_by_name = true)"),
        ("jsonl", "read_json(${}, format = 'newline_delimited', union_by_name = true)"),
        ("parquet", "read_parquet(${}, union_by_name = true)"),
    ):
        found = sorted(str(p) for p in inbox.glob(f"quality_scores*.{suffix}"))
        if found:
            files[suffix] = found
            parts.append(
                "select segment_id, workflow, model, lora, character, scene_type, "
                "segment_position::integer as segment_position, passed::boolean as passed "
                "from " + reader.format(suffix)
            )
    if not parts:
        raise SystemExit(f"no quality_scores* files in {inbox}")
    return " union all ".join(parts), files


def recompute(inbox: Path, threads: int) -> tuple[float, int, int]:
    """One run from the files: seconds, segments, combination rows."""
    started = time.perf_counter()
    con = duckdb.connect()
    con.execute(f"set threads = {int(threads)}")
    checks, files = scan(inbox)
    # Built from this file's constants only; the file names are parameters.
    con.execute(
        f"""
        create temporary table segments as
        select
            segment_id,
            max(workflow) as workflow,
            max(model) as model,
            coalesce(max(lora), 'none') as lora,
            coalesce(max(character), 'none') as character,
            max(scene_type) as scene_type,
            {BUCKET.replace("segment_position", "max(segment_position)")}
                as segment_position_bucket,
            bool_or(not passed) as is_failed
        from ({checks}) as checks
        group by segment_id
        """,  # noqa: S608
        files,
    )
    con.execute(
        f"""
        create temporary table combinations as
        select {", ".join(DIMENSIONS)},
            count(*) as total_count,
            count(*) filter (where is_failed) as failure_count,
            count(*) filter (where is_failed) / count(*) as failure_rate
        from segments
        group by grouping sets ({grouping_sets()})
        """  # noqa: S608
    )
    segments = con.execute("select count(*) from segments").fetchone()
    combos = con.execute("select count(*) from combinations").fetchone()
    elapsed = time.perf_counter() - started
    con.close()
    assert segments is not None and combos is not None
    return elapsed, int(segments[0]), int(combos[0])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--inbox", type=Path, required=True)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    runs = [recompute(args.inbox, args.threads) for _ in range(args.repeat)]
    seconds = statistics.median(run[0] for run in runs)
    _, segments, combos = runs[-1]
    print(f"files: {args.inbox}")
    print(f"segments: {segments:,}  combination rows (41 grouping sets): {combos:,}")
    print(
        f"DuckDB recompute from all files: {seconds:.2f} s median of {args.repeat} "
        f"({', '.join(f'{r[0]:.2f}' for r in runs)}), {args.threads} threads"
    )


if __name__ == "__main__":
    main()
