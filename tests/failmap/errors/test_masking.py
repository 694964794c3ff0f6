"""Masking: every kind of variable part is replaced, and words that are not values survive."""

from __future__ import annotations

from types import ModuleType

import pytest

from failmap.errors import mask_message
from failmap.errors.masking import MASK_RULES

# (message, masked) pairs, at least one per mask kind.
EXAMPLES_BY_KIND = {
    "URL": [
        ("GET https://api.example.com/v1/jobs/42?x=1 failed", "GET <URL> failed"),
        ("Input split: hdfs://10.10.34.11:9000/pjhe/test/1/112:0+1", "Input split: <URL>"),
    ],
    "PATH": [
        ("No such file: '/mnt/renders/job_7/seg_4.mp4'", "No such file: '<PATH>'"),
        ("wrote ./out/seg_12.mp4.", "wrote <PATH>."),
        ("GET /v2/servers/detail?all_tenants=True HTTP/1.1", "GET <PATH> HTTP/<NUM>"),
        (r"cannot open C:\Program Files\render\clip_7.mov", "cannot open <PATH>"),
        ("chdir(/p/gb1) failed", "chdir(<PATH>) failed"),
    ],
    "IP": [
        ("connect to 10.0.0.12:8080 refused", "connect to <IP> refused"),
        ("src: /10.250.19.102:54106", "src: <IP>"),
        ("IPV6 Addr: 2607:f140:6000:8:c6b3:1ff:fecd:467f", "IPV6 Addr: <IP>"),
    ],
    "MAC": [("bssid 5c:50:15:4c:18:13 lost", "bssid <MAC> lost")],
    "HOST": [
        ("worker gpu-3.render.internal:7000 unreachable", "worker <HOST> unreachable"),
        ("Connection to huggingface.co:443 timed out", "Connection to <HOST> timed out"),
        ("from (dsl-082-083-227-067.arcor-ip.net)", "from (<HOST>)"),
    ],
    "UUID": [
        ("job 96abccce-8d1f-4e07-b6d1-4b2ab87e23b4 failed", "job <UUID> failed"),
    ],
    "TIMESTAMP": [
        ("heartbeat lost at 2025-06-01T12:00:03.5Z", "heartbeat lost at <TIMESTAMP>"),
        ("audit from 2017-05-16 05:00:00 to now", "audit from <TIMESTAMP> to now"),
        ("at Mon Jun 20 03:40:59 2005", "at <TIMESTAMP>"),
        ("[17:19:15.148] stalled", "[<TIMESTAMP>] stalled"),
    ],
    "HEX": [
        ("fault at 0x7ff1b2d17980", "fault at <HEX>"),
        ("checksum a489c868f0c37da93b76227c91bb03908ac0e742 mismatch", "checksum <HEX> mismatch"),
    ],
    "SIZE": [
        ("Tried to allocate 2.50 GiB", "Tried to allocate <SIZE>"),
        ("1190 bytes (1.16 KB) sent", "<SIZE> sent"),
        ("disk 20GB full", "disk <SIZE> full"),
    ],
    "DURATION": [
        ("took 19.84 seconds", "took <DURATION>"),
        ("timeout after 250ms", "timeout after <DURATION>"),
        ("lifetime <1 sec", "lifetime <DURATION>"),
    ],
    "NUM": [
        ("NaN at step 12 of segment 4", "NaN at step <NUM> of segment <NUM>"),
        ("loss=-0.25, epoch 3/10", "loss=<NUM>, epoch <NUM>/<NUM>"),
        ("blk_-6952295868487656571 deleted", "blk_<NUM> deleted"),
    ],
}


def test_every_mask_kind_has_examples() -> None:
    assert set(EXAMPLES_BY_KIND) == {rule.kind for rule in MASK_RULES}


@pytest.mark.parametrize(
    ("message", "expected"),
    [pair for pairs in EXAMPLES_BY_KIND.values() for pair in pairs],
)
def test_variable_parts_are_masked(message: str, expected: str) -> None:
    assert mask_message(message) == expected


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("interface alt0 is down", "interface alt0 is down"),  # a name ending in a digit
        ("sha256 mismatch", "sha256 mismatch"),
        ("power/control problem", "power/control problem"),  # prose, not a path
        ("mapred.task.id is deprecated", "mapred.task.id is deprecated"),  # code, not a host
        ("deadbeef accepted", "deadbeef accepted"),  # hex letters only: a word
        ("error in ProcessGroupNCCL.cpp:1275", "error in ProcessGroupNCCL.cpp:<NUM>"),  # file:line
        ("at decoder.py:88 in forward", "at decoder.py:<NUM> in forward"),
        ("open through proxy HTTPS", "open through proxy HTTPS"),
    ],
)
def test_words_and_names_are_kept(message: str, expected: str) -> None:
    assert mask_message(message) == expected


def test_whitespace_runs_are_one_space() -> None:
    assert mask_message("  CUDA   error:\tdevice-side assert  ") == "CUDA error: device-side assert"


def _mask_with_every_rule(message: str) -> str:
    masked = " ".join(message.split())
    for rule in MASK_RULES:
        masked = rule.pattern.sub(rule.placeholder, masked)
    return masked


def test_rules_skipped_for_what_they_need_would_not_have_matched(
    grouping_benchmark: ModuleType,
) -> None:
    # Each rule declares what all its matches contain, and is skipped on messages without it.
    messages = [message for pairs in EXAMPLES_BY_KIND.values() for message, _ in pairs]
    messages += grouping_benchmark.synthetic_pipeline_messages(2_000, seed=5)
    messages += ["dead:beef:cafe::1 up", "aa:bb:cc:dd:ee:ff", "c:\\x\\y.mov", "no digits at all"]
    finder = grouping_benchmark.find_loghub_dir()
    if finder is not None:
        for system in grouping_benchmark.SYSTEMS:
            messages += grouping_benchmark.load_loghub_system(finder, system)[0]
    for message in messages:
        assert mask_message(message) == _mask_with_every_rule(message), message
