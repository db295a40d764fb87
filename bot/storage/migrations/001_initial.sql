-- The corpus: one row per article version that is live, its sentences, its takeaways.
CREATE TABLE articles (
    id             TEXT PRIMARY KEY,
    origin         TEXT NOT NULL CHECK (origin IN ('seeds', 'import')),
    path           TEXT,             -- path inside SEEDS_DIR for origin 'seeds'
    sha256         TEXT NOT NULL,
    analysis       TEXT NOT NULL,    -- which analysis produced the stored takeaways
    title          TEXT NOT NULL,
    source         TEXT,
    url            TEXT,
    published      TEXT,             -- the article's own date, as given (ISO 8601 when known)
    dateline_place TEXT,
    dateline_date  TEXT,
    synopsis       TEXT,
    body           TEXT NOT NULL,    -- paragraphs separated by blank lines
    added_at       TEXT NOT NULL,    -- UTC ISO-8601: first seen
    updated_at     TEXT NOT NULL     -- UTC ISO-8601: content last changed
);
CREATE INDEX articles_added_at ON articles (added_at);
CREATE INDEX articles_title ON articles (title COLLATE NOCASE);

CREATE TABLE sentences (
    article_id TEXT NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    paragraph  INTEGER NOT NULL,
    sentence   INTEGER NOT NULL,
    text       TEXT NOT NULL,
    PRIMARY KEY (article_id, paragraph, sentence)
) WITHOUT ROWID;

CREATE TABLE publisher_takeaways (
    article_id TEXT NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    position   INTEGER NOT NULL,
    text       TEXT NOT NULL,
    PRIMARY KEY (article_id, position)
) WITHOUT ROWID;

-- Generated takeaways, best first (rank 0 is the best), up to 10 per article.
CREATE TABLE takeaways (
    article_id TEXT NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    rank       INTEGER NOT NULL,
    paragraph  INTEGER NOT NULL,
    sentence   INTEGER NOT NULL,
    PRIMARY KEY (article_id, rank)
) WITHOUT ROWID;

-- Cached summaries: the chosen sentence positions, in article order, as JSON.
CREATE TABLE summaries (
    article_id TEXT NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    algorithm  TEXT NOT NULL,
    count      INTEGER NOT NULL,
    positions  TEXT NOT NULL,
    PRIMARY KEY (article_id, algorithm, count)
) WITHOUT ROWID;

-- Full-text index over title and body, kept in line by triggers.
CREATE VIRTUAL TABLE articles_fts USING fts5 (
    title, body,
    content = 'articles', content_rowid = 'rowid',
    tokenize = 'porter unicode61 remove_diacritics 2'
);
CREATE TRIGGER articles_fts_insert AFTER INSERT ON articles BEGIN
    INSERT INTO articles_fts (rowid, title, body) VALUES (new.rowid, new.title, new.body);
END;
CREATE TRIGGER articles_fts_delete AFTER DELETE ON articles BEGIN
    INSERT INTO articles_fts (articles_fts, rowid, title, body)
        VALUES ('delete', old.rowid, old.title, old.body);
END;
CREATE TRIGGER articles_fts_update AFTER UPDATE OF title, body ON articles BEGIN
    INSERT INTO articles_fts (articles_fts, rowid, title, body)
        VALUES ('delete', old.rowid, old.title, old.body);
    INSERT INTO articles_fts (rowid, title, body) VALUES (new.rowid, new.title, new.body);
END;

-- Small key/value state of the bot (e.g. the hash of the last synced command set).
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;
