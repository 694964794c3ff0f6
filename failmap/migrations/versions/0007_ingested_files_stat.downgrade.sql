drop index raw.ingested_files_inbox_path_idx;
alter table raw.ingested_files
    drop column inbox_path,
    drop column mtime_ns;
