"""A generated corpus of bad and hostile inputs, each refused in one line (see test_corpus.py)."""
