-- Each server's daily digest: where, when, and what was last posted.
CREATE TABLE guild_digests (
    guild_id     INTEGER PRIMARY KEY,
    channel_id   INTEGER,            -- NULL: the digest is off for this server
    post_time    TEXT NOT NULL,      -- local time of day, HH:MM
    timezone     TEXT NOT NULL,      -- IANA zone name
    last_date    TEXT,               -- local date (YYYY-MM-DD) of the last digest claimed
    last_cutoff  TEXT,               -- added_at of the newest article the last digest covered
    last_error   TEXT,               -- a problem to tell the next admin about, then cleared
    updated_at   TEXT NOT NULL
);
