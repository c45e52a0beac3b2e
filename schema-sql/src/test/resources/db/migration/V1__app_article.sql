-- An application's own migration, run by the application's own Flyway next to the queue schema's.
CREATE TABLE article (id BIGSERIAL PRIMARY KEY, title TEXT NOT NULL, published BOOLEAN NOT NULL DEFAULT false);
