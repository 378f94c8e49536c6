-- +goose Up
-- The audit log refers to people by id only (see package audit): an erased
-- person's account keeps its id but loses its address and name, so the
-- log, which nothing may change, needs no change when someone is erased.
-- Until now actor_label held the actor's e-mail address and some details
-- held what people typed; this rewrites the lines written so far, once,
-- with the append-only trigger lifted for the length of this migration.

DROP TRIGGER audit_log_no_update;

-- A label that is not one of the neutral words was an address.
UPDATE audit_log SET actor_label = 'member' WHERE actor_label NOT IN ('system', 'visitor', 'member', '');

-- What a steward searched for on the people page may be someone's address
-- or name: keep only whether they searched.
UPDATE audit_log SET detail = json_set(json_remove(detail, '$.query'), '$.searched',
        json(CASE WHEN COALESCE(json_extract(detail, '$.query'), '') <> '' THEN 'true' ELSE 'false' END))
    WHERE action = 'user.list' AND json_valid(detail) AND json_type(detail, '$.query') IS NOT NULL;
-- A token's name, an initiative's name at its proposal (often a person's,
-- for a sole trader) and a moderator's reason for a decision are free text;
-- the token, the initiative and the revision keep them, where they can be
-- erased.
UPDATE audit_log SET detail = json_remove(detail, '$.name')
    WHERE action IN ('api_token.create', 'initiative.propose') AND json_valid(detail) AND json_type(detail, '$.name') IS NOT NULL;
UPDATE audit_log SET detail = json_remove(detail, '$.reason')
    WHERE action IN ('revision.accept', 'revision.reject') AND json_valid(detail) AND json_type(detail, '$.reason') IS NOT NULL;

-- +goose StatementBegin
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;
-- +goose StatementEnd

-- A person's request to be erased, until a steward carries it out; and
-- when they were erased (the row stays, pseudonymised, because other
-- parts' rows refer to its id).
ALTER TABLE users ADD COLUMN erasure_requested_at BIGINT;
ALTER TABLE users ADD COLUMN erased_at BIGINT;

-- +goose Down
-- The rewritten audit lines are not restored: the addresses are gone.
ALTER TABLE users DROP COLUMN erased_at;
ALTER TABLE users DROP COLUMN erasure_requested_at;
