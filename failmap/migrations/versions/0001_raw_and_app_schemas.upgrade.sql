-- raw: owned by ingestion. Typed landing tables (validated rows only), the file ledger and the
-- quarantine of rows that broke the contract. app: owned by users (fixes, notes, alert log).
create schema if not exists raw;
create schema if not exists app;

create table raw.ingested_files (
    file_id bigint generated always as identity primary key,
    file_name text not null,
    file_kind text,
    file_format text,
    sha256 text not null unique,
    size_bytes bigint not null,
    status text not null check (status in ('loaded', 'rejected')),
    reason text,
    rows_in_file bigint not null default 0,
    rows_loaded bigint not null default 0,
    rows_superseded bigint not null default 0,
    rows_quarantined bigint not null default 0,
    loaded_at timestamptz not null default now(),
    duration_ms integer
);
comment on table raw.ingested_files is
    'One row per distinct file content seen in the inbox: what happened to it and why.';
comment on column raw.ingested_files.rows_superseded is
    'Valid rows replaced by a later row with the same id in the same file (latest wins).';

create table raw.quarantine (
    quarantine_id bigint generated always as identity primary key,
    file_id bigint not null references raw.ingested_files (file_id),
    file_name text not null,
    line_number bigint not null,
    raw_row jsonb not null,
    reason text not null,
    quarantined_at timestamptz not null default now()
);
create index quarantine_file_id_idx on raw.quarantine (file_id);
comment on table raw.quarantine is
    'Rows that broke the input contract, verbatim, with the rule they broke.';

create table raw.quality_scores (
    score_id text primary key,
    evaluated_at timestamptz not null,
    job_id text not null,
    scene_id text,
    segment_id text not null,
    segment_position integer not null check (segment_position >= 1),
    workflow text not null,
    workflow_version text,
    model text not null,
    model_version text,
    lora text,
    character text,
    scene_type text not null,
    check_name text not null,
    score double precision check (score between 0 and 1),
    threshold double precision,
    passed boolean not null,
    failure_reason text,
    creator text,
    project text,
    file_id bigint not null,
    source_line bigint not null,
    loaded_at timestamptz not null default now()
);
comment on table raw.quality_scores is
    'One row per quality-gate check of one generated segment, as delivered (latest file wins).';

create table raw.runs (
    run_id text primary key,
    started_at timestamptz not null,
    finished_at timestamptz,
    status text not null check (status in ('succeeded', 'failed', 'cancelled')),
    workflow text,
    workflow_version text,
    model text,
    model_version text,
    lora text,
    character text,
    scene_type text,
    tenant text,
    error_code text,
    failure_reason text,
    phase_errors jsonb,
    recovery_attempted boolean,
    recovery_succeeded boolean,
    step_index integer,
    context jsonb,
    file_id bigint not null,
    source_line bigint not null,
    loaded_at timestamptz not null default now()
);
comment on table raw.runs is
    'One row per generation job (pipeline run), as delivered (latest file wins).';

create table app.pattern_fixes (
    fix_id bigint generated always as identity primary key,
    pattern_key text not null,
    fix_description text not null check (length(fix_description) between 1 and 2000),
    fix_parameters jsonb,
    effectiveness text check (effectiveness in ('resolved', 'improved', 'no_effect')),
    reported_by text not null check (length(reported_by) between 1 and 200),
    created_at timestamptz not null default now()
);
create index pattern_fixes_pattern_key_idx on app.pattern_fixes (pattern_key);

create table app.compatibility_notes (
    note_id bigint generated always as identity primary key,
    dimension text not null
        check (dimension in ('workflow', 'model', 'lora', 'character', 'scene_type')),
    dimension_value text not null,
    note text not null check (length(note) between 1 and 2000),
    fix_id bigint references app.pattern_fixes (fix_id),
    reported_by text not null,
    created_at timestamptz not null default now()
);

create table app.alert_log (
    alert_id bigint generated always as identity primary key,
    checked_at timestamptz not null default now(),
    configuration jsonb not null,
    severity text not null check (severity in ('none', 'low', 'medium', 'high')),
    predicted_failure_rate double precision,
    matched_pattern_keys text[] not null default '{}',
    source text not null default 'cli'
);
