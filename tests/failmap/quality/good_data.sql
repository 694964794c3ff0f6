-- A small warehouse that satisfies every expectation suite: three days of quality-gate results
-- and runs in raw, and hand-made marts with the contract's columns (ARCHITECTURE.md). Each test
-- breaks one rule of it.
insert into raw.ingested_files (
    file_name, file_kind, file_format, sha256, size_bytes, status,
    rows_in_file, rows_loaded, rows_quarantined, loaded_at
)
values
    ('quality_scores_good.csv', 'quality_scores', 'csv', 'sha-qs', 1000, 'loaded', 181, 180, 1, now()),
    ('runs_good.csv', 'runs', 'csv', 'sha-runs', 1000, 'loaded', 90, 90, 0, now());

insert into raw.quality_scores (
    score_id, evaluated_at, job_id, segment_id, segment_position, workflow, model, scene_type,
    check_name, score, threshold, passed, file_id, source_line
)
select
    format('s-%s-%s-%s', day_index, segment, check_name),
    timestamptz '2026-09-01 12:00:00+00' + make_interval(days => day_index),
    format('j-%s-%s', day_index, segment),
    format('seg-%s-%s', day_index, segment),
    1 + segment % 8,
    'w01',
    'm01',
    'action',
    check_name,
    case when segment % 10 = 0 and check_name = 'motion' then 0.2 else 0.9 end,
    0.7,
    not (segment % 10 = 0 and check_name = 'motion'),
    (select file_id from raw.ingested_files where sha256 = 'sha-qs'),
    segment
from generate_series(0, 2) as day_index
cross join generate_series(1, 30) as segment
cross join unnest(array['motion', 'flicker']) as check_name;

insert into raw.runs (
    run_id, started_at, finished_at, status, workflow, error_code, failure_reason,
    recovery_attempted, recovery_succeeded, file_id, source_line
)
select
    format('j-%s-%s', day_index, segment),
    timestamptz '2026-09-01 11:50:00+00' + make_interval(days => day_index),
    timestamptz '2026-09-01 11:58:00+00' + make_interval(days => day_index),
    case when segment % 10 = 0 then 'failed' else 'succeeded' end,
    'w01',
    case when segment % 10 = 0 then 'E_OOM' end,
    case when segment % 10 = 0 then 'CUDA out of memory' end,
    segment % 3 = 0,
    case when segment % 3 = 0 then segment % 6 = 0 end,
    (select file_id from raw.ingested_files where sha256 = 'sha-runs'),
    segment
from generate_series(0, 2) as day_index
cross join generate_series(1, 30) as segment;

create schema if not exists marts;

create table marts.data_freshness as
select
    now() as refreshed_at,
    now() - interval '1 hour' as last_file_loaded_at,
    timestamptz '2026-09-01 12:00:00+00' as first_evaluated_at,
    timestamptz '2026-09-03 12:00:00+00' as last_evaluated_at,
    2::bigint as files_loaded_count,
    0::bigint as files_rejected_count,
    270::bigint as rows_loaded_count,
    1::bigint as rows_quarantined_count,
    90::bigint as segment_count,
    9::bigint as failed_segment_count;

create table marts.combination_failure_rates (
    dimension_workflow text,
    dimension_model text,
    dimension_lora text,
    dimension_character text,
    dimension_scene_type text,
    dimension_segment_position text,
    total_count bigint,
    failure_count bigint,
    failure_rate double precision,
    baseline_rate double precision
);
insert into marts.combination_failure_rates values
    ('w01', null, null, null, null, null, 90, 9, 0.1, null),
    (null, null, 'l07', null, null, null, 40, 20, 0.5, 0.1),
    (null, null, 'l07', 'c12', null, null, 20, 15, 0.75, 0.12),
    (null, null, 'l07', 'c12', null, '6+', 10, 9, 0.9, 0.13);

