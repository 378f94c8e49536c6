-- +goose Up
-- Nothing to do on SQLite: its index initiatives_updated holds each row's
-- rowid after the time, which is the order newest first wants already;
-- PostgreSQL's gets the id (see its 00015). The number keeps both
-- engines' schemas in step.
SELECT 1;

-- +goose Down
SELECT 1;
