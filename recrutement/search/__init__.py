"""Offer search: a Whoosh index kept in step with the database (docs/design.md, Real parts).

- analysis.py: the French analyzer (fold accents, stop words, stem);
- documents.py: an offer's search document;
- index.py: the schema, the writer and its lock, rebuild and repair, the shared searcher;
- sync.py: index tasks written with each change and applied after the commit;
- query.py: search parameters, results, facets, excerpts, suggestions;
- ranking.py: matching and BM25F scoring on cached postings.
"""
