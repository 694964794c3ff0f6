-- Rows that broke the input contract, as the app shows them: where, what, and why.
with quarantine as (
    select * from {{ ref('stg_raw__quarantine') }}
),

final as (
    select
        quarantine.quarantine_id,
        quarantine.file_id,
        quarantine.file_name,
        quarantine.line_number,
        quarantine.raw_row,
        quarantine.reason,
        quarantine.quarantined_at
    from quarantine
)

select * from final
