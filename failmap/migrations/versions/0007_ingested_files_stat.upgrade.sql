-- Where a ledgered file was last read in the inbox and its modification time then (size_bytes
-- already holds its size). Each refresh used to read every inbox file whole to find its hash in
-- the ledger; a file whose path, size and modification time (ns) all match its ledger row is now
-- skipped without reading it (failmap/ingest/loader.py). A changed file, or one touched since,
-- is hashed as before; when its content is ledgered already its stat is recorded here again.
-- Rows ledgered before this migration have neither: their files are hashed once more, then
-- recorded.
alter table raw.ingested_files
    add column inbox_path text,
    add column mtime_ns bigint;
create index ingested_files_inbox_path_idx on raw.ingested_files (inbox_path);
comment on column raw.ingested_files.inbox_path is
    'Absolute path of the file with this content when it was last read (null: never recorded).';
comment on column raw.ingested_files.mtime_ns is
    'Modification time (ns since the epoch) of inbox_path when it was last read.';
