-- Opt-outs belong to the recipient, not to a contact: one row per organization and phone,
-- written only by the recipient's keywords (or the carrier's 21610), so deleting a contact or
-- editing its phones cannot forget one. `keyword` is the word the recipient sent (STOP,
-- UNSUBSCRIBE, ...) or '21610' when the carrier refused a send to a phone it had opted out;
-- `local_phone` is our number it was sent to.
CREATE TABLE suppressions (
    organization_id TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    phone TEXT NOT NULL,
    keyword TEXT NOT NULL,
    local_phone TEXT,
    date_created TEXT NOT NULL,
    PRIMARY KEY (organization_id, phone)
);

-- Every suppression that ended, and who ended it: the recipient's opt-in keyword
-- (cleared_by 'recipient', why = the word) or an operator (`sms-gateway opt-out clear`).
CREATE TABLE suppression_clearings (
    id INTEGER PRIMARY KEY,
    organization_id TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    phone TEXT NOT NULL,
    keyword TEXT NOT NULL,
    local_phone TEXT,
    date_suppressed TEXT NOT NULL,
    cleared_by TEXT NOT NULL,
    why TEXT NOT NULL,
    date_cleared TEXT NOT NULL
);
CREATE INDEX suppression_clearings_phone
    ON suppression_clearings(organization_id, phone, date_cleared);

-- What contacts said so far moves to the list (the word they used was not kept).
INSERT OR IGNORE INTO suppressions (organization_id, phone, keyword, local_phone, date_created)
    SELECT organization_id, phone, 'STOP', NULL, strftime('%Y-%m-%dT%H:%M:%f000+00:00', 'now')
    FROM contact_phones WHERE outbound_sms_blocked = 1;
ALTER TABLE contact_phones DROP COLUMN outbound_sms_blocked;
