-- ListUsers filters on email and phone_number read a range of an index
-- instead of every user of the pool. The keys are virtual columns computed
-- from the user's document, so every write keeps them and existing rows
-- need no backfill; the email is lower-cased (ASCII, as lower() does) so a
-- case-insensitive match can use the same index. With the sub, the index
-- gives the pages' order: (key, sub).
ALTER TABLE users ADD COLUMN email_filter TEXT
    GENERATED ALWAYS AS (lower(json_extract(data, '$.attributes.email'))) VIRTUAL;
ALTER TABLE users ADD COLUMN phone_filter TEXT
    GENERATED ALWAYS AS (json_extract(data, '$.attributes.phone_number')) VIRTUAL;
CREATE INDEX users_email_filter ON users (pool_id, email_filter, sub);
CREATE INDEX users_phone_filter ON users (pool_id, phone_filter, sub);
