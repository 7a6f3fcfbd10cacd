-- The country that priced each message (gateway.core.pricing.priced_country: the recipient's for
-- outbound, our number's for inbound), written with the message (gateway/store/rows.py), so
-- that usage reports group by country in SQL instead of looking up every distinct phone.
-- SQL knows no phone metadata: the existing rows are filled right after this script, in the
-- same transaction, by gateway/store/country_fill.py (migrate.py runs it for version 11).
-- Reports find their rows with 003's sms_usage index (organization, billing moment); one
-- covering the grouped columns too measured no faster (the GROUP BY's sort is the cost).
ALTER TABLE sms ADD COLUMN country TEXT;
