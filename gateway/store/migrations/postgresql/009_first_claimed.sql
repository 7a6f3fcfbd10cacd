-- When a dispatcher first claimed the message to send it. Set, the create may have reached the
-- carrier (the answer may have been lost to a timeout, a reset, a 5xx or a crash), so at a
-- carrier that ignores Idempotency-Key the message is looked up there before it is sent again.
ALTER TABLE sms ADD COLUMN first_claimed_at TEXT COLLATE "C";
