"""One module per CLI command; each exposes ``command`` (a click command) and stays thin."""
