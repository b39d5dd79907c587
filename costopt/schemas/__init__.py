"""JSON Schemas shipped with costopt."""
