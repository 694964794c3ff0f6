"""Signatures of every run error message, kept in `raw.error_message_signatures` for dbt.

The grouping engine is Python (Drain3), the analytics are SQL: this module is the bridge. It
reads the distinct error messages of `raw.runs`, groups the whole set at once (a grouping is a
property of the batch; see docs/error-grouping.md) and replaces the table's rows in one
transaction, so readers see either the previous grouping or the new one, never a mix.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import psycopg

from failmap.errors.candidates import template_to_pattern
from failmap.errors.signatures import Signature, find_successors, group_messages

__all__ = ["SignatureRefresh", "read_run_error_messages", "refresh_message_signatures"]

_MESSAGES_SQL = Path(__file__).with_name("run_error_messages.sql")


@dataclass(frozen=True)
class SignatureRefresh:
    """What one regrouping changed: counts, and ids that appeared, vanished or were succeeded."""

    message_count: int
    signature_count: int
    new_signature_ids: list[str] = field(default_factory=list)
    vanished_signature_ids: list[str] = field(default_factory=list)
    successors: dict[str, str] = field(default_factory=dict)


def read_run_error_messages(conn: psycopg.Connection) -> list[str]:
    """The distinct error messages of all runs, sorted (failure reasons and phase errors)."""
    rows = conn.execute(_MESSAGES_SQL.read_text(encoding="utf-8")).fetchall()
    return sorted(row[0] for row in rows)


def _stored_signatures(conn: psycopg.Connection) -> set[Signature]:
    rows = conn.execute(
        "select distinct signature_id, template from raw.error_message_signatures"
    ).fetchall()
    return {Signature(signature_id, template) for signature_id, template in rows}


def refresh_message_signatures(conn: psycopg.Connection) -> SignatureRefresh:
    """Regroup every run error message and replace `raw.error_message_signatures` atomically.

    Commits on success. Ids are pure functions of templates, so unchanged groups keep their ids;
    `successors` links ids that vanished to the signature that now covers them.
    """
    with conn.transaction():
        # One writer at a time; readers keep reading the previous rows until the commit.
        conn.execute("lock table raw.error_message_signatures in exclusive mode")
        messages = read_run_error_messages(conn)
        signatures = group_messages(messages)
        previous = _stored_signatures(conn)
        current = set(signatures)
        conn.execute("delete from raw.error_message_signatures")
        with conn.cursor().copy(
            "copy raw.error_message_signatures "
            "(message, signature_id, template, candidate_pattern) from stdin"
        ) as copy:
            for message, signature in zip(messages, signatures, strict=True):
                copy.write_row(
                    (
                        message,
                        signature.signature_id,
                        signature.template,
                        template_to_pattern(signature.template),
                    )
                )
    previous_ids = {s.signature_id for s in previous}
    current_ids = {s.signature_id for s in current}
    return SignatureRefresh(
        message_count=len(messages),
        signature_count=len(current_ids),
        new_signature_ids=sorted(current_ids - previous_ids),
        vanished_signature_ids=sorted(previous_ids - current_ids),
        successors=find_successors(previous, current),
    )
