"""Catalog-wide retrieval: the student embeds items and keyphrases, faiss finds neighbours,
the lists are de-duplicated, filtered by the cross-encoder, capped and merged per item."""
