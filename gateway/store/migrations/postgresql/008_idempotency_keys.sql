-- Client retries: the Idempotency-Key of the API's creating POSTs, as in
-- sqlite/008_idempotency_keys.sql (dates compared as text: COLLATE "C", as in 001).
CREATE TABLE idempotency_keys (
    organization_id TEXT COLLATE "C" NOT NULL,
    idem_key TEXT COLLATE "C" NOT NULL,
    fingerprint TEXT NOT NULL,   -- sha256 of method, path and body
    owner TEXT NOT NULL,         -- the request holding the reservation
    created_at TEXT COLLATE "C" NOT NULL,
    lease_until TEXT COLLATE "C" NOT NULL, -- until then an unanswered reservation is not taken over
    status INTEGER,              -- NULL until answered
    response TEXT,
    PRIMARY KEY (organization_id, idem_key)
);
CREATE INDEX idempotency_keys_age ON idempotency_keys(created_at);
