{#- True when a file of `file_kind` loaded after `since` replaced rows an earlier file had
    loaded (`rows_replaced`, counted at ingest), or was loaded before that count was kept. Only
    then can a built row have lost a check or a run, or moved to another day, without a row
    loaded since pointing at it, and an incremental model must compare everything it built. The
    model names `stg_raw__ingested_files` in a `depends_on` comment: its incremental branch is
    not rendered when dbt parses it. -#}
{% macro rows_replaced_since(file_kind, since) -%}
    exists (
        select
        from {{ ref('stg_raw__ingested_files') }} as files
        where
            files.file_kind = '{{ file_kind }}'
            and files.status = 'loaded'
            and files.loaded_at > {{ since }}
            and coalesce(files.rows_replaced, 1) > 0
    )
{%- endmacro %}
