-- "Newest first" (/articles, an empty article autocomplete) without sorting the whole corpus:
-- the index has exactly the order of Store.list_articles.
CREATE INDEX articles_newest ON articles (published IS NULL, published DESC, added_at DESC, id);
