"""Set-based validation: one SQL expression per column that names the rule a value breaks.

Every incoming value is text (the readers COPY files into a temporary table of text columns).
The expressions here read the values of `trimmed_values` (surrounding whitespace removed, empty
meaning missing), computed once per row in a subquery rather than once per rule.
`reason_expression` yields '' for a valid row and otherwise each broken rule in words, naming the
column and quoting the value, so the quarantine tells a person exactly what to fix;
`valid_condition` is true exactly when it yields '', without building any text.
`value_expression` casts a valid value to its type for the typed `raw` tables.
"""

from __future__ import annotations

from psycopg import sql

from failmap.ingest.contract import BOOLEAN_FALSE, BOOLEAN_TRUE, Column, FileKind

# ISO 8601 date and time with an explicit offset (or Z); PostgreSQL's parser then rejects
# impossible dates such as 2026-02-30.
ISO_TIMESTAMP_WITH_OFFSET = (
    r"^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])[T ]([01]\d|2[0-3]):[0-5]\d"
    r"(:[0-5]\d(\.\d{1,9})?)?\s*(Z|z|[+-]\d{2}(:?\d{2})?)$"
)
WHOLE_NUMBER = r"^[+-]?\d+$"
DECIMAL_NUMBER = r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$"
# The shape nearly every delivered timestamp has. Matching the regex above costs ~3 us a value;
# a value of this shape that PostgreSQL reads back as itself is valid for a third of that.
CANONICAL_UTC_TIMESTAMP = "____-__-__T__:__:__+00:00"
# `like` patterns for a leading and a trailing space. The `%` is written chr(37) (folded into a
# constant when the statement is planned) because these expressions also go into statements
# with psycopg parameters, where a literal `%` would be read as a placeholder.
SPACE_FIRST = sql.SQL("' ' || chr(37)")
SPACE_LAST = sql.SQL("chr(37) || ' '")


def trimmed_values(kind: FileKind) -> sql.Composable:
    """Select-list items: each contract column's text trimmed, empty meaning missing.

    `btrim` copies every value it is given; most values have no surrounding space, and two
    `like` tests that prove it cost a third as much (20 columns of 1M rows: ~0.8 s of CPU
    instead of ~1.9 s). The result is exactly `nullif(btrim(value), '')`.
    """
    items = [
        sql.SQL(
            "case when {0} = '' then null when {0} like {space_first} or {0} like {space_last} "
            "then nullif(btrim({0}), '') else {0} end as {0}"
        ).format(sql.Identifier(column.name), space_first=SPACE_FIRST, space_last=SPACE_LAST)
        for column in kind.columns
    ]
    # A timestamp of the common shape is parsed here once; its rule and its cast reuse it.
    items += [
        sql.SQL(
            "case when {v} like {shape} and pg_input_is_valid({v}, 'timestamptz') "
            "then {v}::timestamptz end as {parsed}"
        ).format(
            v=sql.Identifier(column.name),
            shape=sql.Literal(CANONICAL_UTC_TIMESTAMP),
            parsed=_parsed(column),
        )
        for column in kind.columns
        if column.kind == "timestamp"
    ]
    return sql.SQL(", ").join(items)


def _parsed(column: Column) -> sql.Identifier:
    """The `trimmed_values` item holding a timestamp of the common shape, parsed (else NULL).

    The untrimmed value is parsed: one that round-trips (`_canonical_timestamp`) has no
    surrounding space, and for any other PostgreSQL's parser ignores surrounding space anyway.
    """
    return sql.Identifier(f"_{column.name}_timestamptz")


def _value(column: Column) -> sql.Composable:
    """The column's trimmed value (see `trimmed_values`)."""
    return sql.Identifier(column.name)


