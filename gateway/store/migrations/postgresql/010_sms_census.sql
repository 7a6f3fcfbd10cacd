-- The counts behind /metrics' smslab_messages, kept on write: the PostgreSQL twin of
-- sqlite/010_sms_census.sql (the groups are stated there). Several processes write at once,
-- so instead of one hot row per group (every writer of a group queued on its lock, and two
-- statements moving rows between the same groups in opposite orders deadlocking) each change
-- appends a delta row; a scrape sums them per group, and `sms_census_compact()` (run by the
-- housekeeping task) folds them back into one row per group.

CREATE TABLE sms_census (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    direction TEXT COLLATE "C" NOT NULL,
    status TEXT COLLATE "C" NOT NULL,
    error_reason TEXT COLLATE "C" NOT NULL,
    prefix TEXT COLLATE "C" NOT NULL,
    sample TEXT COLLATE "C",
    n BIGINT NOT NULL
);

INSERT INTO sms_census (direction, status, error_reason, prefix, sample, n)
SELECT direction, status, COALESCE(error_reason, ''), COALESCE(substr(remote_phone, 1, 5), ''),
       MIN(remote_phone), COUNT(*)
FROM sms GROUP BY 1, 2, 3, 4;

CREATE FUNCTION sms_census_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        INSERT INTO sms_census (direction, status, error_reason, prefix, sample, n)
        VALUES (OLD.direction, OLD.status, COALESCE(OLD.error_reason, ''),
                COALESCE(substr(OLD.remote_phone, 1, 5), ''), OLD.remote_phone, -1);
    END IF;
    IF TG_OP IN ('UPDATE', 'INSERT') THEN
        INSERT INTO sms_census (direction, status, error_reason, prefix, sample, n)
        VALUES (NEW.direction, NEW.status, COALESCE(NEW.error_reason, ''),
                COALESCE(substr(NEW.remote_phone, 1, 5), ''), NEW.remote_phone, 1);
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER sms_census_rows AFTER INSERT OR DELETE ON sms FOR EACH ROW
EXECUTE FUNCTION sms_census_changed();

CREATE TRIGGER sms_census_update
AFTER UPDATE OF direction, status, error_reason, remote_phone ON sms FOR EACH ROW
WHEN (NEW.direction IS DISTINCT FROM OLD.direction OR NEW.status IS DISTINCT FROM OLD.status
      OR NEW.error_reason IS DISTINCT FROM OLD.error_reason
      OR substr(NEW.remote_phone, 1, 5) IS DISTINCT FROM substr(OLD.remote_phone, 1, 5))
EXECUTE FUNCTION sms_census_changed();

-- Fold the deltas into one row per group. Under READ COMMITTED the DELETE takes only rows
-- committed before it began; deltas written meanwhile stay for the next fold, and a concurrent
-- fold skips the rows this one deleted: the sums hold either way.
CREATE FUNCTION sms_census_compact() RETURNS void LANGUAGE sql AS $$
    WITH gone AS (DELETE FROM sms_census
                  RETURNING direction, status, error_reason, prefix, sample, n)
    INSERT INTO sms_census (direction, status, error_reason, prefix, sample, n)
    SELECT direction, status, error_reason, prefix, MIN(sample), SUM(n) FROM gone
    GROUP BY direction, status, error_reason, prefix HAVING SUM(n) <> 0;
$$;

-- The carrier_events purge (gateway/workers/housekeeping.py) walks the oldest first.
CREATE INDEX carrier_events_received ON carrier_events(received_at);
