-- The counts behind /metrics' smslab_messages, kept on write so that a scrape reads a few
-- hundred rows instead of grouping the whole sms table (about 170 ms at 1 M rows on the one
-- reader thread, every API read waiting behind it).
--
-- One row per (direction, status, error_reason, prefix): prefix is the remote phone's first
-- five characters ('+' and four digits: enough to tell its country, as the old GROUP BY did),
-- '' for none, as error_reason is '' for none; `sample` is one remote phone of the group, from
-- which the gateway names the country. Kept by triggers on sms, whoever writes; a group
-- emptied by updates keeps its row at n = 0 (the read skips it). Writers must not use INSERT
-- OR REPLACE on sms (its deletion fires no trigger; see 004).

CREATE TABLE sms_census (
    direction TEXT NOT NULL,
    status TEXT NOT NULL,
    error_reason TEXT NOT NULL,
    prefix TEXT NOT NULL,
    sample TEXT,
    n INTEGER NOT NULL,
    PRIMARY KEY (direction, status, error_reason, prefix)
) WITHOUT ROWID;

INSERT INTO sms_census (direction, status, error_reason, prefix, sample, n)
SELECT direction, status, COALESCE(error_reason, ''), COALESCE(substr(remote_phone, 1, 5), ''),
       MIN(remote_phone), COUNT(*)
FROM sms GROUP BY 1, 2, 3, 4;

CREATE TRIGGER sms_census_insert AFTER INSERT ON sms
BEGIN
    INSERT INTO sms_census (direction, status, error_reason, prefix, sample, n)
    VALUES (NEW.direction, NEW.status, COALESCE(NEW.error_reason, ''),
            COALESCE(substr(NEW.remote_phone, 1, 5), ''), NEW.remote_phone, 1)
    ON CONFLICT (direction, status, error_reason, prefix) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER sms_census_update AFTER UPDATE OF direction, status, error_reason, remote_phone
ON sms
WHEN NEW.direction IS NOT OLD.direction OR NEW.status IS NOT OLD.status
     OR NEW.error_reason IS NOT OLD.error_reason
     OR substr(NEW.remote_phone, 1, 5) IS NOT substr(OLD.remote_phone, 1, 5)
BEGIN
    UPDATE sms_census SET n = n - 1
    WHERE direction = OLD.direction AND status = OLD.status
      AND error_reason = COALESCE(OLD.error_reason, '')
      AND prefix = COALESCE(substr(OLD.remote_phone, 1, 5), '');
    INSERT INTO sms_census (direction, status, error_reason, prefix, sample, n)
    VALUES (NEW.direction, NEW.status, COALESCE(NEW.error_reason, ''),
            COALESCE(substr(NEW.remote_phone, 1, 5), ''), NEW.remote_phone, 1)
    ON CONFLICT (direction, status, error_reason, prefix) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER sms_census_delete AFTER DELETE ON sms
BEGIN
    UPDATE sms_census SET n = n - 1
    WHERE direction = OLD.direction AND status = OLD.status
      AND error_reason = COALESCE(OLD.error_reason, '')
      AND prefix = COALESCE(substr(OLD.remote_phone, 1, 5), '');
END;

-- The carrier_events purge (gateway/workers/housekeeping.py) walks the oldest first.
CREATE INDEX carrier_events_received ON carrier_events(received_at);