create table marts.failure_patterns (
    pattern_key text,
    description text,
    dimension_workflow text,
    dimension_model text,
    dimension_lora text,
    dimension_character text,
    dimension_scene_type text,
    dimension_segment_position text,
    failure_count bigint,
    total_count bigint,
    failure_rate double precision,
    baseline_rate double precision,
    severity text,
    last_occurrence timestamptz,
    first_detected_at timestamptz,
    status text not null default 'active'
);
insert into marts.failure_patterns values
    (
        'lora=l07|character=c12|segment_position=6+', 'LoRA l07 + character c12 fails at 6+',
        null, null, 'l07', 'c12', null, '6+', 9, 10, 0.9, 0.13, 'high',
        timestamptz '2026-09-03 12:00:00+00', now() - interval '2 days', 'emerging'
    ),
    (
        'model=m02', 'model m02 fails', null, 'm02', null, null, null, null, 12, 60, 0.2, 0.08,
        'medium', timestamptz '2026-09-03 12:00:00+00', now() - interval '1 day', 'active'
    ),
    (
        'scene_type=night', 'night scenes fail', null, null, null, null, 'night', null, 6, 50,
        0.12, 0.08, 'low', timestamptz '2026-09-02 12:00:00+00', now() - interval '3 days',
        'resolved'
    );

create table marts.failure_heatmap (
    x_dimension text,
    x_value text,
    y_dimension text,
    y_value text,
    total_count bigint,
    failure_count bigint,
    failure_rate double precision
);
insert into marts.failure_heatmap values
    ('lora', 'l07', 'character', 'c12', 20, 15, 0.75),
    ('lora', 'l01', 'character', 'c01', 50, 2, 0.04);

create table marts.daily_failure_trends (
    day date,
    dimension text,
    dimension_value text,
    total_count bigint,
    failure_count bigint,
    failure_rate double precision,
    baseline_rate double precision,
    regression_flag boolean,
    improvement_flag boolean
);
insert into marts.daily_failure_trends
select
    date '2026-09-01' + day_index,
    'overall',
    'overall',
    30,
    3,
    0.1,
    case when day_index > 0 then 0.1 end,
    false,
    false
from generate_series(0, 2) as day_index;
insert into marts.daily_failure_trends values
    (date '2026-09-03', 'model', 'm02', 30, 12, 0.4, 0.1, true, false);

create table marts.change_events (
    dimension text,
    dimension_value text,
    from_version text,
    to_version text,
    changed_at timestamptz,
    rate_before double precision,
    rate_after double precision,
    verdict text
);
insert into marts.change_events values
    ('model', 'm02', '3.1', '3.2', timestamptz '2026-09-02 00:00:00+00', 0.06, 0.2, 'regression'),
    ('workflow', 'w01', '1.0', '1.1', timestamptz '2026-09-02 00:00:00+00', 0.1, 0.1, 'no_change');

create table marts.run_errors (
    run_error_id text,
    run_id text,
    phase text,
    message text,
    category text,
    match_type text,
    confidence double precision,
    signature_id text,
    is_retryable boolean,
    recovery_mode text,
    is_recovery_attempted boolean,
    is_recovery_succeeded boolean,
    run_status text,
    started_at timestamptz,
    started_on date,
    error_code text
);
insert into marts.run_errors
select
    format('e-%s', runs.run_id),
    runs.run_id,
    'generate',
    runs.failure_reason,
    'out_of_memory',
    'catalog',
    0.95,
    'sig-oom',
    true,
    'retry_smaller_batch',
    runs.recovery_attempted,
    case when runs.recovery_attempted then false end,
    runs.status,
    runs.started_at,
    (runs.started_at at time zone 'UTC')::date,
    runs.error_code
from raw.runs as runs
where runs.status = 'failed';
-- A phase error a succeeded run recovered from, and one error the catalog does not know.
insert into marts.run_errors values
    ('e-j-1-6', 'j-1-6', 'upscale', 'CUDA out of memory', 'out_of_memory', 'catalog', 0.95,
     'sig-oom', true, 'retry_smaller_batch', true, true, 'succeeded',
     timestamptz '2026-09-02 11:50:00+00', date '2026-09-02', null),
    ('e-j-2-10-upload', 'j-2-10', 'upload', 'bucket frobnicated 42 times', 'unknown',
     'signature', 0.6, 'sig-0001', false, null, true, false, 'failed',
     timestamptz '2026-09-03 11:50:00+00', date '2026-09-03', 'E_OOM');
