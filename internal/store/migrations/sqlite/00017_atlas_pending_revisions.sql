-- +goose Up
-- Revisions are looked up by state only for the pending ones, the
-- moderators' queue (atlas/queue.go) and its counts: an index of those
-- alone. The index of every revision by state took an entry for every
-- accepted one too, which is every edit ever made and a revision for
-- each initiative an import writes. Owned by internal/atlas.
DROP INDEX revisions_state;
CREATE INDEX revisions_pending ON revisions (created_at, id) WHERE state = 'pending';

-- +goose Down
DROP INDEX revisions_pending;
CREATE INDEX revisions_state ON revisions (state, created_at);
