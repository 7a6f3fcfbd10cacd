-- The country that priced each message (gateway.pricing.priced_country: the recipient's for
-- outbound, our number's for inbound), written with the message (gateway/store/rows.py), so
-- that usage reports group by country in SQL instead of looking up every distinct phone.
-- SQL knows no phone metadata: the existing rows are filled right after this script, in the
-- same transaction, by gateway/store/country_fill.py (migrate.py runs it for version 11).
ALTER TABLE sms ADD COLUMN country TEXT;

-- usage: carrier traffic of an organization by the moment it was billed, with what each
-- report groups and sums, so that a report reads the index alone (covering), not the table.
DROP INDEX sms_usage;
CREATE INDEX sms_usage ON sms(organization_id, COALESCE(date_sent, date_created), direction,
                              country, cost, segments, local_phone)
    WHERE carrier_sid IS NOT NULL;