def _canonical_timestamp(column: Column) -> sql.Composable:
    """True for `YYYY-MM-DDTHH:MM:SS+00:00` values that are real instants, false otherwise.

    The round trip through timestamptz proves every field is digits within its range (a value
    that merely has the shape, such as 24:00:00 or letters for digits, does not come back
    unchanged). False only means "ask the full rules", never "invalid". With another DateStyle
    than ISO nothing round-trips, and every value takes the full rules.
    """
    return sql.SQL(
        "coalesce(({parsed} at time zone 'UTC')::text = replace(left({v}, 19), 'T', ' '), false)"
    ).format(v=_value(column), parsed=_parsed(column))


def _shown(column: Column) -> sql.Composable:
    """The offending value, quoted and cut to a readable length, for a reason text."""
    return sql.SQL("quote_literal(left({}, 80))").format(_value(column))


def _rule_checks(column: Column) -> list[tuple[sql.Composable, sql.Composable]]:
    """(broken-when condition, reason) pairs, tested in order; the first that holds wins.

    A NULL reason accepts the value: the rules after it are not asked.
    """
    value, shown, name = _value(column), _shown(column), sql.Literal(column.name)
    checks: list[tuple[sql.Composable, sql.Composable]] = []
    if column.kind == "timestamp":
        # Accepted early (no reason): the common shape, proven valid by a cheap round trip.
        checks.append((_canonical_timestamp(column), sql.NULL))
        not_a_timestamp = sql.SQL(
            "{n} || ' ' || {s} || ' is not an ISO 8601 timestamp with a UTC offset'"
        ).format(n=name, s=shown)
        checks.append(
            (
                sql.SQL("{v} !~ {pattern}").format(
                    v=value, pattern=sql.Literal(ISO_TIMESTAMP_WITH_OFFSET)
                ),
                not_a_timestamp,
            )
        )
        # The pattern bounds every field; only days 29-31 can still be impossible (2026-02-30),
        # and only those values pay for PostgreSQL's slower parser.
        checks.append(
            (
                sql.SQL(
                    "substr({v}, 9, 2) > '28' and not pg_input_is_valid({v}, 'timestamptz')"
                ).format(v=value),
                not_a_timestamp,
            )
        )
    elif column.kind == "integer":
        checks.append(
            (
                sql.SQL(
                    "{v} !~ {pattern} "
                    "or (length({v}) > 9 and not pg_input_is_valid({v}, 'integer'))"
                ).format(v=value, pattern=sql.Literal(WHOLE_NUMBER)),
                sql.SQL("{n} || ' ' || {s} || ' is not a whole number'").format(n=name, s=shown),
            )
        )
    elif column.kind == "float":
        checks.append(
            (
                # The pattern admits only finite decimal numbers (no NaN/Infinity); PostgreSQL's
                # parser then refuses those that overflow (huge exponents). The parser is cheaper
                # than a second pattern looking for such exponents.
                sql.SQL(
                    "{v} !~ {pattern} or not pg_input_is_valid({v}, 'double precision')"
                ).format(v=value, pattern=sql.Literal(DECIMAL_NUMBER)),
                sql.SQL("{n} || ' ' || {s} || ' is not a finite number'").format(n=name, s=shown),
            )
        )
    elif column.kind == "boolean":
        accepted = BOOLEAN_TRUE + BOOLEAN_FALSE
        checks.append(
            (
                # The two usual spellings first: they skip lower-casing the value.
                sql.SQL("{v} not in ('true', 'false') and lower({v}) not in ({accepted})").format(
                    v=value, accepted=sql.SQL(", ").join(sql.Literal(a) for a in accepted)
                ),
                sql.SQL("{n} || ' ' || {s} || {rule}").format(
                    n=name, s=shown, rule=sql.Literal(" is not a boolean (true/false, 1/0, t/f)")
                ),
            )
        )
    elif column.kind == "json_object":
        checks.append(
            (
                sql.SQL(
                    "not (pg_input_is_valid({v}, 'jsonb') and jsonb_typeof({v}::jsonb) = 'object')"
                ).format(v=value),
                sql.SQL("{n} || ' ' || {s} || ' is not a JSON object'").format(n=name, s=shown),
            )
        )
    if column.choices:
        checks.append(
            (
                sql.SQL("{v} not in ({choices})").format(
                    v=value, choices=sql.SQL(", ").join(sql.Literal(c) for c in column.choices)
                ),
                sql.SQL("{n} || ' ' || {s} || {rule}").format(
                    n=name, s=shown, rule=sql.Literal(f" is not one of {', '.join(column.choices)}")
                ),
            )
        )
    cast = _cast_sql(column)
    if column.min_value is not None:
        checks.append(
            (
                sql.SQL("{cast} < {bound}").format(cast=cast, bound=sql.Literal(column.min_value)),
                sql.SQL("{n} || ' ' || {s} || {rule}").format(
                    n=name, s=shown, rule=sql.Literal(f" is below the minimum {column.min_value:g}")
                ),
            )
        )
    if column.max_value is not None:
        checks.append(
            (
                sql.SQL("{cast} > {bound}").format(cast=cast, bound=sql.Literal(column.max_value)),
                sql.SQL("{n} || ' ' || {s} || {rule}").format(
                    n=name, s=shown, rule=sql.Literal(f" is above the maximum {column.max_value:g}")
                ),
            )
        )
    return checks


