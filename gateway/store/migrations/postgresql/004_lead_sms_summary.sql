-- Each lead's latest outbound SMS, so that `latest_sms_status:X` (gateway/search/compile.py)
-- is one index range instead of a seek per failed SMS of the organization. The PostgreSQL twin
-- of sqlite/004_lead_sms_summary.sql: the same rules (stated there), kept by plpgsql triggers.
-- Several processes may write at once: the insert rule is one INSERT ... ON CONFLICT guarded by
-- the row it meets, the status rule one UPDATE guarded by the SMS id, so each is decided on
-- the summary row's latest committed version.

CREATE TABLE lead_sms_summary (
    organization_id TEXT COLLATE "C" NOT NULL,
    lead_id TEXT COLLATE "C" NOT NULL,
    latest_outbound_id TEXT COLLATE "C" NOT NULL,
    latest_outbound_created TEXT COLLATE "C" NOT NULL,
    latest_outbound_status TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (organization_id, lead_id)
);
-- latest_sms_status:X -> the organization's leads whose latest status is X (covering)
CREATE INDEX lead_sms_summary_status
    ON lead_sms_summary(organization_id, latest_outbound_status, lead_id);

-- The recomputation's "latest outbound SMS of this lead", one seek in the order of rule 2.
DROP INDEX sms_search_latest;
CREATE INDEX sms_lead_latest_outbound ON sms(lead_id, organization_id, date_created, id)
    WHERE direction = 'outbound';

-- Backfill: rule 2 for every (organization, lead) of rule 1.
INSERT INTO lead_sms_summary (organization_id, lead_id, latest_outbound_id,
                              latest_outbound_created, latest_outbound_status)
SELECT DISTINCT ON (organization_id, lead_id) organization_id, lead_id, id, date_created, status
FROM sms WHERE direction = 'outbound' AND lead_id IS NOT NULL
ORDER BY organization_id, lead_id, date_created DESC, id DESC;

-- Rule 2 from the sms table, for one lead.
CREATE FUNCTION lead_sms_summary_recompute(org TEXT, lead TEXT) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM lead_sms_summary WHERE organization_id = org AND lead_id = lead;
    INSERT INTO lead_sms_summary (organization_id, lead_id, latest_outbound_id,
                                  latest_outbound_created, latest_outbound_status)
    SELECT organization_id, lead_id, id, date_created, status FROM sms
    WHERE lead_id = lead AND organization_id = org AND direction = 'outbound'
    ORDER BY date_created DESC, id DESC LIMIT 1;
END $$;

CREATE FUNCTION lead_sms_summary_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO lead_sms_summary AS m (organization_id, lead_id, latest_outbound_id,
                                       latest_outbound_created, latest_outbound_status)
    VALUES (NEW.organization_id, NEW.lead_id, NEW.id, NEW.date_created, NEW.status)
    ON CONFLICT (organization_id, lead_id) DO UPDATE SET
        latest_outbound_id = excluded.latest_outbound_id,
        latest_outbound_created = excluded.latest_outbound_created,
        latest_outbound_status = excluded.latest_outbound_status
    WHERE (excluded.latest_outbound_created, excluded.latest_outbound_id)
          > (m.latest_outbound_created, m.latest_outbound_id);
    RETURN NULL;
END $$;

CREATE TRIGGER lead_sms_summary_insert AFTER INSERT ON sms FOR EACH ROW
WHEN (NEW.direction = 'outbound' AND NEW.lead_id IS NOT NULL)
EXECUTE FUNCTION lead_sms_summary_inserted();

CREATE FUNCTION lead_sms_summary_status_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE lead_sms_summary SET latest_outbound_status = NEW.status
    WHERE organization_id = NEW.organization_id AND lead_id = NEW.lead_id
      AND latest_outbound_id = NEW.id;
    RETURN NULL;
END $$;

CREATE TRIGGER lead_sms_summary_status AFTER UPDATE OF status ON sms FOR EACH ROW
WHEN (NEW.status IS DISTINCT FROM OLD.status AND NEW.direction = 'outbound'
      AND NEW.lead_id IS NOT NULL AND NEW.id = OLD.id
      AND NEW.organization_id = OLD.organization_id
      AND NEW.lead_id IS NOT DISTINCT FROM OLD.lead_id AND OLD.direction = 'outbound'
      AND NEW.date_created = OLD.date_created)
EXECUTE FUNCTION lead_sms_summary_status_changed();

CREATE FUNCTION lead_sms_summary_moved() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.lead_id IS NOT NULL THEN
        PERFORM lead_sms_summary_recompute(OLD.organization_id, OLD.lead_id);
    END IF;
    IF NEW.lead_id IS NOT NULL
       AND (NEW.organization_id, NEW.lead_id) IS DISTINCT FROM (OLD.organization_id, OLD.lead_id)
    THEN
        PERFORM lead_sms_summary_recompute(NEW.organization_id, NEW.lead_id);
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER lead_sms_summary_move
AFTER UPDATE OF organization_id, lead_id, direction, date_created, id ON sms FOR EACH ROW
WHEN (NEW.organization_id IS DISTINCT FROM OLD.organization_id
      OR NEW.lead_id IS DISTINCT FROM OLD.lead_id OR NEW.direction IS DISTINCT FROM OLD.direction
      OR NEW.date_created IS DISTINCT FROM OLD.date_created OR NEW.id IS DISTINCT FROM OLD.id)
EXECUTE FUNCTION lead_sms_summary_moved();

CREATE FUNCTION lead_sms_summary_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM lead_sms_summary WHERE organization_id = OLD.organization_id
               AND lead_id = OLD.lead_id AND latest_outbound_id = OLD.id) THEN
        PERFORM lead_sms_summary_recompute(OLD.organization_id, OLD.lead_id);
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER lead_sms_summary_delete AFTER DELETE ON sms FOR EACH ROW
WHEN (OLD.direction = 'outbound' AND OLD.lead_id IS NOT NULL)
EXECUTE FUNCTION lead_sms_summary_deleted();
