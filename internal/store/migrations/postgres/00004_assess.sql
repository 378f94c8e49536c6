-- +goose Up
-- Assessments: versions of the framework, assessments of subjects, the
-- reviewers' scores, settlements of flagged criteria, the provider's
-- replies and what samen's own checks found.

CREATE TABLE assessment_frameworks (
    version      TEXT PRIMARY KEY,              -- semantic version
    data         TEXT NOT NULL,                 -- the framework as JSON
    published_by BIGINT REFERENCES users(id) ON DELETE SET NULL,
    published_at BIGINT NOT NULL
);

CREATE TABLE assessments (
    id                BIGSERIAL PRIMARY KEY,
    subject_name      TEXT NOT NULL,
    subject           TEXT NOT NULL,            -- the subject as JSON
    tool_id           TEXT NOT NULL DEFAULT '', -- toolbox catalogue id, '' when entered directly
    framework_version TEXT NOT NULL REFERENCES assessment_frameworks(version),
    status            TEXT NOT NULL CHECK (status IN ('draft', 'review', 'published')),
    provider_id       BIGINT REFERENCES users(id) ON DELETE SET NULL,
    example           INTEGER NOT NULL DEFAULT 0, -- 1: demo content, marked as an example
    previous_id       BIGINT REFERENCES assessments(id),
    created_by        BIGINT REFERENCES users(id) ON DELETE SET NULL,
    created_at        BIGINT NOT NULL,
    updated_at        BIGINT NOT NULL,
    published_by      BIGINT REFERENCES users(id) ON DELETE SET NULL,
    published_at      BIGINT,
    expires_at        BIGINT
);
CREATE INDEX assessments_status ON assessments(status, published_at);
CREATE INDEX assessments_tool ON assessments(tool_id) WHERE tool_id <> '';

-- Who reviews: the independent reviewers, and the provider's
-- self-assessment (self = 1). submitted_at is NULL while a draft.
CREATE TABLE assessment_reviews (
    assessment_id BIGINT NOT NULL REFERENCES assessments(id) ON DELETE CASCADE,
    reviewer_id   BIGINT NOT NULL REFERENCES users(id),
    self          INTEGER NOT NULL DEFAULT 0,
    assigned_at   BIGINT NOT NULL,
    submitted_at  BIGINT,
    PRIMARY KEY (assessment_id, reviewer_id)
);
CREATE INDEX assessment_reviews_reviewer ON assessment_reviews(reviewer_id);

CREATE TABLE assessment_scores (
    assessment_id BIGINT NOT NULL,
    reviewer_id   BIGINT NOT NULL,
    criterion     TEXT NOT NULL,
    level         INTEGER CHECK (level BETWEEN 0 AND 4), -- NULL: unknown
    reason        TEXT NOT NULL DEFAULT '',
    confidence    TEXT NOT NULL DEFAULT '',
    evidence      TEXT NOT NULL DEFAULT '[]',    -- JSON list of {url, title}
    updated_at    BIGINT NOT NULL,
    PRIMARY KEY (assessment_id, reviewer_id, criterion),
    FOREIGN KEY (assessment_id, reviewer_id) REFERENCES assessment_reviews(assessment_id, reviewer_id) ON DELETE CASCADE
);

CREATE TABLE assessment_settlements (
    assessment_id BIGINT NOT NULL REFERENCES assessments(id) ON DELETE CASCADE,
    criterion     TEXT NOT NULL,
    level         INTEGER CHECK (level BETWEEN 0 AND 4),
    reason        TEXT NOT NULL,
    confidence    TEXT NOT NULL DEFAULT '',
    settled_by    BIGINT REFERENCES users(id) ON DELETE SET NULL,
    settled_at    BIGINT NOT NULL,
    PRIMARY KEY (assessment_id, criterion)
);

-- The provider's right of reply, per criterion of a published assessment.
CREATE TABLE assessment_replies (
    assessment_id BIGINT NOT NULL REFERENCES assessments(id) ON DELETE CASCADE,
    criterion     TEXT NOT NULL,
    reply         TEXT NOT NULL,
    replied_by    BIGINT REFERENCES users(id) ON DELETE SET NULL,
    replied_at    BIGINT NOT NULL,
    PRIMARY KEY (assessment_id, criterion)
);

-- What samen's own checks of the subject's repository found, for a
-- reviewer to confirm.
CREATE TABLE assessment_checks (
    assessment_id BIGINT NOT NULL REFERENCES assessments(id) ON DELETE CASCADE,
    criterion     TEXT NOT NULL,
    level         INTEGER CHECK (level BETWEEN 0 AND 4),
    finding       TEXT NOT NULL,                -- JSON: what was found and where
    checked_at    BIGINT NOT NULL,
    PRIMARY KEY (assessment_id, criterion)
);

-- +goose Down
DROP TABLE assessment_checks;
DROP TABLE assessment_replies;
DROP TABLE assessment_settlements;
DROP TABLE assessment_scores;
DROP TABLE assessment_reviews;
DROP TABLE assessments;
DROP TABLE assessment_frameworks;
