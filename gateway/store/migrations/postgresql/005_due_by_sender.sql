-- The dispatcher's round reads, per sending number, its oldest due messages: with this index
-- that is a few seeks per number instead of a window over every due message (as in
-- sqlite/005_due_by_sender.sql).
CREATE INDEX sms_due_sender ON sms(local_phone, due_at) WHERE due_at IS NOT NULL;
