-- +goose Up
-- The toolbox: the catalogue of tools, migration guides, the history of
-- both, the self-scans initiatives save, and which initiatives name which
-- tool.

CREATE TABLE tools (
    id          TEXT PRIMARY KEY,               -- a stable slug
    name        TEXT NOT NULL,
    data        TEXT NOT NULL,                  -- the entry as JSON
    big_tech    INTEGER NOT NULL DEFAULT 0,     -- 1: a big-tech product the others replace
    revision_id BIGINT,                         -- the revision shown
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
);
CREATE INDEX tools_name ON tools(name);

-- Every name and alias of a tool in the form atlas.ToolKey gives (lower
-- case, letters and digits only), so a typed name finds its entry and no
-- two entries claim one name.
CREATE TABLE tool_keys (
    key     TEXT PRIMARY KEY,
    tool_id TEXT NOT NULL REFERENCES tools(id) ON DELETE CASCADE
);
CREATE INDEX tool_keys_tool ON tool_keys(tool_id);

CREATE TABLE guides (
    id          TEXT PRIMARY KEY,               -- a stable slug
    data        TEXT NOT NULL,                  -- titles and Markdown bodies as JSON
    revision_id BIGINT,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
);

-- Every version of every tool entry and guide, as stewards saved it.
CREATE TABLE toolbox_revisions (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    subject    TEXT NOT NULL CHECK (subject IN ('tool', 'guide')),
    subject_id TEXT NOT NULL,
    data       TEXT NOT NULL,
    note       TEXT NOT NULL DEFAULT '',
    author_id  BIGINT REFERENCES users(id) ON DELETE SET NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX toolbox_revisions_subject ON toolbox_revisions(subject, subject_id, id);

-- The tools an initiative names, keyed as tool_keys, so a tool's page
-- lists the initiatives that use it.
CREATE TABLE initiative_tools (
    initiative_id BIGINT NOT NULL REFERENCES initiatives(id) ON DELETE CASCADE,
    tool          TEXT NOT NULL,
    PRIMARY KEY (tool, initiative_id)
);
CREATE INDEX initiative_tools_initiative ON initiative_tools(initiative_id);
-- Existing initiatives. The key drops the punctuation people type in tool
-- names; samen writes new rows with atlas.ToolKey.
INSERT INTO initiative_tools (initiative_id, tool)
    SELECT DISTINCT i.id, REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(LOWER(j.value),
        ' ', ''), '-', ''), '.', ''), '_', ''), '/', ''), '(', ''), ')', ''), ',', ''), '&', ''), '+', ''), '''', ''), ':', ''), '!', ''), '@', '') FROM initiatives i, json_each(i.data, '$.tools') j
    WHERE j.value <> '';
DELETE FROM initiative_tools WHERE tool = '';

-- Self-scans saved to an initiative. Private to its editors unless shared.
CREATE TABLE scans (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    initiative_id BIGINT NOT NULL REFERENCES initiatives(id) ON DELETE CASCADE,
    author_id     BIGINT REFERENCES users(id) ON DELETE SET NULL,
    input         TEXT NOT NULL,                -- the tools and answers as JSON
    shared        INTEGER NOT NULL DEFAULT 0,   -- 1: shown on the initiative's page
    created_at    BIGINT NOT NULL
);
CREATE INDEX scans_initiative ON scans(initiative_id, id);

-- The catalogue entries a saved scan named, for stewards' aggregates.
CREATE TABLE scan_tools (
    scan_id BIGINT NOT NULL REFERENCES scans(id) ON DELETE CASCADE,
    tool_id TEXT NOT NULL,
    PRIMARY KEY (tool_id, scan_id)
);
CREATE INDEX scan_tools_scan ON scan_tools(scan_id);

-- +goose Down
DROP TABLE scan_tools;
DROP TABLE scans;
DROP TABLE initiative_tools;
DROP TABLE toolbox_revisions;
DROP TABLE guides;
DROP TABLE tool_keys;
DROP TABLE tools;
