"""The AWS CLI steps of the RDS rules: delete with a final snapshot, change class, Single-AZ, gp3.

Every value from data is one shell word (:func:`costopt.rules.shell.arg`).
"""

from __future__ import annotations

from costopt.model import Resource
from costopt.rules.shell import arg


def identifier(r: Resource) -> str:
    """The DB instance identifier (the resource name when the adapter did not record one)."""
    return str(r.attributes.get("identifier") or r.name)


def _modify(r: Resource, options: str) -> str:
    return (f"aws rds modify-db-instance --region {arg(r.region)} --db-instance-identifier {arg(identifier(r))} "
            + options)


def delete(r: Resource) -> str:
    ident = identifier(r)
    return (f"aws rds delete-db-instance --region {arg(r.region)} --db-instance-identifier {arg(ident)} "
            f"--final-db-snapshot-identifier {arg(ident + '-final-costopt')}")


def change_class(r: Resource, db_class: str) -> str:
    return _modify(r, f"--db-instance-class {arg(db_class)} --no-apply-immediately")


def single_az(r: Resource) -> str:
    return _modify(r, "--no-multi-az --apply-immediately")


def to_gp3(r: Resource) -> str:
    return _modify(r, "--storage-type gp3 --apply-immediately")
