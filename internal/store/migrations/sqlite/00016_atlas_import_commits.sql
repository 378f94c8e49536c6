-- +goose Up
-- An import gives all its rows one updated_at, the time it began, and
-- they become visible when it commits, which for 200,000 rows is half a
-- minute later or more. Whoever follows changes by updated_at (another
-- process's map index, a harvester asking /api/v1/initiatives/changes)
-- and last looked in between would miss them. Each import therefore
-- notes here, in its transaction, when it began and when it committed,
-- and a reader who asks for the changes since a moment inside that span
-- is given those since the import began. Before, the import wrote every
-- row a second time after its commit, with the commit's time. Owned by
-- internal/atlas.
CREATE TABLE initiative_imports (
    began_at     BIGINT NOT NULL,
    committed_at BIGINT NOT NULL
);
CREATE INDEX initiative_imports_committed ON initiative_imports (committed_at);

-- +goose Down
DROP TABLE initiative_imports;
