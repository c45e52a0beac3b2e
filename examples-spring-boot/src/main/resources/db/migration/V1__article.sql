-- The blog's own table, in the application's Flyway location (not the queue's).
CREATE TABLE article (
    id           BIGSERIAL PRIMARY KEY,
    title        TEXT NOT NULL,
    author_email TEXT NOT NULL,
    status       TEXT NOT NULL DEFAULT 'draft',
    indexed_at   TIMESTAMPTZ
);
