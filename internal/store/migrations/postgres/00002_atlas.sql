-- +goose Up
-- The atlas: initiatives, every revision of them, reports, logos and the
-- search index. An initiative row holds the accepted version (or, while
-- status is 'pending', the proposal); revisions hold every version ever
-- proposed, so nothing is overwritten.

CREATE TABLE initiatives (
    id           BIGSERIAL PRIMARY KEY,
    status       TEXT NOT NULL CHECK (status IN ('pending', 'published', 'rejected', 'archived', 'merged')),
    name         TEXT NOT NULL,
    data         TEXT NOT NULL,                 -- the record as JSON
    revision_id  BIGINT,                        -- the accepted revision shown
    latitude     DOUBLE PRECISION,
    longitude    DOUBLE PRECISION,
    district     TEXT NOT NULL DEFAULT '',
    legal_form   TEXT NOT NULL DEFAULT '',
    principles   INTEGER NOT NULL DEFAULT 0,    -- bit i: principle i holds
    sector_bits  BIGINT NOT NULL DEFAULT 0,     -- bit i: sector i (atlas.Sectors)
    need_bits    BIGINT NOT NULL DEFAULT 0,     -- bit i: a current need of kind i
    offer_bits   BIGINT NOT NULL DEFAULT 0,     -- bit i: a current offer of kind i
    facets_until TEXT NOT NULL DEFAULT '',      -- first day a need or offer in the bits has ended
    source       TEXT NOT NULL DEFAULT '',
    source_id    TEXT NOT NULL DEFAULT '',
    created_by   BIGINT REFERENCES users(id) ON DELETE SET NULL,
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL,
    confirmed_at BIGINT NOT NULL,               -- last time an editor said it is still right
    review_stage INTEGER NOT NULL DEFAULT 0,    -- 0 current, 1 told review is near, 2 in review, 3 told archiving is near
    review_stage_at BIGINT NOT NULL DEFAULT 0,  -- when it reached that stage
    archived_at  BIGINT,
    merged_into  BIGINT REFERENCES initiatives(id)
);
CREATE UNIQUE INDEX initiatives_source ON initiatives(source, source_id) WHERE source_id <> '';
CREATE INDEX initiatives_status_name ON initiatives(status, name);
CREATE INDEX initiatives_updated ON initiatives(updated_at);
CREATE INDEX initiatives_position ON initiatives(latitude, longitude) WHERE status = 'published';
-- Everything the map index reads at start, so that building it reads this
-- index instead of every row (whose JSON makes the table many times larger).
CREATE INDEX initiatives_map ON initiatives(id, name, latitude, longitude, district, legal_form, principles,
    sector_bits, need_bits, offer_bits, facets_until, status) WHERE status = 'published';
CREATE INDEX initiatives_review ON initiatives(status, confirmed_at);
-- The few published initiatives without a place, which the map index does
-- not hold, are counted for the directory's facets from here.
CREATE INDEX initiatives_unplaced ON initiatives(id) WHERE status = 'published' AND latitude IS NULL;

CREATE TABLE initiative_sectors (
    initiative_id BIGINT NOT NULL REFERENCES initiatives(id) ON DELETE CASCADE,
    sector        TEXT NOT NULL,
    PRIMARY KEY (sector, initiative_id)
);
CREATE INDEX initiative_sectors_initiative ON initiative_sectors(initiative_id);

CREATE TABLE initiative_exchanges (
    initiative_id BIGINT NOT NULL REFERENCES initiatives(id) ON DELETE CASCADE,
    direction     TEXT NOT NULL CHECK (direction IN ('need', 'offer')),
    kind          TEXT NOT NULL,
    until         TEXT NOT NULL DEFAULT ''      -- YYYY-MM-DD, '' open-ended
);
CREATE INDEX initiative_exchanges_kind ON initiative_exchanges(direction, kind, initiative_id);
CREATE INDEX initiative_exchanges_initiative ON initiative_exchanges(initiative_id);

