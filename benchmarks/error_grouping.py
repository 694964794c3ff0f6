"""How well and how fast failmap groups unknown error messages into signatures.

Three measurements, all reported in docs/error-grouping.md:

- grouping accuracy (GA) on the 8 loghub 2k samples, next to the published Drain numbers;
- throughput on 100,000 synthetic pipeline error messages;
- id churn: how many ids change when a second batch of messages arrives.

Run it from the repository root:

    uv run python benchmarks/error_grouping.py            # GA, throughput, churn
    uv run python benchmarks/error_grouping.py --sweep    # the configuration search

The loghub samples are test data and never copied into the repository: they are read from
``shared/datasets/loghub`` next to the repository (or its worktree parent), or from
``FAILMAP_LOGHUB_DIR``.
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import gzip
import os
import random
import string
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Hashable, Iterable, Sequence
from pathlib import Path

from failmap.errors import (
    DEFAULT_CONFIG,
    GroupingConfig,
    find_successors,
    group_messages,
    summarize_signatures,
)

SYSTEMS = ("HDFS", "Spark", "BGL", "HPC", "Linux", "Proxifier", "OpenStack", "Mac")
# Drain (He et al. 2017) as published in the loghub benchmark (Zhu et al. 2019), with per-system
# preprocessing and parameters, on the original 2k templates (see the dataset README).
PUBLISHED_DRAIN_GA = {
    "HDFS": 0.998,
    "Spark": 0.920,
    "BGL": 0.963,
    "HPC": 0.887,
    "Linux": 0.690,
    "Proxifier": 0.527,
    "OpenStack": 0.733,
    "Mac": 0.787,
}
REPO_ROOT = Path(__file__).resolve().parents[1]
LOGHUB_SUBDIR = Path("shared", "datasets", "loghub")
LAMMPS_SCORES = Path("shared", "datasets", "lammps", "quality_scores_lammps.csv.gz")


def loghub_candidates(repo_root: Path = REPO_ROOT) -> list[Path]:
    """Where the loghub samples may be: $FAILMAP_LOGHUB_DIR, then next to the repo or worktree."""
    candidates = (
        [Path(os.environ["FAILMAP_LOGHUB_DIR"])] if "FAILMAP_LOGHUB_DIR" in os.environ else []
    )
    # A checkout at PARENT/main looks in PARENT/shared; a worktree one level deeper does too.
    candidates += [parent / LOGHUB_SUBDIR for parent in repo_root.parents[:2]]
    return candidates


def find_loghub_dir(repo_root: Path = REPO_ROOT) -> Path | None:
    """Return the first candidate directory that holds all 8 samples, or None."""
    for candidate in loghub_candidates(repo_root):
        if all((candidate / f"{system}_2k.log_structured.csv").is_file() for system in SYSTEMS):
            return candidate
    return None


def load_loghub_system(loghub_dir: Path, system: str) -> tuple[list[str], list[str]]:
    """Return the messages (``Content``) and their true template ids (``EventId``) of a system."""
    path = loghub_dir / f"{system}_2k.log_structured.csv"
    with path.open(newline="", encoding="utf-8") as file:
        rows = list(csv.DictReader(file))
    missing = {"Content", "EventId"} - set(rows[0] if rows else {})
    if missing:
        raise ValueError(f"{path}: missing column(s) {sorted(missing)}; is this a loghub sample?")
    return [row["Content"] for row in rows], [row["EventId"] for row in rows]


def grouping_accuracy(
    true_groups: Sequence[Hashable], predicted_groups: Sequence[Hashable]
) -> float:
    """Share of messages whose predicted group holds exactly the messages of their true group.

    The loghub definition (Zhu et al. 2019): a predicted group counts, with all its messages, only
    if all its messages share one true group and that true group has no other message.
    """
    if len(true_groups) != len(predicted_groups):
        raise ValueError(
            f"{len(true_groups)} true labels but {len(predicted_groups)} predictions; "
            "they must describe the same messages"
        )
    if not true_groups:
        raise ValueError("grouping accuracy of no messages is undefined")
    true_sizes = Counter(true_groups)
    members: dict[Hashable, list[Hashable]] = defaultdict(list)
    for true, predicted in zip(true_groups, predicted_groups, strict=True):
        members[predicted].append(true)
    correct = 0
    for labels in members.values():
        first = labels[0]
        if true_sizes[first] == len(labels) and all(label == first for label in labels):
            correct += len(labels)
    return correct / len(true_groups)


def loghub_accuracy(loghub_dir: Path, config: GroupingConfig = DEFAULT_CONFIG) -> dict[str, float]:
    """Return the grouping accuracy of each loghub system with one configuration."""
    samples = {system: load_loghub_system(loghub_dir, system) for system in SYSTEMS}
    return accuracy_by_system(samples, config)


Samples = dict[str, tuple[list[str], list[str]]]  # system -> (messages, true template ids)


def accuracy_by_system(samples: Samples, config: GroupingConfig) -> dict[str, float]:
    """Return the grouping accuracy of each system of ``samples`` with one configuration."""
    accuracy = {}
    for system, (messages, true_groups) in samples.items():
        predicted = [s.signature_id for s in group_messages(messages, config)]
        accuracy[system] = grouping_accuracy(true_groups, predicted)
    return accuracy


# The settings leave-one-system-out chooses from: the similarity threshold and how many words a
# position may hold and still name the event (0: the event-word rule is off). The default comes
# first, so that a tie keeps it.
SEARCH_THRESHOLDS = (0.7, 0.5, 0.6, 0.65, 0.75, 0.8, 0.9)
SEARCH_EVENT_WORDS = (3, 0, 2, 4, 8, 16)
# Each rule that can be switched off, by its GroupingConfig field; "max_event_words" stands for
# the event-word rule (on: any searched value above 0).
RULES = (
    "mask_aware_similarity",
    "route_by_words",
    "merge_variable_runs",
    "max_event_words",
    "identifiers_are_words",
    "cap_event_combinations",
    "literals_are_values",
    "merge_variable_positions",
    "field_values_are_variables",
    "shared_words_are_values",
)


def search_grid(base: GroupingConfig = DEFAULT_CONFIG) -> list[GroupingConfig]:
    """The configurations leave-one-system-out chooses from, the default's settings first."""
    return [
        dataclasses.replace(base, similarity_threshold=threshold, max_event_words=words)
        for threshold in SEARCH_THRESHOLDS
        for words in SEARCH_EVENT_WORDS
    ]


