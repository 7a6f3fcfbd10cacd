-- Organizations, keys, numbers, leads, contacts, SMS activities and raw carrier events.
CREATE TABLE organizations (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    date_created TEXT NOT NULL
);

CREATE TABLE api_keys (
    key_hash TEXT PRIMARY KEY,
    organization_id TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    date_created TEXT NOT NULL
);

CREATE TABLE phone_numbers (
    id TEXT PRIMARY KEY,
    organization_id TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    number TEXT NOT NULL,
    label TEXT,
    type TEXT NOT NULL,
    country TEXT,
    sms_enabled INTEGER NOT NULL,
    supports_sms_to_countries TEXT NOT NULL,
    carrier_sid TEXT,
    date_created TEXT NOT NULL,
    date_updated TEXT NOT NULL
);
CREATE INDEX phone_numbers_org ON phone_numbers(organization_id, date_created);
-- a rented number belongs to one organization at a time: inbound routing relies on it
CREATE UNIQUE INDEX phone_numbers_internal ON phone_numbers(number) WHERE type = 'internal';

CREATE TABLE leads (
    id TEXT PRIMARY KEY,
    organization_id TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    name TEXT,
    description TEXT,
    date_created TEXT NOT NULL,
    date_updated TEXT NOT NULL
);
CREATE INDEX leads_org ON leads(organization_id, date_created);

CREATE TABLE contacts (
    id TEXT PRIMARY KEY,
    organization_id TEXT NOT NULL,
    lead_id TEXT NOT NULL REFERENCES leads(id) ON DELETE CASCADE,
    name TEXT,
    title TEXT,
    date_created TEXT NOT NULL,
    date_updated TEXT NOT NULL
);
CREATE INDEX contacts_lead ON contacts(lead_id, date_created);
CREATE INDEX contacts_org ON contacts(organization_id, date_created);

CREATE TABLE contact_phones (
    contact_id TEXT NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
    organization_id TEXT NOT NULL,
    position INTEGER NOT NULL,
    phone TEXT NOT NULL,
    type TEXT NOT NULL,
    outbound_sms_blocked INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (contact_id, position)
);
CREATE INDEX contact_phones_phone ON contact_phones(organization_id, phone);

CREATE TABLE sms (
    id TEXT PRIMARY KEY,
    organization_id TEXT NOT NULL,
    lead_id TEXT,
    contact_id TEXT,
    direction TEXT NOT NULL,
    status TEXT NOT NULL,
    text TEXT NOT NULL,
    local_phone TEXT,
    remote_phone TEXT,
    source TEXT NOT NULL,
    user_id TEXT,
    date_created TEXT NOT NULL,
    date_updated TEXT NOT NULL,
    activity_at TEXT,
    date_scheduled TEXT,
    date_sent TEXT,
    due_at TEXT,
    due_since TEXT,
    claimed_until TEXT,
    attempts INTEGER NOT NULL DEFAULT 0,
    segments INTEGER NOT NULL,
    encoding TEXT NOT NULL,
    cost TEXT,
    delivery_status TEXT,
    error_code INTEGER,
    error_reason TEXT,
    error_message TEXT,
    carrier_sid TEXT
);
CREATE INDEX sms_org ON sms(organization_id, date_created);
CREATE INDEX sms_lead ON sms(lead_id, date_created);
CREATE INDEX sms_due ON sms(due_at) WHERE due_at IS NOT NULL;
CREATE UNIQUE INDEX sms_carrier_sid ON sms(carrier_sid) WHERE carrier_sid IS NOT NULL;

-- Every signed callback as received; `applied` = 0 while its message is not known yet
-- (a callback can overtake the create response that tells us the sid).
CREATE TABLE carrier_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    carrier_sid TEXT NOT NULL,
    status TEXT,
    error_code INTEGER,
    payload TEXT NOT NULL,
    received_at TEXT NOT NULL,
    applied INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX carrier_events_pending ON carrier_events(carrier_sid) WHERE applied = 0;