def _cast_sql(column: Column) -> sql.Composable:
    value = _value(column)
    if column.kind == "timestamp":
        return sql.SQL("{}::timestamptz").format(value)
    if column.kind == "integer":
        return sql.SQL("{}::integer").format(value)
    if column.kind == "float":
        return sql.SQL("{}::double precision").format(value)
    if column.kind == "boolean":
        return sql.SQL(
            "(case {v} when 'true' then true when 'false' then false "
            "else lower({v}) in ({true}) end)"
        ).format(v=value, true=sql.SQL(", ").join(sql.Literal(t) for t in BOOLEAN_TRUE))
    if column.kind == "json_object":
        return sql.SQL("{}::jsonb").format(value)
    return value


def column_reason(column: Column) -> sql.Composable:
    """SQL yielding NULL when the column's value is valid, else why it is not."""
    whens = [
        sql.SQL("when {cond} then {reason}").format(cond=cond, reason=reason)
        for cond, reason in _rule_checks(column)
    ]
    if column.required:
        missing = sql.SQL("when {v} is null then {reason}").format(
            v=_value(column), reason=sql.Literal(f"{column.name} is required but missing")
        )
        whens.insert(0, missing)
    else:
        # An optional empty value is valid: no later rule may look at it.
        whens.insert(0, sql.SQL("when {v} is null then null").format(v=_value(column)))
    return sql.SQL("case {} end").format(sql.SQL(" ").join(whens))


def reason_expression(kind: FileKind) -> sql.Composable:
    """All broken rules of a row joined by '; ', or '' for a valid row."""
    return sql.SQL("concat_ws('; ', {})").format(
        sql.SQL(", ").join(column_reason(column) for column in kind.columns)
    )


def valid_condition(kind: FileKind) -> sql.Composable:
    """True exactly when `reason_expression` is '': every column breaks no rule.

    Columns with no rule (optional free text) are not asked; a required free-text column only
    needs a value.
    """
    conditions = []
    for column in kind.columns:
        if _rule_checks(column):
            conditions.append(sql.SQL("({}) is null").format(column_reason(column)))
        elif column.required:
            conditions.append(sql.SQL("{} is not null").format(_value(column)))
    return sql.SQL(" and ").join(conditions)


def value_expression(column: Column) -> sql.Composable:
    """The valid value cast to the type of its column in the `raw` table.

    A valid timestamp parsed already (`trimmed_values`) is that same instant: the parse of the
    untrimmed value and of the trimmed one agree, PostgreSQL ignores surrounding space.
    """
    if column.kind == "timestamp":
        return sql.SQL("coalesce({}, {})").format(_parsed(column), _cast_sql(column))
    return _cast_sql(column)
