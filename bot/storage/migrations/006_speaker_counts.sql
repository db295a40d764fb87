-- How many quotes each speaker has, for the speaker autocomplete (most quoted first, by name or
-- surname prefix) without grouping every quote of the corpus at each keystroke. Recounted by every
-- write transaction that changes articles, like topic_counts.
CREATE TABLE speaker_counts (
    speaker_key TEXT PRIMARY KEY,
    surname_key TEXT NOT NULL,
    speaker     TEXT NOT NULL,
    quotes      INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX speaker_counts_surname ON speaker_counts (surname_key);
CREATE INDEX speaker_counts_quotes ON speaker_counts (quotes DESC);
INSERT INTO speaker_counts (speaker_key, surname_key, speaker, quotes)
    SELECT speaker_key, min(surname_key), min(speaker), count(*) FROM quotes
    WHERE speaker_key IS NOT NULL GROUP BY speaker_key;
