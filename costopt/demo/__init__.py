"""The demo estate (``costopt audit --demo``): fakes for AWS (moto), GCP and Azure (local HTTP
servers), seeded with a small ML organisation, read by the real adapters. Product modules never
import this package; only the CLI's ``--demo`` path does (tests/architecture enforces it)."""
