-- Topics and quotes found at ingest, and a search index that also covers them and the lead.

ALTER TABLE articles ADD COLUMN lead TEXT NOT NULL DEFAULT '';     -- the first sentences of the body
ALTER TABLE articles ADD COLUMN topics TEXT NOT NULL DEFAULT '';   -- the article's topics, one a line

UPDATE articles SET lead = coalesce((
    SELECT group_concat(text, ' ') FROM (
        SELECT text FROM sentences s WHERE s.article_id = articles.id
        ORDER BY paragraph, sentence LIMIT 5
    )
), '');

CREATE TABLE article_topics (
    article_id TEXT NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    rank       INTEGER NOT NULL,          -- 0 is the topic that says most of what it is about
    topic_key  TEXT NOT NULL,             -- casefolded, accents removed: one topic across articles
    topic      TEXT NOT NULL,             -- as shown
    PRIMARY KEY (article_id, rank)
) WITHOUT ROWID;
CREATE INDEX article_topics_key ON article_topics (topic_key);

-- How many articles cover each topic; recomputed by every write transaction that changes topics.
CREATE TABLE topic_counts (
    topic_key TEXT PRIMARY KEY,
    topic     TEXT NOT NULL,
    articles  INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX topic_counts_articles ON topic_counts (articles DESC);

CREATE TABLE quotes (
    article_id  TEXT NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    position    INTEGER NOT NULL,         -- order in the article
    paragraph   INTEGER NOT NULL,
    start       INTEGER NOT NULL,         -- character offsets in the paragraph's text
    end         INTEGER NOT NULL,
    text        TEXT NOT NULL,
    speaker     TEXT,                     -- fullest name in the article; NULL when unattributed
    speaker_key TEXT,                     -- casefolded, accents removed
    surname_key TEXT,
    PRIMARY KEY (article_id, position)
) WITHOUT ROWID;
CREATE INDEX quotes_speaker ON quotes (speaker_key);
CREATE INDEX quotes_surname ON quotes (surname_key);

-- The search index now weighs title, topics, lead and body separately.
DROP TRIGGER articles_fts_insert;
DROP TRIGGER articles_fts_delete;
DROP TRIGGER articles_fts_update;
DROP TABLE articles_fts;
CREATE VIRTUAL TABLE articles_fts USING fts5 (
    title, topics, lead, body,
    content = 'articles', content_rowid = 'rowid',
    tokenize = 'porter unicode61 remove_diacritics 2'
);
CREATE TRIGGER articles_fts_insert AFTER INSERT ON articles BEGIN
    INSERT INTO articles_fts (rowid, title, topics, lead, body)
        VALUES (new.rowid, new.title, new.topics, new.lead, new.body);
END;
CREATE TRIGGER articles_fts_delete AFTER DELETE ON articles BEGIN
    INSERT INTO articles_fts (articles_fts, rowid, title, topics, lead, body)
        VALUES ('delete', old.rowid, old.title, old.topics, old.lead, old.body);
END;
CREATE TRIGGER articles_fts_update AFTER UPDATE OF title, topics, lead, body ON articles BEGIN
    INSERT INTO articles_fts (articles_fts, rowid, title, topics, lead, body)
        VALUES ('delete', old.rowid, old.title, old.topics, old.lead, old.body);
    INSERT INTO articles_fts (rowid, title, topics, lead, body)
        VALUES (new.rowid, new.title, new.topics, new.lead, new.body);
END;
INSERT INTO articles_fts (articles_fts) VALUES ('rebuild');
