-- Title look-ups (autocomplete, "an id or a few words of its title") without scanning the corpus:
-- a trigram index over titles and ids finds any fragment of three characters or more.
CREATE VIRTUAL TABLE titles_fts USING fts5 (
    id, title,
    content = 'articles', content_rowid = 'rowid',
    tokenize = 'trigram'
);
CREATE TRIGGER titles_fts_insert AFTER INSERT ON articles BEGIN
    INSERT INTO titles_fts (rowid, id, title) VALUES (new.rowid, new.id, new.title);
END;
CREATE TRIGGER titles_fts_delete AFTER DELETE ON articles BEGIN
    INSERT INTO titles_fts (titles_fts, rowid, id, title) VALUES ('delete', old.rowid, old.id, old.title);
END;
CREATE TRIGGER titles_fts_update AFTER UPDATE OF id, title ON articles BEGIN
    INSERT INTO titles_fts (titles_fts, rowid, id, title) VALUES ('delete', old.rowid, old.id, old.title);
    INSERT INTO titles_fts (rowid, id, title) VALUES (new.rowid, new.id, new.title);
END;
INSERT INTO titles_fts (titles_fts) VALUES ('rebuild');
