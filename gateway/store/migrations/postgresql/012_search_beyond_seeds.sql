-- Lead search beyond the four seed queries: the PostgreSQL twin of
-- sqlite/012_search_beyond_seeds.sql (the indexes' reasons and the count's rules are stated
-- there), the count kept by plpgsql triggers. Each change is one INSERT ... ON CONFLICT or
-- UPDATE of the lead's row, decided on its latest committed version, so several processes may
-- write at once (writers of one lead queue on its row, as 004's summary does).

CREATE INDEX sms_search_inbound ON sms(organization_id, direction, lead_id)
    WHERE direction = 'inbound';

CREATE INDEX sms_search_error ON sms(organization_id, error_reason, date_created, lead_id)
    WHERE error_reason IS NOT NULL;

-- The search's walk of the organization's leads, from the index alone (the id and seq, its
-- tie-break, in every entry), as the lead list's order.
DROP INDEX leads_org;
CREATE INDEX leads_org ON leads(organization_id, date_created, seq) INCLUDE (id);

CREATE TABLE lead_sms_count (
    organization_id TEXT COLLATE "C" NOT NULL,
    lead_id TEXT COLLATE "C" NOT NULL,
    messages BIGINT NOT NULL,
    PRIMARY KEY (organization_id, lead_id)
);

INSERT INTO lead_sms_count (organization_id, lead_id, messages)
SELECT organization_id, lead_id, count(*) FROM sms WHERE lead_id IS NOT NULL
GROUP BY organization_id, lead_id;

CREATE FUNCTION lead_sms_count_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.lead_id IS NOT NULL THEN
        UPDATE lead_sms_count SET messages = messages - 1
        WHERE organization_id = OLD.organization_id AND lead_id = OLD.lead_id;
        DELETE FROM lead_sms_count
        WHERE organization_id = OLD.organization_id AND lead_id = OLD.lead_id
          AND messages <= 0;
    END IF;
    IF TG_OP IN ('UPDATE', 'INSERT') AND NEW.lead_id IS NOT NULL THEN
        INSERT INTO lead_sms_count AS c (organization_id, lead_id, messages)
        VALUES (NEW.organization_id, NEW.lead_id, 1)
        ON CONFLICT (organization_id, lead_id) DO UPDATE SET messages = c.messages + 1;
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER lead_sms_count_insert AFTER INSERT ON sms FOR EACH ROW
WHEN (NEW.lead_id IS NOT NULL)
EXECUTE FUNCTION lead_sms_count_changed();

CREATE TRIGGER lead_sms_count_delete AFTER DELETE ON sms FOR EACH ROW
WHEN (OLD.lead_id IS NOT NULL)
EXECUTE FUNCTION lead_sms_count_changed();

CREATE TRIGGER lead_sms_count_move AFTER UPDATE OF organization_id, lead_id ON sms FOR EACH ROW
WHEN (NEW.organization_id IS DISTINCT FROM OLD.organization_id
      OR NEW.lead_id IS DISTINCT FROM OLD.lead_id)
EXECUTE FUNCTION lead_sms_count_changed();
