-- Organizations, keys, numbers, leads, contacts, SMS activities and raw carrier events.
-- The PostgreSQL twin of sqlite/001_initial.sql. Dates stay ISO 8601 text (gateway.core.dates.iso),
-- so both backends answer byte-identical JSON; COLLATE "C" makes text compare byte by byte
-- as in SQLite (ISO dates then sort as time does, whatever the database's locale). `seq`
-- stands in for SQLite's rowid: insertion order, to break ties between equal dates.
CREATE TABLE organizations (
    id TEXT COLLATE "C" PRIMARY KEY,
    name TEXT NOT NULL,
    date_created TEXT COLLATE "C" NOT NULL
);

CREATE TABLE api_keys (
    key_hash TEXT COLLATE "C" PRIMARY KEY,
    organization_id TEXT COLLATE "C" NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    date_created TEXT COLLATE "C" NOT NULL
);

CREATE TABLE phone_numbers (
    id TEXT COLLATE "C" PRIMARY KEY,
    seq BIGINT GENERATED ALWAYS AS IDENTITY,
    organization_id TEXT COLLATE "C" NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    number TEXT COLLATE "C" NOT NULL,
    label TEXT,
    type TEXT COLLATE "C" NOT NULL,
    country TEXT COLLATE "C",
    sms_enabled BOOLEAN NOT NULL,
    supports_sms_to_countries TEXT NOT NULL,
    carrier_sid TEXT COLLATE "C",
    date_created TEXT COLLATE "C" NOT NULL,
    date_updated TEXT COLLATE "C" NOT NULL
);
CREATE INDEX phone_numbers_org ON phone_numbers(organization_id, date_created);
-- a rented number belongs to one organization at a time: inbound routing relies on it
CREATE UNIQUE INDEX phone_numbers_internal ON phone_numbers(number) WHERE type = 'internal';

CREATE TABLE leads (
    id TEXT COLLATE "C" PRIMARY KEY,
    seq BIGINT GENERATED ALWAYS AS IDENTITY,
    organization_id TEXT COLLATE "C" NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    name TEXT COLLATE "C",
    description TEXT,
    date_created TEXT COLLATE "C" NOT NULL,
    date_updated TEXT COLLATE "C" NOT NULL
);
CREATE INDEX leads_org ON leads(organization_id, date_created);

CREATE TABLE contacts (
    id TEXT COLLATE "C" PRIMARY KEY,
    seq BIGINT GENERATED ALWAYS AS IDENTITY,
    organization_id TEXT COLLATE "C" NOT NULL,
    lead_id TEXT COLLATE "C" NOT NULL REFERENCES leads(id) ON DELETE CASCADE,
    name TEXT,
    title TEXT,
    date_created TEXT COLLATE "C" NOT NULL,
    date_updated TEXT COLLATE "C" NOT NULL
);
CREATE INDEX contacts_lead ON contacts(lead_id, date_created);
CREATE INDEX contacts_org ON contacts(organization_id, date_created);

CREATE TABLE contact_phones (
    contact_id TEXT COLLATE "C" NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
    seq BIGINT GENERATED ALWAYS AS IDENTITY,
    organization_id TEXT COLLATE "C" NOT NULL,
    position INTEGER NOT NULL,
    phone TEXT COLLATE "C" NOT NULL,
    type TEXT COLLATE "C" NOT NULL,
    outbound_sms_blocked BOOLEAN NOT NULL DEFAULT FALSE,
    PRIMARY KEY (contact_id, position)
);
CREATE INDEX contact_phones_phone ON contact_phones(organization_id, phone);

CREATE TABLE sms (
    id TEXT COLLATE "C" PRIMARY KEY,
    seq BIGINT GENERATED ALWAYS AS IDENTITY,
    organization_id TEXT COLLATE "C" NOT NULL,
    lead_id TEXT COLLATE "C",
    contact_id TEXT COLLATE "C",
    direction TEXT COLLATE "C" NOT NULL,
    status TEXT COLLATE "C" NOT NULL,
    text TEXT COLLATE "C" NOT NULL,
    local_phone TEXT COLLATE "C",
    remote_phone TEXT COLLATE "C",
    source TEXT NOT NULL,
    user_id TEXT COLLATE "C",
    date_created TEXT COLLATE "C" NOT NULL,
    date_updated TEXT COLLATE "C" NOT NULL,
    activity_at TEXT COLLATE "C",
    date_scheduled TEXT COLLATE "C",
    date_sent TEXT COLLATE "C",
    due_at TEXT COLLATE "C",
    due_since TEXT COLLATE "C",
    claimed_until TEXT COLLATE "C",
    -- the claiming process's advisory lock (gateway.store.pg_db): a claim whose lock is gone
    -- belongs to a dead process and is released at the next start
    claimed_by INTEGER,
    attempts INTEGER NOT NULL DEFAULT 0,
    segments INTEGER NOT NULL,
    encoding TEXT NOT NULL,
    cost TEXT COLLATE "C",
    delivery_status TEXT COLLATE "C",
    error_code INTEGER,
    error_reason TEXT COLLATE "C",
    error_message TEXT,
    carrier_sid TEXT COLLATE "C"
);
CREATE INDEX sms_org ON sms(organization_id, date_created);
CREATE INDEX sms_lead ON sms(lead_id, date_created);
CREATE INDEX sms_due ON sms(due_at) WHERE due_at IS NOT NULL;
CREATE UNIQUE INDEX sms_carrier_sid ON sms(carrier_sid) WHERE carrier_sid IS NOT NULL;

-- Every signed callback as received; `applied` is false while its message is not known yet
-- (a callback can overtake the create response that tells us the sid).
CREATE TABLE carrier_events (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind TEXT COLLATE "C" NOT NULL,
    carrier_sid TEXT COLLATE "C" NOT NULL,
    status TEXT COLLATE "C",
    error_code INTEGER,
    payload TEXT NOT NULL,
    received_at TEXT COLLATE "C" NOT NULL,
    applied BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE INDEX carrier_events_pending ON carrier_events(carrier_sid) WHERE NOT applied;

-- Each sending number's next free send slot (epoch seconds), shared by every gateway process
-- on this database: the per-number rate holds across processes (gateway.core.pacing.grant).
CREATE TABLE sender_pace (
    local_phone TEXT COLLATE "C" PRIMARY KEY,
    next_free DOUBLE PRECISION NOT NULL
);
