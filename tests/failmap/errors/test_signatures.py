"""Signatures: one per input, ids that depend only on templates, stable across order and refresh."""

from __future__ import annotations

import random
from types import ModuleType

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from failmap.errors import (
    EMPTY_SIGNATURE,
    Signature,
    find_successors,
    group_messages,
    signature_id_for,
    summarize_signatures,
)


@pytest.fixture(scope="module")
def pipeline_messages(grouping_benchmark: ModuleType) -> list[str]:
    """400 synthetic pipeline errors from 18 families, with fresh values in each."""
    return grouping_benchmark.synthetic_pipeline_messages(400, seed=7)


def test_one_signature_per_message_in_input_order() -> None:
    messages = ["disk full on /mnt/a/b", "NaN at step 3", "disk full on /mnt/c/d", "NaN at step 9"]
    signatures = group_messages(messages)
    assert len(signatures) == len(messages)
    assert signatures[0] == signatures[2]
    assert signatures[1] == signatures[3]
    assert signatures[0] != signatures[1]


def test_signature_id_is_the_hash_of_the_template(pipeline_messages: list[str]) -> None:
    for signature in set(group_messages(pipeline_messages)):
        assert signature.signature_id == signature_id_for(signature.template)
        assert signature.signature_id.startswith("sig_")
        assert len(signature.signature_id) == len("sig_") + 12


def test_equal_templates_have_equal_ids_across_runs(pipeline_messages: list[str]) -> None:
    first = {s.template: s.signature_id for s in group_messages(pipeline_messages[:200])}
    second = {s.template: s.signature_id for s in group_messages(pipeline_messages[200:])}
    shared = first.keys() & second.keys()
    assert len(shared) >= 15  # most families appear in both halves
    assert all(first[template] == second[template] for template in shared)


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(min_value=0, max_value=2**32 - 1), repeats=st.integers(1, 3))
def test_same_messages_in_any_order_get_the_same_ids(
    pipeline_messages: list[str], seed: int, repeats: int
) -> None:
    reference = dict(zip(pipeline_messages, group_messages(pipeline_messages), strict=True))
    shuffled = pipeline_messages * repeats
    random.Random(seed).shuffle(shuffled)
    for message, signature in zip(shuffled, group_messages(shuffled), strict=True):
        assert signature == reference[message]


def test_loghub_ids_do_not_depend_on_order(loghub_dir, grouping_benchmark: ModuleType) -> None:
    # The synthetic families are easy; the Mac sample has 341 templates that compete in Drain.
    messages, _ = grouping_benchmark.load_loghub_system(loghub_dir, "Mac")
    reference = dict(zip(messages, group_messages(messages), strict=True))
    shuffled = list(reversed(messages))
    assert [reference[m] for m in shuffled] == group_messages(shuffled)


def test_blank_messages_get_the_empty_signature() -> None:
    signatures = group_messages(["", "   ", "\t", "NaN at step 3", ""])
    assert signatures[:3] == [EMPTY_SIGNATURE] * 3
    assert signatures[4] == EMPTY_SIGNATURE
    assert signatures[3] != EMPTY_SIGNATURE
    assert EMPTY_SIGNATURE.template == "<EMPTY>"
    assert group_messages([]) == []


def test_non_text_messages_are_refused_with_their_position() -> None:
    with pytest.raises(TypeError, match="message 1 is a NoneType, not a str"):
        group_messages(["disk full", None])  # type: ignore[list-item]


def test_summary_counts_and_examples(pipeline_messages: list[str]) -> None:
    messages = [*pipeline_messages, "", ""]
    signatures = group_messages(messages)
    summaries = summarize_signatures(messages, signatures, max_examples=2)
    assert sum(summary.count for summary in summaries) == len(messages)
    assert len(summaries) == len(set(signatures))
    assert [s.count for s in summaries] == sorted((s.count for s in summaries), reverse=True)
    empty = next(s for s in summaries if s.signature_id == EMPTY_SIGNATURE.signature_id)
    assert (empty.count, empty.examples) == (2, ("",))
    by_id = {s.signature_id: s for s in set(signatures)}
    for summary in summaries:
        assert 1 <= len(summary.examples) <= 2
        assert summary.template == by_id[summary.signature_id].template
        for example in summary.examples:
            assert group_messages(messages)[messages.index(example)].signature_id == (
                summary.signature_id
            )


def test_summary_refuses_mismatched_inputs() -> None:
    with pytest.raises(ValueError, match="2 messages but 1 signatures"):
        summarize_signatures(["a", "b"], group_messages(["a"]))


def test_new_family_leaves_existing_ids_unchanged(pipeline_messages: list[str]) -> None:
    before = dict(zip(pipeline_messages, group_messages(pipeline_messages), strict=True))
    newcomers = [
        f"VAE decode failed for segment {n}: tile overlap {n % 7} too small" for n in range(30)
    ]
    after = group_messages([*pipeline_messages, *newcomers])
    assert after[: len(pipeline_messages)] == [before[m] for m in pipeline_messages]
    assert len(set(after[len(pipeline_messages) :])) == 1
    assert after[-1] not in before.values()


def test_generalized_template_gets_a_new_id_linked_to_the_old_one() -> None:
    # One bucket so far: the bucket name is part of the template.
    first = [f"Upload to bucket renders-eu failed with status {s}" for s in (500, 502, 503)]
    # Nine more buckets: the name is a variable now, and the template generalizes.
    buckets = ["renders-us", "renders-ap", "previews", "thumbs", "archive", "scratch", "audio",
               "captions", "masks"]  # fmt: skip
    second = [f"Upload to bucket {bucket} failed with status 503" for bucket in buckets]
    [old] = set(group_messages(first))
    after = group_messages(first + second)
    [new] = set(after)
    assert old.template == "Upload to bucket renders-eu failed with status <NUM>"
    assert new.template == "Upload to bucket <*> failed with status <NUM>"
    assert new.signature_id != old.signature_id
    assert find_successors([old], after) == {old.signature_id: new.signature_id}


def test_successors_prefer_the_most_specific_cover() -> None:
    old = Signature(signature_id_for("GPU 3 lost: ECC error"), "GPU 3 lost: ECC error")
    broad = Signature(signature_id_for("GPU <*>"), "GPU <*>")
    narrow = Signature(signature_id_for("GPU <*> lost: ECC error"), "GPU <*> lost: ECC error")
    unrelated = Signature(signature_id_for("disk <*> full"), "disk <*> full")
    assert find_successors([old], iter([broad, narrow, unrelated])) == {
        old.signature_id: narrow.signature_id
    }
    assert find_successors([old], [old, broad]) == {}  # still there: nothing to link
    assert find_successors([old], [unrelated]) == {}  # gone, and nothing covers it


def test_lists_of_any_length_are_one_signature() -> None:
    single = ["Evicting cached latents lat_12 after OOM", "Evicting cached latents lat_7 after OOM"]
    longer = [
        "Evicting cached latents lat_3 lat_4 after OOM",
        "Evicting cached latents lat_5 lat_6 lat_9 lat_10 after OOM",
    ]
    [old] = set(group_messages(single))
    after = group_messages(single + longer)
    [new] = set(after)
    assert old.template == "Evicting cached latents lat_<NUM> after OOM"
    assert new.template == "Evicting cached latents lat_<NUM> ... after OOM"
    assert find_successors([old], after) == {old.signature_id: new.signature_id}
