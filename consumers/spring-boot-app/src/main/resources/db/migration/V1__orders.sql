CREATE TABLE orders (
    id     bigserial PRIMARY KEY,
    item   text NOT NULL,
    status text NOT NULL
);
