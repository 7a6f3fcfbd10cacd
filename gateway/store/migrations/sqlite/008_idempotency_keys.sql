-- Client retries: the Idempotency-Key of the API's creating POSTs, one row per organization
-- and key (gateway/core/idempotency.py). Reserved before the create runs; `status` and `response`
-- (the first answer) are written in the create's own transaction. Rows older than 24 hours
-- are purged a small batch at a time by later reservations (the index on created_at).
CREATE TABLE idempotency_keys (
    organization_id TEXT NOT NULL,
    idem_key TEXT NOT NULL,
    fingerprint TEXT NOT NULL,   -- sha256 of method, path and body
    owner TEXT NOT NULL,         -- the request holding the reservation
    created_at TEXT NOT NULL,
    lease_until TEXT NOT NULL,   -- until then an unanswered reservation is not taken over
    status INTEGER,              -- NULL until answered
    response TEXT,
    PRIMARY KEY (organization_id, idem_key)
);
CREATE INDEX idempotency_keys_age ON idempotency_keys(created_at);
