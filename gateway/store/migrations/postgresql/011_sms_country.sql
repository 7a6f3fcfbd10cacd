-- The country that priced each message, written with the message: the PostgreSQL twin of
-- sqlite/011_sms_country.sql (the existing rows are filled by gateway/store/country_fill.py
-- in the same transaction; reports find their rows with 003's sms_usage index).
ALTER TABLE sms ADD COLUMN country TEXT COLLATE "C";
