-- Times are UTC unless the column says "local": starts_at/ends_at are Europe/Berlin
-- wall-clock times as printed on the programme.
CREATE TABLE forums (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE,
    title TEXT NOT NULL,
    event_date DATE NOT NULL,
    description TEXT NOT NULL,
    organiser TEXT NOT NULL,
    contact_email TEXT NOT NULL,
    contact_phone TEXT,
    stream_url TEXT,
    privacy_notice TEXT NOT NULL,
    privacy_version TEXT NOT NULL,
    -- UTC; NULL: open from import until the forum day is over.
    registration_opens_at TIMESTAMP,
    registration_closes_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE sites (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    forum_id BIGINT NOT NULL REFERENCES forums (id),
    slug TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('venue', 'stream')),
    name TEXT NOT NULL,
    city TEXT,
    venue TEXT,
    address TEXT,
    starts_at TIMESTAMP NOT NULL,
    ends_at TIMESTAMP NOT NULL,
    focus TEXT NOT NULL,
    capacity INTEGER CHECK (capacity IS NULL OR capacity >= 0),
    confirmed_count INTEGER NOT NULL DEFAULT 0 CHECK (confirmed_count >= 0),
    sort_order INTEGER NOT NULL,
    UNIQUE (forum_id, slug),
    -- The last line of defence for "capacity is law".
    CHECK (capacity IS NULL OR confirmed_count <= capacity)
);

CREATE TABLE registrations (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    forum_id BIGINT NOT NULL REFERENCES forums (id),
    site_id BIGINT NOT NULL REFERENCES sites (id),
    status TEXT NOT NULL CHECK (status IN ('confirmed', 'waitlisted', 'cancelled')),
    first_name TEXT NOT NULL,
    last_name TEXT NOT NULL,
    email TEXT NOT NULL,
    email_key TEXT NOT NULL,
    organisation TEXT NOT NULL,
    sector TEXT NOT NULL,
    position TEXT,
    accessibility_needs TEXT,
    locale TEXT NOT NULL CHECK (locale IN ('de', 'en')),
    consent_version TEXT NOT NULL,
    consent_at TIMESTAMP NOT NULL,
    manage_token TEXT NOT NULL UNIQUE,
    checkin_code TEXT NOT NULL UNIQUE,
    stream_token TEXT NOT NULL UNIQUE,
    -- Strict first-come order of a site's waiting list.
    waitlisted_at TIMESTAMP,
    cancelled_at TIMESTAMP,
    stream_joined_at TIMESTAMP,
    reminder_queued_at TIMESTAMP,
    -- SEQUENCE of the calendar entry mailed to the participant (RFC 5545).
    calendar_sequence INTEGER NOT NULL DEFAULT 0,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    CHECK ((status = 'waitlisted') = (waitlisted_at IS NOT NULL))
);
-- One person, one place per forum, whatever the letter case of the address; after a
-- cancellation the same person may register again.
CREATE UNIQUE INDEX registrations_active_email ON registrations (forum_id, email_key)
    WHERE status <> 'cancelled';
CREATE INDEX registrations_site_status ON registrations (site_id, status, waitlisted_at, id);

CREATE TABLE outbox (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    registration_id BIGINT REFERENCES registrations (id),
    kind TEXT NOT NULL,
    recipient TEXT NOT NULL,
    subject TEXT NOT NULL,
    body_text TEXT NOT NULL,
    body_html TEXT NOT NULL,
    message_id TEXT NOT NULL UNIQUE,
    status TEXT NOT NULL CHECK (status IN ('pending', 'sent', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMP NOT NULL,
    locked_until TIMESTAMP,
    locked_by TEXT,
    last_error TEXT,
    attachment_name TEXT,
    attachment_type TEXT,
    attachment_body TEXT,
    created_at TIMESTAMP NOT NULL,
    sent_at TIMESTAMP
);
CREATE INDEX outbox_due ON outbox (status, next_attempt_at);
CREATE INDEX outbox_registration ON outbox (registration_id);