CREATE TABLE initiative_editors (
    initiative_id BIGINT NOT NULL REFERENCES initiatives(id) ON DELETE CASCADE,
    user_id       BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    added_at      BIGINT NOT NULL,
    PRIMARY KEY (initiative_id, user_id)
);
CREATE INDEX initiative_editors_user ON initiative_editors(user_id);

CREATE TABLE revisions (
    id            BIGSERIAL PRIMARY KEY,
    initiative_id BIGINT NOT NULL REFERENCES initiatives(id) ON DELETE CASCADE,
    base_id       BIGINT,                       -- the accepted revision the author started from
    data          TEXT NOT NULL,
    note          TEXT NOT NULL DEFAULT '',     -- the author's words about the change
    author_id     BIGINT REFERENCES users(id) ON DELETE SET NULL,
    state         TEXT NOT NULL CHECK (state IN ('pending', 'accepted', 'rejected')),
    reason        TEXT NOT NULL DEFAULT '',     -- why it was rejected
    reviewer_id   BIGINT REFERENCES users(id) ON DELETE SET NULL,
    reviewed_at   BIGINT,
    restored_from BIGINT,
    created_at    BIGINT NOT NULL
);
CREATE INDEX revisions_initiative ON revisions(initiative_id, id);
CREATE INDEX revisions_state ON revisions(state, created_at);

CREATE TABLE initiative_reports (
    id            BIGSERIAL PRIMARY KEY,
    initiative_id BIGINT NOT NULL REFERENCES initiatives(id) ON DELETE CASCADE,
    reason        TEXT NOT NULL,
    message       TEXT NOT NULL DEFAULT '',
    reporter_id   BIGINT REFERENCES users(id) ON DELETE SET NULL,
    reporter_ip   TEXT NOT NULL DEFAULT '',
    state         TEXT NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'resolved', 'dismissed')),
    handled_by    BIGINT REFERENCES users(id) ON DELETE SET NULL,
    handled_at    BIGINT,
    created_at    BIGINT NOT NULL
);
CREATE INDEX initiative_reports_state ON initiative_reports(state, created_at);
CREATE INDEX initiative_reports_ip ON initiative_reports(reporter_ip, created_at);

CREATE TABLE initiative_logos (
    initiative_id BIGINT PRIMARY KEY REFERENCES initiatives(id) ON DELETE CASCADE,
    content_type  TEXT NOT NULL,
    image         BYTEA NOT NULL,
    width         INTEGER NOT NULL,
    height        INTEGER NOT NULL,
    updated_at    BIGINT NOT NULL
);

-- Contact-form mails carry the visitor's address as Reply-To.
ALTER TABLE mail_outbox ADD COLUMN reply_to TEXT NOT NULL DEFAULT '';

CREATE TABLE contact_messages (
    id            BIGSERIAL PRIMARY KEY,
    initiative_id BIGINT NOT NULL REFERENCES initiatives(id) ON DELETE CASCADE,
    sender_ip     TEXT NOT NULL DEFAULT '',
    sender_id     BIGINT REFERENCES users(id) ON DELETE SET NULL,
    created_at    BIGINT NOT NULL
);
CREATE INDEX contact_messages_ip ON contact_messages(sender_ip, created_at);

-- Full-text search over published initiatives: Dutch and English text
-- search configurations, both in one vector, set by samen when it writes.
ALTER TABLE initiatives ADD COLUMN search tsvector;
CREATE INDEX initiatives_search ON initiatives USING GIN (search) WHERE status = 'published';

-- +goose Down
DROP TABLE contact_messages;
ALTER TABLE mail_outbox DROP COLUMN reply_to;
DROP TABLE initiative_logos;
DROP TABLE initiative_reports;
DROP TABLE revisions;
DROP TABLE initiative_editors;
DROP TABLE initiative_exchanges;
DROP TABLE initiative_sectors;
DROP TABLE initiatives;
