-- The PostgreSQL twin of sqlite/007_suppressions.sql: opt-outs per organization and phone,
-- set and cleared only by the recipient's keywords (or the carrier's 21610, or an operator),
-- surviving contact deletion.
CREATE TABLE suppressions (
    organization_id TEXT COLLATE "C" NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    phone TEXT COLLATE "C" NOT NULL,
    keyword TEXT COLLATE "C" NOT NULL,
    local_phone TEXT COLLATE "C",
    date_created TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (organization_id, phone)
);

CREATE TABLE suppression_clearings (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    organization_id TEXT COLLATE "C" NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    phone TEXT COLLATE "C" NOT NULL,
    keyword TEXT COLLATE "C" NOT NULL,
    local_phone TEXT COLLATE "C",
    date_suppressed TEXT COLLATE "C" NOT NULL,
    cleared_by TEXT NOT NULL,
    why TEXT NOT NULL,
    date_cleared TEXT COLLATE "C" NOT NULL
);
CREATE INDEX suppression_clearings_phone
    ON suppression_clearings(organization_id, phone, date_cleared);

INSERT INTO suppressions (organization_id, phone, keyword, local_phone, date_created)
    SELECT DISTINCT organization_id, phone, 'STOP', NULL::text,
           to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"+00:00"')
    FROM contact_phones WHERE outbound_sms_blocked
    ON CONFLICT DO NOTHING;
ALTER TABLE contact_phones DROP COLUMN outbound_sms_blocked;
