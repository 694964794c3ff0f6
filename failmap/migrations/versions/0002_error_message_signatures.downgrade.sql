drop table if exists raw.error_message_signatures;