@dataclasses.dataclass(frozen=True)
class HeldOut:
    """One system scored with the configuration chosen on the other systems."""

    system: str
    accuracy: float  # on the held-out system
    chosen: GroupingConfig  # best average on the others (first in grid order on a tie)
    others_average: float  # that average


def leave_one_system_out(
    matrix: dict[GroupingConfig, dict[str, float]],
) -> list[HeldOut]:
    """For each system, choose the configuration on the others and score the system with it.

    ``matrix`` maps each candidate configuration (in preference order) to its accuracy per
    system. This is how a configuration would fare on a source it was not chosen on.
    """
    configs = list(matrix)
    systems = list(matrix[configs[0]])
    results = []
    for held_out in systems:
        others = [system for system in systems if system != held_out]

        def others_average(config: GroupingConfig, others: list[str] = others) -> float:
            return sum(matrix[config][system] for system in others) / len(others)

        chosen = max(configs, key=others_average)  # max keeps the first of equal averages
        results.append(HeldOut(held_out, matrix[chosen][held_out], chosen, others_average(chosen)))
    return results


def accuracy_matrix(
    samples: Samples, configs: Sequence[GroupingConfig]
) -> dict[GroupingConfig, dict[str, float]]:
    """Accuracy per system of every configuration (in the order given)."""
    return {config: accuracy_by_system(samples, config) for config in configs}


def rule_ablation(samples: Samples) -> dict[str, tuple[list[HeldOut], list[HeldOut]]]:
    """Leave-one-system-out with each rule off and on: rule -> (held out without, with).

    A rule of the default configuration is switched off, a candidate rule switched on.

    The other settings are searched as usual in both cases, so a rule is credited only with
    what the search cannot make up for without it.
    """
    grid = search_grid()
    full = accuracy_matrix(samples, grid)
    ablation = {}
    for rule in RULES:
        if rule == "max_event_words":
            without = {c: a for c, a in full.items() if c.max_event_words == 0}
            with_rule = {c: a for c, a in full.items() if c.max_event_words > 0}
        else:
            switched = [dataclasses.replace(config, **{rule: not getattr(config, rule)})
                        for config in grid]  # fmt: skip
            matrices = (full, accuracy_matrix(samples, switched))
            with_rule, without = matrices if getattr(DEFAULT_CONFIG, rule) else matrices[::-1]
        ablation[rule] = (leave_one_system_out(without), leave_one_system_out(with_rule))
    return ablation


