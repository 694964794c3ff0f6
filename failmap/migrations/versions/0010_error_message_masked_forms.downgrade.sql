alter table raw.error_message_signatures
    drop column grouping_version,
    drop column masked_form;
