-- Each message's masked form (what the grouping clusters on) and the version of the grouping
-- code and settings that produced its row. The grouping is a function of the set of masked
-- forms, so a refresh whose messages add or drop no masked form keeps every signature: it
-- inserts the new messages with the signature of their masked form and deletes the vanished
-- ones, instead of masking and mining every message again (failmap/errors/store.py). Rows
-- grouped before this migration have neither column: the next refresh regroups everything
-- and fills them in.
alter table raw.error_message_signatures
    add column masked_form text,
    add column grouping_version text;
comment on column raw.error_message_signatures.masked_form is
    'The message with its variable parts masked, as grouped (empty for a blank message).';
comment on column raw.error_message_signatures.grouping_version is
    'Hash of the grouping code and settings that grouped the row: another one means regroup.';
