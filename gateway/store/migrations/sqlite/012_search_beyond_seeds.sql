-- Lead search beyond the four seed queries (gateway/search/compile.py), each measured at 1 M SMS
-- with tests/gateway/search/bench_search.py; the write cost with
-- tests/gateway/search/bench_search_writes.py. Partial indexes where the question is about a
-- few SMS, so that the others pay nothing on write.

-- has:inbound_sms walked 002's sms_search_lead through every SMS of the organization. Only
-- inbound SMS are indexed; direction is a column (constant here) so that the query's
-- `s.direction = 'inbound'` is an equality on it and SQLite, without statistics, picks this
-- index over sms_search_lead.
CREATE INDEX sms_search_inbound ON sms(organization_id, direction, lead_id)
    WHERE direction = 'inbound';

-- sms(error:X ...), with or without a created range: the SMS with that reason (and their
-- time), covering, instead of every SMS of the range from sms_org. Only SMS with a reason.
CREATE INDEX sms_search_error ON sms(organization_id, error_reason, date_created, lead_id)
    WHERE error_reason IS NOT NULL;

-- sms_messages <op> N grouped every SMS of the organization by lead (the whole of
-- sms_search_lead); this keeps the count per lead instead.
-- The rules (the PostgreSQL port keeps exactly these):
-- 1. One row per (organization_id, lead_id) having at least one SMS with that organization_id
--    and lead_id; no row otherwise (SMS without a lead are not counted).
-- 2. messages is the number of those SMS.
-- 3. Kept by triggers on sms, whoever writes: an insert adds one, a deletion takes one away
--    (and the row at 0), an update of organization_id or lead_id does both. Writers must not
--    use INSERT OR REPLACE on sms (its deletion fires no trigger; see 004).
CREATE TABLE lead_sms_count (
    organization_id TEXT NOT NULL,
    lead_id TEXT NOT NULL,
    messages INTEGER NOT NULL,
    PRIMARY KEY (organization_id, lead_id)
) WITHOUT ROWID;

INSERT INTO lead_sms_count (organization_id, lead_id, messages)
SELECT organization_id, lead_id, count(*) FROM sms WHERE lead_id IS NOT NULL
GROUP BY organization_id, lead_id;

CREATE TRIGGER lead_sms_count_insert AFTER INSERT ON sms
WHEN NEW.lead_id IS NOT NULL
BEGIN
    INSERT INTO lead_sms_count (organization_id, lead_id, messages)
    VALUES (NEW.organization_id, NEW.lead_id, 1)
    ON CONFLICT (organization_id, lead_id) DO UPDATE SET messages = messages + 1;
END;

CREATE TRIGGER lead_sms_count_delete AFTER DELETE ON sms
WHEN OLD.lead_id IS NOT NULL
BEGIN
    UPDATE lead_sms_count SET messages = messages - 1
    WHERE organization_id = OLD.organization_id AND lead_id = OLD.lead_id;
    DELETE FROM lead_sms_count
    WHERE organization_id = OLD.organization_id AND lead_id = OLD.lead_id AND messages <= 0;
END;

CREATE TRIGGER lead_sms_count_move AFTER UPDATE OF organization_id, lead_id ON sms
WHEN NEW.organization_id IS NOT OLD.organization_id OR NEW.lead_id IS NOT OLD.lead_id
BEGIN
    UPDATE lead_sms_count SET messages = messages - 1
    WHERE organization_id = OLD.organization_id AND lead_id = OLD.lead_id;
    DELETE FROM lead_sms_count
    WHERE organization_id = OLD.organization_id AND lead_id = OLD.lead_id AND messages <= 0;
    INSERT INTO lead_sms_count (organization_id, lead_id, messages)
    SELECT NEW.organization_id, NEW.lead_id, 1 WHERE NEW.lead_id IS NOT NULL
    ON CONFLICT (organization_id, lead_id) DO UPDATE SET messages = messages + 1;
END;

-- A query that no candidate ids drive (not ..., name:x, *, a or b) walks the organization's
-- leads through 001's leads_org, which lacked the id: a table seek per lead (100,000 for
-- `not failed_sms > 0`). With it the walk is the index alone (rowid, the tie-break, is in every
-- entry); the lead list's ORDER BY date_created, rowid still reads it in order, sorting only
-- leads created in the same microsecond.
DROP INDEX leads_org;
CREATE INDEX leads_org ON leads(organization_id, date_created, id);
