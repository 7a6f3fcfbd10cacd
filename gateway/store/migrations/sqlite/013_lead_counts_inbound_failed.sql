-- has:inbound_sms, has:error_sms_messages and failed_sms <op> N listed the lead of every
-- inbound or failed SMS of the organization (80,000 index entries at 1 M SMS, into a temporary
-- list); they read migration 012's per-lead count instead, which now also keeps how many of
-- the lead's SMS are inbound and how many failed. Measured with
-- tests/gateway/search/bench_search.py; the write cost with bench_search_writes.py.
-- The rules of 012 (one row per organization and lead with some SMS; writers must not use
-- INSERT OR REPLACE on sms), and:
-- 4. inbound is the number of those SMS whose direction is 'inbound'.
-- 5. failed is the number of those SMS whose status is 'error'.
-- 6. An update of direction or status that changes either test moves the SMS between the
--    counts of its row (or, with organization_id or lead_id changed, between rows).
ALTER TABLE lead_sms_count ADD COLUMN inbound INTEGER NOT NULL DEFAULT 0;
ALTER TABLE lead_sms_count ADD COLUMN failed INTEGER NOT NULL DEFAULT 0;

UPDATE lead_sms_count AS c SET inbound = t.inbound, failed = t.failed
FROM (
    SELECT organization_id, lead_id, sum(direction = 'inbound') AS inbound,
           sum(status = 'error') AS failed
    FROM sms WHERE lead_id IS NOT NULL GROUP BY organization_id, lead_id
) AS t
WHERE c.organization_id = t.organization_id AND c.lead_id = t.lead_id;

DROP TRIGGER lead_sms_count_insert;
DROP TRIGGER lead_sms_count_delete;
DROP TRIGGER lead_sms_count_move;

CREATE TRIGGER lead_sms_count_insert AFTER INSERT ON sms
WHEN NEW.lead_id IS NOT NULL
BEGIN
    INSERT INTO lead_sms_count (organization_id, lead_id, messages, inbound, failed)
    VALUES (NEW.organization_id, NEW.lead_id, 1, NEW.direction = 'inbound',
            NEW.status = 'error')
    ON CONFLICT (organization_id, lead_id) DO UPDATE SET messages = messages + 1,
        inbound = inbound + excluded.inbound, failed = failed + excluded.failed;
END;

CREATE TRIGGER lead_sms_count_delete AFTER DELETE ON sms
WHEN OLD.lead_id IS NOT NULL
BEGIN
    UPDATE lead_sms_count SET messages = messages - 1,
        inbound = inbound - (OLD.direction = 'inbound'), failed = failed - (OLD.status = 'error')
    WHERE organization_id = OLD.organization_id AND lead_id = OLD.lead_id;
    DELETE FROM lead_sms_count
    WHERE organization_id = OLD.organization_id AND lead_id = OLD.lead_id AND messages <= 0;
END;

CREATE TRIGGER lead_sms_count_move AFTER UPDATE OF organization_id, lead_id ON sms
WHEN NEW.organization_id IS NOT OLD.organization_id OR NEW.lead_id IS NOT OLD.lead_id
BEGIN
    UPDATE lead_sms_count SET messages = messages - 1,
        inbound = inbound - (OLD.direction = 'inbound'), failed = failed - (OLD.status = 'error')
    WHERE organization_id = OLD.organization_id AND lead_id = OLD.lead_id;
    DELETE FROM lead_sms_count
    WHERE organization_id = OLD.organization_id AND lead_id = OLD.lead_id AND messages <= 0;
    INSERT INTO lead_sms_count (organization_id, lead_id, messages, inbound, failed)
    SELECT NEW.organization_id, NEW.lead_id, 1, NEW.direction = 'inbound', NEW.status = 'error'
    WHERE NEW.lead_id IS NOT NULL
    ON CONFLICT (organization_id, lead_id) DO UPDATE SET messages = messages + 1,
        inbound = inbound + excluded.inbound, failed = failed + excluded.failed;
END;

-- The same SMS changing direction or status (a send failing, every status update asks the
-- WHEN): one update of its row's counts.
CREATE TRIGGER lead_sms_count_status AFTER UPDATE OF direction, status ON sms
WHEN NEW.lead_id IS NOT NULL AND NEW.lead_id IS OLD.lead_id
     AND NEW.organization_id IS OLD.organization_id
     AND ((NEW.direction = 'inbound') IS NOT (OLD.direction = 'inbound')
          OR (NEW.status = 'error') IS NOT (OLD.status = 'error'))
BEGIN
    UPDATE lead_sms_count
    SET inbound = inbound + (NEW.direction = 'inbound') - (OLD.direction = 'inbound'),
        failed = failed + (NEW.status = 'error') - (OLD.status = 'error')
    WHERE organization_id = NEW.organization_id AND lead_id = NEW.lead_id;
END;
