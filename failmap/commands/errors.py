"""`failmap errors`: run error tools (signature grouping)."""

from __future__ import annotations

import sys

import click


@click.group()
def errors() -> None:
    """Run errors: group messages into signatures."""


@errors.command("group")
@click.option("--templates", is_flag=True, help="Print `id<TAB>template` instead of the id.")
def errors_group(templates: bool) -> None:
    """Read error messages from stdin, one per line; print one signature id per line, in order.

    The whole input is grouped as one batch (a grouping is a property of the batch), so the
    same message can get a more general template when more variants of it are present. Blank
    lines get the empty signature, so the output stays aligned with the input.
    """
    from failmap.errors import group_messages

    # Undecodable bytes must not stop the grouping: they become U+FFFD.
    stdin = click.get_text_stream("stdin", errors="replace")
    signatures = group_messages(stdin.read().splitlines())
    lines = [f"{s.signature_id}\t{s.template}" if templates else s.signature_id for s in signatures]
    if lines:
        sys.stdout.write("\n".join(lines) + "\n")