def average(values: Iterable[float]) -> float:
    """The arithmetic mean of ``values`` (at least one)."""
    listed = list(values)
    return sum(listed) / len(listed)


_FAMILIES = (
    "CUDA out of memory. Tried to allocate {size} (GPU {gpu}; {size} total capacity; {size} "
    "already allocated; {size} free; {size} reserved in total by PyTorch)",
    "NaN detected in latent at step {n} of segment {n}",
    "FileNotFoundError: [Errno 2] No such file or directory: '/mnt/renders/{uuid}/seg_{n}.mp4'",
    "ffmpeg exited with code {code} while encoding segment {n} of job {uuid}",
    "Timeout after {n}s waiting for worker {host}:{port}",
    "HTTPError: 503 Server Error: Service Unavailable for url: "
    "https://api.example.com/v1/jobs/{uuid}",
    "ConnectionResetError: [Errno 104] Connection reset by peer ({ip}:{port})",
    "RuntimeError: Expected all tensors to be on the same device, but found cuda:{gpu} and cpu",
    "ValueError: frame count {n} exceeds max_frames={n} for model wan-2.1",
    "Checkpoint /models/ckpt_{n}.safetensors checksum mismatch: expected {hex} got {hex}",
    "NCCL error in ProcessGroupNCCL.cpp:{n}, unhandled system error, rank {gpu} of {n}",
    "Segment {n} render took {float} seconds, exceeding budget of {n} seconds",
    "S3 upload failed for s3://failmap-outputs/{uuid}.mp4: SlowDown (status 503)",
    "Decoder produced {n} black frames in segment {n} (threshold {n})",
    "Audio/video desync of {n} ms detected in /data/jobs/{uuid}/final.mp4",
    "worker-{n} lost heartbeat at {timestamp}",
    "KeyError: 'latents_{n}' in scheduler state of job {hexid}",
    "Prompt {hexid} rejected by safety filter: score={float} above threshold {float}",
)


def synthetic_pipeline_messages(count: int, seed: int = 0, free_words: bool = False) -> list[str]:
    """Return ``count`` error messages in the style of a video generation pipeline.

    Each message draws fresh values (sizes, ids, paths, hosts...), so nearly all are distinct.
    With ``free_words`` a random letters-only word is appended to every message: masking cannot
    catch it, so the miner itself sees every message as new (the slow path).
    """
    rng = random.Random(seed)

    def value(kind: str) -> str:
        match kind:
            case "size":
                return f"{rng.uniform(0.1, 80):.2f} {rng.choice(['MiB', 'GiB'])}"
            case "gpu":
                return str(rng.randrange(8))
            case "n" | "code" | "port":
                return str(rng.randrange(1, 65535))
            case "float":
                return f"{rng.uniform(0, 100):.3f}"
            case "uuid":
                return "-".join(
                    "".join(rng.choices("0123456789abcdef", k=k)) for k in (8, 4, 4, 4, 12)
                )
            case "hex" | "hexid":
                return "".join(rng.choices("0123456789abcdef", k=16)) + str(rng.randrange(10))
            case "host":
                return f"gpu-node-{rng.randrange(200)}.render.internal"
            case "ip":
                return ".".join(str(rng.randrange(256)) for _ in range(4))
            case "timestamp":
                return f"2025-06-{rng.randrange(1, 29):02d}T{rng.randrange(24):02d}:13:07Z"
        raise ValueError(f"unknown placeholder {{{kind}}} in a synthetic message family")

    messages = []
    formatter = string.Formatter()
    for _ in range(count):
        family = rng.choice(_FAMILIES)
        text = "".join(
            literal + (value(field) if field else "")
            for literal, field, _, _ in formatter.parse(family)
        )
        if free_words:
            text += " (" + "".join(rng.choices(string.ascii_lowercase, k=10)) + ")"
        messages.append(text)
    return messages


