-- The PostgreSQL twin of sqlite/013_lead_counts_inbound_failed.sql (the reasons and the rules
-- are stated there): the per-lead count also keeps the inbound and the failed SMS, by the
-- plpgsql function of 012, each change still one statement on the lead's row.
ALTER TABLE lead_sms_count ADD COLUMN inbound BIGINT NOT NULL DEFAULT 0,
    ADD COLUMN failed BIGINT NOT NULL DEFAULT 0;

UPDATE lead_sms_count AS c SET inbound = t.inbound, failed = t.failed
FROM (
    SELECT organization_id, lead_id, count(*) FILTER (WHERE direction = 'inbound') AS inbound,
           count(*) FILTER (WHERE status = 'error') AS failed
    FROM sms WHERE lead_id IS NOT NULL GROUP BY organization_id, lead_id
) AS t
WHERE c.organization_id = t.organization_id AND c.lead_id = t.lead_id;

CREATE OR REPLACE FUNCTION lead_sms_count_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND NEW.lead_id IS NOT NULL
       AND NEW.organization_id = OLD.organization_id AND NEW.lead_id = OLD.lead_id THEN
        -- the same row: only the direction or status moved between its counts
        UPDATE lead_sms_count
        SET inbound = inbound + (NEW.direction = 'inbound')::int - (OLD.direction = 'inbound')::int,
            failed = failed + (NEW.status = 'error')::int - (OLD.status = 'error')::int
        WHERE organization_id = NEW.organization_id AND lead_id = NEW.lead_id;
        RETURN NULL;
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.lead_id IS NOT NULL THEN
        UPDATE lead_sms_count SET messages = messages - 1,
            inbound = inbound - (OLD.direction = 'inbound')::int,
            failed = failed - (OLD.status = 'error')::int
        WHERE organization_id = OLD.organization_id AND lead_id = OLD.lead_id;
        DELETE FROM lead_sms_count
        WHERE organization_id = OLD.organization_id AND lead_id = OLD.lead_id
          AND messages <= 0;
    END IF;
    IF TG_OP IN ('UPDATE', 'INSERT') AND NEW.lead_id IS NOT NULL THEN
        INSERT INTO lead_sms_count AS c (organization_id, lead_id, messages, inbound, failed)
        VALUES (NEW.organization_id, NEW.lead_id, 1, (NEW.direction = 'inbound')::int,
                (NEW.status = 'error')::int)
        ON CONFLICT (organization_id, lead_id) DO UPDATE SET messages = c.messages + 1,
            inbound = c.inbound + excluded.inbound, failed = c.failed + excluded.failed;
    END IF;
    RETURN NULL;
END $$;

DROP TRIGGER lead_sms_count_move ON sms;
CREATE TRIGGER lead_sms_count_move AFTER UPDATE OF organization_id, lead_id, direction, status
ON sms FOR EACH ROW
WHEN (NEW.organization_id IS DISTINCT FROM OLD.organization_id
      OR NEW.lead_id IS DISTINCT FROM OLD.lead_id
      OR (NEW.direction = 'inbound') IS DISTINCT FROM (OLD.direction = 'inbound')
      OR (NEW.status = 'error') IS DISTINCT FROM (OLD.status = 'error'))
EXECUTE FUNCTION lead_sms_count_changed();
