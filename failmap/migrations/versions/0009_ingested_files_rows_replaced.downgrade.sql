alter table raw.ingested_files drop column rows_replaced;
