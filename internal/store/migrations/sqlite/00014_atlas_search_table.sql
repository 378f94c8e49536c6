-- +goose Up
-- Nothing to do on SQLite: PostgreSQL moves its search vectors into a
-- table initiative_search of their own, which SQLite's FTS5 index of that
-- name has always been. The number keeps both engines' schemas in step.
SELECT 1;

-- +goose Down
SELECT 1;
