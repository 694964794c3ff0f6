-- Written by the Dagster asset raw/error_message_signatures (failmap.errors.store), not by
-- ingestion: every distinct run error message (failure_reason and each phase_errors value) with
-- the signature the grouping engine gave it over the whole set. Replaced in one transaction on
-- each refresh; dbt reads it as the source raw.error_message_signatures.
create table raw.error_message_signatures (
    -- md5 key: a btree entry is limited to about 2.7 kB, and tracebacks can be longer.
    message_md5 text generated always as (md5(message)) stored primary key,
    message text not null,
    signature_id text not null,
    template text not null,
    candidate_pattern text not null,
    grouped_at timestamptz not null default now()
);
create index error_message_signatures_signature_id_idx
    on raw.error_message_signatures (signature_id);
comment on table raw.error_message_signatures is
    'Each distinct run error message with its signature (template with variable parts masked).';
comment on column raw.error_message_signatures.candidate_pattern is
    'A PostgreSQL regular expression matching the template, to paste into the error catalog.';