@dataclasses.dataclass(frozen=True)
class Throughput:
    """One grouping run: messages per second of elapsed time and of CPU time, and signatures.

    The machine is shared, so elapsed time varies with the load; CPU time of this process
    varies much less and is what compares two versions.
    """

    per_second: float
    per_cpu_second: float
    signatures: int


def measure_throughput(messages: Sequence[str]) -> Throughput:
    """Group ``messages`` once and time it."""
    started, started_cpu = time.perf_counter(), time.process_time()
    signatures = group_messages(messages)
    elapsed, cpu = time.perf_counter() - started, time.process_time() - started_cpu
    return Throughput(len(messages) / elapsed, len(messages) / cpu, len(set(signatures)))


@dataclasses.dataclass(frozen=True)
class Churn:
    """What happens to the ids of a first batch when a second batch is added."""

    messages: int  # messages of the first batch
    changed: int  # ... whose signature id differs after the second batch
    linked: int  # ... of those, whose old id find_successors maps to their new id


def measure_churn(messages: Sequence[str], seed: int = 0) -> Churn:
    """Group a random half, then everything; count first-half messages whose id changed."""
    shuffled = list(messages)
    random.Random(seed).shuffle(shuffled)
    first = shuffled[: len(shuffled) // 2]
    before = group_messages(first)
    after = group_messages(shuffled)[: len(first)]
    successors = find_successors(before, after)
    changed = [(old, new) for old, new in zip(before, after, strict=True) if old != new]
    linked = sum(successors.get(old.signature_id) == new.signature_id for old, new in changed)
    return Churn(messages=len(first), changed=len(changed), linked=linked)


def lammps_failure_reasons(repo_root: Path = REPO_ROOT) -> list[str] | None:
    """The failure reasons of the LAMMPS test results (one per failed test), or None if absent."""
    for parent in repo_root.parents[:2]:
        path = parent / LAMMPS_SCORES
        if path.is_file():
            with gzip.open(path, "rt", newline="", encoding="utf-8") as file:
                return [
                    row["failure_reason"] for row in csv.DictReader(file) if row["failure_reason"]
                ]
    return None


def print_lammps_signatures(reasons: Sequence[str], top: int = 25) -> None:
    """What the signatures make of real test failure reasons: counts and the largest groups."""
    summaries = summarize_signatures(reasons, group_messages(reasons), max_examples=1)
    print(
        f"LAMMPS: {len(reasons):,} failure reasons, {len(set(reasons))} distinct, "
        f"{len(summaries)} signatures\n\n| failed tests | signature template |\n|---|---|"
    )
    for summary in summaries[:top]:
        print(f"| {summary.count:,} | `{summary.template}` |")
    print()


def sweep(loghub_dir: Path) -> list[tuple[GroupingConfig, dict[str, float]]]:
    """GA when each setting moves away from the default, the others staying at their default."""
    configs = [
        *(
            dataclasses.replace(DEFAULT_CONFIG, similarity_threshold=threshold)
            for threshold in (0.4, 0.5, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9)
        ),
        *(dataclasses.replace(DEFAULT_CONFIG, depth=depth) for depth in (3, 5, 6, 8)),
        *(
            dataclasses.replace(DEFAULT_CONFIG, max_event_words=words)
            for words in (1, 2, 3, 4, 16, 10_000)
        ),
        dataclasses.replace(DEFAULT_CONFIG, delimiters=""),
        dataclasses.replace(DEFAULT_CONFIG, delimiters="()[]{},;"),
    ]
    return [(config, loghub_accuracy(loghub_dir, config)) for config in configs]


def describe(config: GroupingConfig) -> str:
    """The searched settings of a configuration, short: ``0.7/8``."""
    return f"{config.similarity_threshold}/{config.max_event_words}"


def print_accuracy(samples: Samples) -> None:
    """In-sample GA (the default configuration) beside leave-one-system-out GA, per system."""
    in_sample = accuracy_by_system(samples, DEFAULT_CONFIG)
    held_out = leave_one_system_out(accuracy_matrix(samples, search_grid()))
    print(
        "| system | in-sample GA | held-out GA | chosen on the other 7 (threshold/event words) "
        "| published Drain GA |\n|---|---|---|---|---|"
    )
    for result in held_out:
        system = result.system
        print(
            f"| {system} | {in_sample[system]:.3f} | {result.accuracy:.3f} | "
            f"{describe(result.chosen)} | {PUBLISHED_DRAIN_GA[system]:.3f} |"
        )
    print(
        f"| average | {average(in_sample.values()):.3f} | "
        f"{average(r.accuracy for r in held_out):.3f} | | "
        f"{average(PUBLISHED_DRAIN_GA.values()):.3f} |"
    )
    print(f"| lowest | {min(in_sample.values()):.3f} | {min(r.accuracy for r in held_out):.3f} |\n")


def print_ablation(ablation: dict[str, tuple[list[HeldOut], list[HeldOut]]]) -> None:
    """Held-out average and lowest GA with each rule off and on."""
    print("| rule | held-out average off | on | lowest system off | on |\n|---|---|---|---|---|")
    for rule, (without, with_rule) in ablation.items():
        print(
            f"| {rule} | {average(r.accuracy for r in without):.3f} | "
            f"{average(r.accuracy for r in with_rule):.3f} | "
            f"{min(r.accuracy for r in without):.3f} | {min(r.accuracy for r in with_rule):.3f} |"
        )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--loghub", type=Path, help="directory with the *_2k.log_structured.csv")
    parser.add_argument("--sweep", action="store_true", help="search the configuration grid")
    parser.add_argument(
        "--ablation", action="store_true", help="held-out accuracy with each rule off and on"
    )
    parser.add_argument(
        "--lammps", action="store_true", help="the signatures of the LAMMPS failure reasons"
    )
    args = parser.parse_args(argv)
    loghub_dir = args.loghub or find_loghub_dir()
    if loghub_dir is None:
        looked = ", ".join(str(path) for path in loghub_candidates())
        print(f"loghub samples not found (looked in {looked}); pass --loghub DIR", file=sys.stderr)
        return 2

    if args.sweep:
        columns = ["threshold", "depth", "max event words", "delimiters", "average", *SYSTEMS]
        print("| " + " | ".join(columns) + " |")
        print("|---" * len(columns) + "|")
        for config, accuracy in sweep(loghub_dir):
            average = sum(accuracy.values()) / len(accuracy)
            print(
                f"| {config.similarity_threshold} | {config.depth} | {config.max_event_words} | "
                f"`{config.delimiters}` | **{average:.3f}** | "
                + " | ".join(f"{accuracy[s]:.3f}" for s in SYSTEMS)
                + " |"
            )
        return 0

    if args.lammps:
        reasons = lammps_failure_reasons()
        if reasons is None:
            print(f"LAMMPS test results not found ({LAMMPS_SCORES})", file=sys.stderr)
            return 2
        print_lammps_signatures(reasons)
        return 0
    samples = {system: load_loghub_system(loghub_dir, system) for system in SYSTEMS}
    if args.ablation:
        print_ablation(rule_ablation(samples))
        return 0

    print_accuracy(samples)
    for label, messages in (
        ("synthetic pipeline errors", synthetic_pipeline_messages(100_000)),
        ("same, plus a random word each", synthetic_pipeline_messages(100_000, free_words=True)),
    ):
        measured = measure_throughput(messages)
        print(
            f"throughput, {len(messages):,} {label}: {measured.per_second:,.0f} messages/s "
            f"({measured.per_cpu_second:,.0f} per CPU second; {measured.signatures} signatures)"
        )
    loghub_messages = [m for s in SYSTEMS for m in load_loghub_system(loghub_dir, s)[0]]
    measured = measure_throughput(loghub_messages)
    print(
        f"throughput, {len(loghub_messages):,} loghub messages: {measured.per_second:,.0f} "
        f"messages/s ({measured.per_cpu_second:,.0f} per CPU second)\n"
    )

    for system in SYSTEMS:
        churn = measure_churn(load_loghub_system(loghub_dir, system)[0])
        print(
            f"churn {system}: {churn.changed} of {churn.messages} first-half messages changed id "
            f"when the second half arrived; {churn.linked} of those linked by find_successors"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
