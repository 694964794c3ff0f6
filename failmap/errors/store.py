"""Signatures of every run error message, kept in `raw.error_message_signatures` for dbt.

The grouping engine is Python (Drain3), the analytics are SQL: this module is the bridge. It
reads the distinct error messages of `raw.runs`, groups the whole set at once (a grouping is a
property of the batch; see docs/error-grouping.md) and writes the table's rows in one
transaction, so readers see either the previous grouping or the new one, never a mix.

The grouping is a function of the set of distinct masked forms (`signatures.masked_form`), and
each row keeps its message's masked form. A refresh whose new messages only bring masked forms
the table has, and whose vanished messages take none away, cannot change any signature: it
inserts the new messages with the signature of their masked form and deletes the vanished
ones. Only a refresh that changes the set of masked forms (or runs other grouping code or
settings than the rows were grouped with) groups every masked form again; then, when every row
was grouped by the same code and settings, it masks only the new messages and writes only the
rows that change (messages that came or went, and those whose masked form changed signature);
otherwise it masks every message and replaces every row.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import psycopg

from failmap.errors import candidates, masking, signatures
from failmap.errors.candidates import template_to_pattern
from failmap.errors.signatures import (
    DEFAULT_CONFIG,
    GroupingConfig,
    Signature,
    find_successors,
    group_masked_forms,
    masked_form,
)

__all__ = [
    "SignatureRefresh",
    "grouping_version",
    "read_run_error_messages",
    "refresh_message_signatures",
]

_MESSAGES_SQL = Path(__file__).with_name("run_error_messages.sql")
_CHANGES_SQL = Path(__file__).with_name("message_changes.sql")
_COLUMNS = "message, signature_id, template, candidate_pattern, masked_form, grouping_version"


@dataclass(frozen=True)
class SignatureRefresh:
    """What one refresh changed: counts, and ids that appeared, vanished or were succeeded.

    `regrouped` is false when the set of masked forms was unchanged, so every signature was
    kept and only `added_messages` were inserted and `removed_messages` deleted. A regrouping
    either rewrote every row (`rewrote_all`: some row was of other grouping code or settings)
    or wrote the added and removed messages and the `moved_messages` whose signature changed.
    """

    message_count: int
    signature_count: int
    new_signature_ids: list[str] = field(default_factory=list)
    vanished_signature_ids: list[str] = field(default_factory=list)
    successors: dict[str, str] = field(default_factory=dict)
    regrouped: bool = True
    added_messages: int = 0
    removed_messages: int = 0
    moved_messages: int = 0
    rewrote_all: bool = True


@dataclass(frozen=True)
class _MessageChanges:
    """Messages of the runs not stored yet, and stored messages no run has any more."""

    added: list[str]
    removed_md5s: list[str]
    removed_masked_forms: set[str]


def read_run_error_messages(conn: psycopg.Connection) -> list[str]:
    """The distinct error messages of all runs, sorted (failure reasons and phase errors)."""
    rows = conn.execute(_MESSAGES_SQL.read_text(encoding="utf-8")).fetchall()
    return sorted(row[0] for row in rows)


def grouping_version(config: GroupingConfig = DEFAULT_CONFIG) -> str:
    """A hash of everything that maps a message to its row: the settings and the code.

    Rows grouped by other code (a masking rule edited, a failmap upgrade) or settings would
    not be what a regrouping gives now, so a refresh that finds them regroups everything.
    """
    digest = hashlib.sha256(repr(config).encode("utf-8"))
    for module in (masking, signatures, candidates):
        digest.update(Path(module.__file__ or "").read_bytes())
    return digest.hexdigest()[:16]


def refresh_message_signatures(
    conn: psycopg.Connection, config: GroupingConfig = DEFAULT_CONFIG
) -> SignatureRefresh:
    """Bring `raw.error_message_signatures` up to date with the runs, atomically.

    The update is one transaction, committed on success when `conn` has no transaction open
    (inside the caller's transaction it is a savepoint, and the caller commits); on any error
    the previous rows stay. When the runs' masked forms are those of the stored rows, only the
    messages that came or went are written; otherwise everything is regrouped. Ids are pure
    functions of templates, so unchanged groups keep their ids; `successors` links ids that
    vanished to the signature that now covers them.
    """
    version = grouping_version(config)
    with conn.transaction():
        # One writer at a time; readers keep reading the previous rows until the commit.
        conn.execute("lock table raw.error_message_signatures in exclusive mode")
        masked_by_message: dict[str, str] = {}
        if not _has_rows_of_another_grouping(conn, version):
            changes = _message_changes(conn)
            masked_by_message = {m: masked_form(m, config) for m in changes.added}
            kept = _keep_grouping(conn, changes, masked_by_message, version)
            if kept is not None:
                return kept
            return _regroup_changes(conn, config, version, changes, masked_by_message)
        return _regroup(conn, config, version, masked_by_message)


def _has_rows_of_another_grouping(conn: psycopg.Connection, version: str) -> bool:
    """Whether a row lacks its masked form (grouped before migration 0010) or another version
    grouped it."""
    row = conn.execute(
        "select exists (select from raw.error_message_signatures "
        "where masked_form is null or grouping_version is distinct from %s)",
        [version],
    ).fetchone()
    return bool(row and row[0])


def _message_changes(conn: psycopg.Connection) -> _MessageChanges:
    query = (
        "with run_messages as (\n"
        + _MESSAGES_SQL.read_text(encoding="utf-8")
        + "\n)\n"
        + _CHANGES_SQL.read_text(encoding="utf-8")
    )
    added: list[str] = []
    removed_md5s: list[str] = []
    removed_forms: set[str] = set()
    for message, message_md5, stored_form in conn.execute(query).fetchall():
        if message_md5 is None:
            added.append(message)
        else:
            removed_md5s.append(message_md5)
            removed_forms.add(stored_form)
    return _MessageChanges(sorted(added), removed_md5s, removed_forms)


def _keep_grouping(
    conn: psycopg.Connection,
    changes: _MessageChanges,
    masked_by_message: dict[str, str],
    version: str,
) -> SignatureRefresh | None:
    """Insert the added messages and delete the removed ones, keeping every signature; None
    (nothing written) when that would change the set of masked forms, so the caller regroups.
    """
    added_forms = set(masked_by_message.values())
    # The stored rows of every masked form involved: which forms exist, which remain once the
    # removed messages are gone, and the signature (with its pattern) of each.
    rows = conn.execute(
        "select masked_form, message_md5 = any(%s), signature_id, template, candidate_pattern "
        "from raw.error_message_signatures where masked_form = any(%s)",
        [changes.removed_md5s, sorted(added_forms | changes.removed_masked_forms)],
    ).fetchall()
    stored_forms = {row[0] for row in rows}
    remaining_forms = {row[0] for row in rows if not row[1]}
    if not added_forms <= stored_forms:
        return None  # a new masked form
    if not changes.removed_masked_forms <= remaining_forms | added_forms:
        return None  # a masked form vanished
    row_of_form = {row[0]: row[2:] for row in rows}
    _delete_messages(conn, changes.removed_md5s)
    _insert_messages(
        conn,
        ((message, *row_of_form[form], form) for message, form in masked_by_message.items()),
        version,
    )
    counts = conn.execute(
        "select count(*), count(distinct signature_id) from raw.error_message_signatures"
    ).fetchone()
    assert counts is not None
    return SignatureRefresh(
        message_count=counts[0],
        signature_count=counts[1],
        regrouped=False,
        added_messages=len(masked_by_message),
        removed_messages=len(changes.removed_md5s),
        rewrote_all=False,
    )


def _stored_signatures(conn: psycopg.Connection) -> set[Signature]:
    rows = conn.execute(
        "select distinct signature_id, template from raw.error_message_signatures"
    ).fetchall()
    return {Signature(signature_id, template) for signature_id, template in rows}


def _regroup(
    conn: psycopg.Connection,
    config: GroupingConfig,
    version: str,
    masked_by_message: dict[str, str],
) -> SignatureRefresh:
    """Mask and group every message again and replace all rows: the way when some stored row
    is of another grouping version or has no masked form. `masked_by_message` holds masked
    forms computed already."""
    messages = read_run_error_messages(conn)
    masked = [
        masked_by_message[m] if m in masked_by_message else masked_form(m, config) for m in messages
    ]
    signature_by_masked = group_masked_forms(masked, config)
    previous = _stored_signatures(conn)
    current = set(signature_by_masked.values())
    pattern_of = {signature: template_to_pattern(signature.template) for signature in current}
    conn.execute("delete from raw.error_message_signatures")
    _insert_messages(
        conn,
        (
            (message, *_signature_columns(signature_by_masked[form], pattern_of), form)
            for message, form in zip(messages, masked, strict=True)
        ),
        version,
    )
    return _regrouped(previous, current, len(messages))


def _regroup_changes(
    conn: psycopg.Connection,
    config: GroupingConfig,
    version: str,
    changes: _MessageChanges,
    masked_by_message: dict[str, str],
) -> SignatureRefresh:
    """Group every masked form again and write only what differs from the stored rows: the
    messages that came or went, and the stored messages whose masked form changed signature.

    Every stored row is of this grouping version (the caller checked), so its masked form
    stands, and a masked form's signature is its id (ids are functions of templates, patterns of
    templates). The rows are those a full `_regroup` writes; a new masked form usually moves a
    few forms, so a year's ~90k messages are not all written again.
    """
    previous = _stored_signatures(conn)
    # Per stored masked form: its signature and how many of its messages stay.
    forms = conn.execute(
        "select masked_form, min(signature_id), "
        "count(*) filter (where not message_md5 = any(%s)) "
        "from raw.error_message_signatures group by masked_form",
        [changes.removed_md5s],
    ).fetchall()
    kept_forms = {form for form, _, staying in forms if staying}
    signature_by_masked = group_masked_forms(kept_forms | set(masked_by_message.values()), config)
    current = set(signature_by_masked.values())
    pattern_of = {signature: template_to_pattern(signature.template) for signature in current}
    columns_of = {
        form: _signature_columns(signature, pattern_of)
        for form, signature in signature_by_masked.items()
    }
    stored_id_of_form = {form: signature_id for form, signature_id, _ in forms}
    moved = sorted(
        form
        for form in kept_forms
        if signature_by_masked[form].signature_id != stored_id_of_form[form]
    )
    _delete_messages(conn, changes.removed_md5s)
    moved_messages = 0
    if moved:
        moved_messages = conn.execute(
            "update raw.error_message_signatures as stored set signature_id = new.signature_id, "
            "template = new.template, candidate_pattern = new.candidate_pattern, "
            "grouped_at = now() "
            "from unnest(%s::text[], %s::text[], %s::text[], %s::text[]) "
            "as new (masked_form, signature_id, template, candidate_pattern) "
            "where stored.masked_form = new.masked_form",
            [moved, *_columns_as_arrays([columns_of[form] for form in moved])],
        ).rowcount
    _insert_messages(
        conn,
        ((message, *columns_of[form], form) for message, form in masked_by_message.items()),
        version,
    )
    return dataclasses.replace(
        _regrouped(
            previous, current, sum(staying for *_, staying in forms) + len(masked_by_message)
        ),
        added_messages=len(masked_by_message),
        removed_messages=len(changes.removed_md5s),
        moved_messages=moved_messages,
        rewrote_all=False,
    )


def _signature_columns(
    signature: Signature, pattern_of: dict[Signature, str]
) -> tuple[str, str, str]:
    """A signature's stored columns: signature_id, template, candidate_pattern."""
    return (signature.signature_id, signature.template, pattern_of[signature])


