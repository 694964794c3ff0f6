-- How many rows of each loaded file replaced a row an earlier file had loaded (same id, latest
-- wins). A re-delivered check can move to another segment, and the segment model then has to
-- compare every segment with the checks; it used to find out by counting every check of the
-- history at each build (about 1 s at 5.1M rows). It now asks the ledger whether a file loaded
-- since its last build replaced anything. Files ledgered before this migration have null:
-- unknown, treated as "may have".
alter table raw.ingested_files add column rows_replaced bigint;
comment on column raw.ingested_files.rows_replaced is
    'Loaded rows whose id an earlier file had loaded: each replaced that row (null: not counted).';
