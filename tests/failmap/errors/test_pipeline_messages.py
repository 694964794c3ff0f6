"""Grouping of the error messages our video generation pipelines actually produce."""

from __future__ import annotations

from failmap.errors import group_messages


def test_cuda_out_of_memory_with_different_sizes_is_one_signature() -> None:
    messages = [
        "CUDA out of memory. Tried to allocate 2.50 GiB (GPU 0; 23.65 GiB total capacity; "
        "19.87 GiB already allocated; 1.02 GiB free; 20.61 GiB reserved in total by PyTorch)",
        "CUDA out of memory. Tried to allocate 512.00 MiB (GPU 3; 79.15 GiB total capacity; "
        "77.02 GiB already allocated; 301.44 MiB free; 78.10 GiB reserved in total by PyTorch)",
        "CUDA out of memory. Tried to allocate 20.00 MiB (GPU 1; 23.65 GiB total capacity; "
        "22.90 GiB already allocated; 9.44 MiB free; 23.01 GiB reserved in total by PyTorch)",
    ]
    signatures = group_messages(messages)
    assert len(set(signatures)) == 1
    assert signatures[0].template == (
        "CUDA out of memory. Tried to allocate <SIZE> (GPU <NUM>; <SIZE> total capacity; "
        "<SIZE> already allocated; <SIZE> free; <SIZE> reserved in total by PyTorch)"
    )


def test_nan_at_different_steps_and_segments_is_one_signature() -> None:
    signatures = group_messages(
        [
            "NaN detected in latent at step 12 of segment 4",
            "NaN detected in latent at step 31 of segment 9",
        ]
    )
    assert signatures[0] == signatures[1]
    assert signatures[0].template == "NaN detected in latent at step <NUM> of segment <NUM>"


def test_different_families_get_different_signatures() -> None:
    messages = [
        "NaN detected in latent at step 12 of segment 4",
        "NaN detected in latent at step 31 of segment 9",
        "Inf detected in latent at step 7 of segment 2",  # another event: one word differs
        "NaN detected in gradients at step 7 of segment 2",  # another event, later in the text
        "CUDA out of memory. Tried to allocate 2.50 GiB (GPU 0; 23.65 GiB total capacity)",
        "ffmpeg exited with code 137 while encoding segment 4 of job "
        "7f3c2a90-1d2b-4c8e-9f00-3b7a1e2d4c55",
        "ffmpeg exited with code 1 while encoding segment 8 of job "
        "0b5d7e21-66aa-4f1e-8d3c-9e2f4a6b7c80",
    ]
    signatures = group_messages(messages)
    assert signatures[0] == signatures[1]
    assert signatures[5] == signatures[6]
    assert len({signatures[0], signatures[2], signatures[3], signatures[4], signatures[5]}) == 5


def test_values_spelled_in_letters_do_not_split_a_family() -> None:
    # A pod suffix or a user-supplied name is a value even when it has no digit, once it takes
    # more than a few different values.
    names = ["xkqpz", "mbvrt", "qwhzn", "plokm", "trewq", "zxcvb", "asdfg", "hjklz", "yuiop"]
    messages = [f"Worker pod render-{name} evicted: node out of memory" for name in names]
    signatures = group_messages(messages)
    assert len(set(signatures)) == 1
    assert signatures[0].template == "Worker pod <*> evicted: node out of memory"


def test_paths_ids_and_hosts_are_masked_within_one_family() -> None:
    messages = [
        "FileNotFoundError: [Errno 2] No such file or directory: '/mnt/renders/a1/seg_4.mp4'",
        "FileNotFoundError: [Errno 2] No such file or directory: '/data/cache/x/latents.pt'",
        "Timeout after 30s waiting for worker gpu-node-12.render.internal:7000",
        "Timeout after 120s waiting for worker gpu-node-3.render.internal:7001",
    ]
    signatures = group_messages(messages)
    assert signatures[0] == signatures[1]
    assert signatures[2] == signatures[3]
    assert signatures[0].template == (
        "FileNotFoundError: [Errno <NUM>] No such file or directory: '<PATH>'"
    )
    assert signatures[2].template == "Timeout after <DURATION> waiting for worker <HOST>"


def test_functions_named_in_a_message_name_different_events() -> None:
    # Names joined by "_", "::" or "." count as words: a few of them at one position are
    # events, as in "VAE decode failed" / "VAE encode failed".
    messages = [
        "callback on_segment_done raised for job 7",
        "callback on_upload_done raised for job 9",
        "callback on_segment_done raised for job 12",
    ]
    signatures = group_messages(messages)
    assert signatures[0] == signatures[2] != signatures[1]
    assert signatures[1].template == "callback on_upload_done raised for job <NUM>"
