"""Provider adapters: the only code that talks to clouds (aws, gcp, azure, focus files, demo)."""
