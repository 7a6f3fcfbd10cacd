-- Each lead's latest outbound SMS, so that `latest_sms_status:X` (gateway/search/compile.py)
-- is one index range instead of a seek per failed SMS of the organization.
--
-- The rules (a PostgreSQL port keeps exactly these; gateway/search/evaluate.py states them too):
-- 1. One row per (organization_id, lead_id) having at least one SMS with direction 'outbound'
--    and that organization_id and lead_id; no row otherwise. SMS without a lead are not counted.
-- 2. The row names the latest of those SMS: the greatest date_created and, among SMS sharing
--    it, the greatest id, ids compared as plain bytes (PostgreSQL: COLLATE "C", as ids mix
--    cases); latest_outbound_status is that SMS's status.
-- 3. Kept by triggers on sms, so it holds whoever writes (API, dispatcher, carrier intake, lead
--    deletion, hand-made UPDATEs):
--    - an inserted outbound SMS with a lead replaces the row if it is later (or makes the row);
--    - an update that changes only the status copies it if that SMS is the row's;
--    - a deletion, or an update of organization_id, lead_id, direction, date_created or id,
--      recomputes the row of the SMS's old and of its new lead from the sms table.
--    Writers must not use INSERT OR REPLACE on sms: the row it deletes fires no delete trigger
--    (SQLite does that only with recursive_triggers on).

CREATE TABLE lead_sms_summary (
    organization_id TEXT NOT NULL,
    lead_id TEXT NOT NULL,
    latest_outbound_id TEXT NOT NULL,
    latest_outbound_created TEXT NOT NULL,
    latest_outbound_status TEXT NOT NULL,
    PRIMARY KEY (organization_id, lead_id)
);
-- latest_sms_status:X -> the organization's leads whose latest status is X (covering)
CREATE INDEX lead_sms_summary_status
    ON lead_sms_summary(organization_id, latest_outbound_status, lead_id);

-- The recomputation's "latest outbound SMS of this lead", one seek in the order of rule 2.
-- It replaces 002's sms_search_latest, which only the old latest_sms_status query used.
DROP INDEX sms_search_latest;
CREATE INDEX sms_lead_latest_outbound ON sms(lead_id, organization_id, date_created, id)
    WHERE direction = 'outbound';

-- Backfill: rule 2 for every (organization, lead) of rule 1.
INSERT INTO lead_sms_summary (organization_id, lead_id, latest_outbound_id,
                              latest_outbound_created, latest_outbound_status)
SELECT organization_id, lead_id, id, date_created, status FROM (
    SELECT organization_id, lead_id, id, date_created, status,
           row_number() OVER (PARTITION BY organization_id, lead_id
                              ORDER BY date_created DESC, id DESC) AS nth
    FROM sms WHERE direction = 'outbound' AND lead_id IS NOT NULL
) WHERE nth = 1;

CREATE TRIGGER lead_sms_summary_insert AFTER INSERT ON sms
WHEN NEW.direction = 'outbound' AND NEW.lead_id IS NOT NULL
BEGIN
    INSERT INTO lead_sms_summary (organization_id, lead_id, latest_outbound_id,
                                  latest_outbound_created, latest_outbound_status)
    VALUES (NEW.organization_id, NEW.lead_id, NEW.id, NEW.date_created, NEW.status)
    ON CONFLICT (organization_id, lead_id) DO UPDATE SET
        latest_outbound_id = excluded.latest_outbound_id,
        latest_outbound_created = excluded.latest_outbound_created,
        latest_outbound_status = excluded.latest_outbound_status
    WHERE (excluded.latest_outbound_created, excluded.latest_outbound_id)
          > (latest_outbound_created, latest_outbound_id);
END;

CREATE TRIGGER lead_sms_summary_status AFTER UPDATE OF status ON sms
WHEN NEW.status IS NOT OLD.status AND NEW.direction = 'outbound' AND NEW.lead_id IS NOT NULL
     AND NEW.id = OLD.id AND NEW.organization_id = OLD.organization_id
     AND NEW.lead_id IS OLD.lead_id AND OLD.direction = 'outbound'
     AND NEW.date_created = OLD.date_created
BEGIN
    UPDATE lead_sms_summary SET latest_outbound_status = NEW.status
    WHERE organization_id = NEW.organization_id AND lead_id = NEW.lead_id
      AND latest_outbound_id = NEW.id;
END;

CREATE TRIGGER lead_sms_summary_move
AFTER UPDATE OF organization_id, lead_id, direction, date_created, id ON sms
WHEN NEW.organization_id IS NOT OLD.organization_id OR NEW.lead_id IS NOT OLD.lead_id
     OR NEW.direction IS NOT OLD.direction OR NEW.date_created IS NOT OLD.date_created
     OR NEW.id IS NOT OLD.id
BEGIN
    DELETE FROM lead_sms_summary
    WHERE (organization_id = OLD.organization_id AND lead_id = OLD.lead_id)
       OR (organization_id = NEW.organization_id AND lead_id = NEW.lead_id);
    INSERT INTO lead_sms_summary (organization_id, lead_id, latest_outbound_id,
                                  latest_outbound_created, latest_outbound_status)
    SELECT organization_id, lead_id, id, date_created, status FROM (
        SELECT * FROM (SELECT organization_id, lead_id, id, date_created, status FROM sms
                       WHERE lead_id = OLD.lead_id AND organization_id = OLD.organization_id
                         AND direction = 'outbound'
                       ORDER BY date_created DESC, id DESC LIMIT 1)
        UNION
        SELECT * FROM (SELECT organization_id, lead_id, id, date_created, status FROM sms
                       WHERE lead_id = NEW.lead_id AND organization_id = NEW.organization_id
                         AND direction = 'outbound'
                       ORDER BY date_created DESC, id DESC LIMIT 1)
    );
END;

CREATE TRIGGER lead_sms_summary_delete AFTER DELETE ON sms
WHEN OLD.direction = 'outbound' AND OLD.lead_id IS NOT NULL
BEGIN
    DELETE FROM lead_sms_summary
    WHERE organization_id = OLD.organization_id AND lead_id = OLD.lead_id
      AND latest_outbound_id = OLD.id;
    INSERT INTO lead_sms_summary (organization_id, lead_id, latest_outbound_id,
                                  latest_outbound_created, latest_outbound_status)
    SELECT organization_id, lead_id, id, date_created, status FROM sms
    WHERE lead_id = OLD.lead_id AND organization_id = OLD.organization_id
      AND direction = 'outbound'
      AND NOT EXISTS (SELECT 1 FROM lead_sms_summary
                      WHERE organization_id = OLD.organization_id AND lead_id = OLD.lead_id)
    ORDER BY date_created DESC, id DESC LIMIT 1;
END;