def _columns_as_arrays(rows: list[tuple[str, str, str]]) -> list[list[str]]:
    """Rows of signature columns as one list per column (for `unnest`)."""
    return [[row[index] for row in rows] for index in range(3)]


def _delete_messages(conn: psycopg.Connection, message_md5s: list[str]) -> None:
    conn.execute(
        "delete from raw.error_message_signatures where message_md5 = any(%s)", [message_md5s]
    )


def _insert_messages(
    conn: psycopg.Connection, rows: Iterable[tuple[str, ...]], version: str
) -> None:
    """COPY rows of (message, signature_id, template, candidate_pattern, masked_form)."""
    with conn.cursor().copy(f"copy raw.error_message_signatures ({_COLUMNS}) from stdin") as copy:
        for row in rows:
            copy.write_row((*row, version))


def _regrouped(
    previous: set[Signature], current: set[Signature], message_count: int
) -> SignatureRefresh:
    previous_ids = {s.signature_id for s in previous}
    current_ids = {s.signature_id for s in current}
    return SignatureRefresh(
        message_count=message_count,
        signature_count=len(current_ids),
        new_signature_ids=sorted(current_ids - previous_ids),
        vanished_signature_ids=sorted(previous_ids - current_ids),
        successors=find_successors(previous, current),
    )
