-- Each loaded file judged once, when it arrives, by each file-level quality rule; a warning
-- stays open until a person acknowledges it. (No percent signs in this file: the driver reads
-- them as placeholders.)
--   Written by the pipeline (the refresh's checks), acknowledged from the dashboard, the CLI or
--   the API: it lives in app, which the dashboard role may read and update.
create table app.file_judgements (
    file_id bigint not null,
    rule text not null,
    file_name text not null,
    file_kind text not null,
    rows_in_file bigint not null,
    rows_quarantined bigint not null,
    max_quarantined_share double precision not null,
    is_warning boolean not null,
    judged_at timestamptz not null default now(),
    acknowledged_at timestamptz,
    acknowledged_by text check (length(acknowledged_by) between 1 and 200),
    acknowledgement_note text check (length(acknowledgement_note) <= 2000),
    primary key (file_id, rule),
    check ((acknowledged_at is null) = (acknowledged_by is null))
);
create index file_judgements_open_idx on app.file_judgements (file_kind)
    where is_warning and acknowledged_at is null;
comment on table app.file_judgements is
    'One row per loaded file (raw.ingested_files.file_id) and file-level quality rule: the '
    'verdict given once when the file arrived. A warning never blocks the marts; it stays open '
    'until acknowledged.';

do $grants$
begin
    if exists (select from pg_roles where rolname = 'failmap_pipeline') then
        grant select, insert on app.file_judgements to failmap_pipeline;
    end if;
    if exists (select from pg_roles where rolname = 'failmap_dashboard') then
        -- Default privileges of app gave it insert and delete too: it only acknowledges.
        revoke insert, delete, truncate on app.file_judgements from failmap_dashboard;
        grant select, update on app.file_judgements to failmap_dashboard;
    end if;
exception
    when insufficient_privilege then
        raise notice using message = 'failmap: ' || current_user
            || ' may not grant on app.file_judgements: ' || sqlerrm;
end
$grants$;
