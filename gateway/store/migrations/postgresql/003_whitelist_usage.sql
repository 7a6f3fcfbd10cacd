-- Spam whitelist requests (gateway/core/whitelist.py) and the indexes behind usage reports and the
-- phone numbers' spam counts. The PostgreSQL twin of sqlite/003_whitelist_usage.sql.

CREATE TABLE sms_whitelist_requests (
    id TEXT COLLATE "C" PRIMARY KEY,
    seq BIGINT GENERATED ALWAYS AS IDENTITY,
    organization_id TEXT COLLATE "C" NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    phone_number_id TEXT COLLATE "C" NOT NULL REFERENCES phone_numbers(id) ON DELETE CASCADE,
    phone_number TEXT COLLATE "C" NOT NULL,
    website TEXT NOT NULL,
    content_type TEXT NOT NULL,
    examples TEXT NOT NULL,          -- JSON list of texts
    opted_in BOOLEAN NOT NULL,
    relationship TEXT NOT NULL,
    status TEXT COLLATE "C" NOT NULL, -- submitted | approved | rejected
    reason TEXT,
    carrier_sid TEXT COLLATE "C",    -- WL..., once the carrier answered the submission
    date_created TEXT COLLATE "C" NOT NULL,
    date_updated TEXT COLLATE "C" NOT NULL,
    date_decided TEXT COLLATE "C"
);
CREATE INDEX sms_whitelist_requests_org ON sms_whitelist_requests(organization_id, date_created);
-- one open request per number, even when two arrive at once
CREATE UNIQUE INDEX sms_whitelist_requests_open ON sms_whitelist_requests(phone_number_id)
    WHERE status = 'submitted';
-- not unique: a carrier (the simulator after a reset) may reuse a sid
CREATE INDEX sms_whitelist_requests_carrier ON sms_whitelist_requests(carrier_sid)
    WHERE carrier_sid IS NOT NULL;

-- spam_flagged_count of a phone number: its SMS the carrier flagged as spam
CREATE INDEX sms_spam_flagged ON sms(organization_id, local_phone) WHERE error_reason = 'spam';

-- usage: carrier traffic of an organization by the moment it was billed (accepted or received)
CREATE INDEX sms_usage ON sms(organization_id, (COALESCE(date_sent, date_created)))
    WHERE carrier_sid IS NOT NULL;
