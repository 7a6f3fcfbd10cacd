-- Indexes for lead search (gateway/search/compile.py), each named for the question it serves.
-- Lead-level fields ask "which leads have SMS like this?" within one organization; each of
-- these answers it from the index alone (covering), without reading the sms table.

-- sms_messages, has:sms_messages, has:inbound_sms: every SMS's lead (and direction) in an
-- organization, grouped by lead
CREATE INDEX sms_search_lead ON sms(organization_id, lead_id, direction);

-- failed_sms, has:error_sms_messages (status = 'error', grouped by lead) and
-- latest_sms_status (the SMS with that status, their direction and time)
CREATE INDEX sms_search_status ON sms(organization_id, status, lead_id, direction,
                                      date_created);

-- latest_sms_status: is any outbound SMS of this lead newer than that one? (one seek; the
-- lead id leads because a seek that first compares the same long organization id at every
-- level of the tree is a third slower, and the organization is checked in the entry)
CREATE INDEX sms_search_latest ON sms(lead_id, direction, date_created, organization_id);
