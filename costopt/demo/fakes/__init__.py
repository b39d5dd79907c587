"""Small in-process fake cloud endpoints on 127.0.0.1 (used by the demo and the tests).

They answer the real SDK clients at the wire (HTTP/JSON, gRPC) from seeded data, so the
real adapters run unchanged against them. Nothing here is ever pointed at a real cloud.
"""
