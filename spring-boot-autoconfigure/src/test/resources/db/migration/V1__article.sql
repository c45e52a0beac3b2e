-- The app's own table, migrated by spring.flyway next to (and apart from) the queue schema.
CREATE TABLE article (
    id     bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    title  text NOT NULL,
    status text NOT NULL DEFAULT 'draft'
);
