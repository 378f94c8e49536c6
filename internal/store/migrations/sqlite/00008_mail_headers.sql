-- +goose Up
-- List headers on a mail (RFC 2369, RFC 8058), for mail people can stop
-- receiving, such as a workspace's announcements: list_unsubscribe is the
-- absolute URL the List-Unsubscribe header names ('' for none), and
-- one_click (0 or 1) adds List-Unsubscribe-Post: List-Unsubscribe=One-Click,
-- saying that a POST to that URL unsubscribes at once. Owned by
-- internal/mail.
ALTER TABLE mail_outbox ADD COLUMN list_unsubscribe TEXT NOT NULL DEFAULT '';
ALTER TABLE mail_outbox ADD COLUMN one_click INTEGER NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE mail_outbox DROP COLUMN one_click;
ALTER TABLE mail_outbox DROP COLUMN list_unsubscribe;
