-- The country that priced each message, written with the message: the PostgreSQL twin of
-- sqlite/011_sms_country.sql (the existing rows are filled by gateway/store/country_fill.py
-- in the same transaction).
ALTER TABLE sms ADD COLUMN country TEXT COLLATE "C";

-- usage: carrier traffic of an organization by the moment it was billed, covering what each
-- report groups and sums (an index-only scan once the table is vacuumed)
DROP INDEX sms_usage;
CREATE INDEX sms_usage ON sms(organization_id, (COALESCE(date_sent, date_created)))
    INCLUDE (direction, country, cost, segments, local_phone)
    WHERE carrier_sid IS NOT NULL;
