-- The run error messages not stored yet (message_md5 is null) and the stored messages no run
-- has any more (message is null), with the masked form stored for them. failmap/errors/store.py
-- runs this with run_error_messages.sql as the CTE run_messages in front.
select
    run_messages.message,
    stored.message_md5,
    stored.masked_form
from run_messages
full join raw.error_message_signatures as stored
    on md5(run_messages.message) = stored.message_md5
where run_messages.message is null or stored.message_md5 is null
