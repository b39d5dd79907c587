"""BillingTable: a FOCUS-shaped DuckDB view over files or in-memory frames.

The table never loads an export into pandas: readers register DuckDB views over the files
(CSV, gzip, Parquet, globs), a ``focus`` view unions them in the canonical columns of
:mod:`costopt.billing.schema`, and queries return (small, aggregated) pandas DataFrames.
"""

from __future__ import annotations

import copy
import itertools
import threading
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import duckdb

if TYPE_CHECKING:  # pandas is imported by DuckDB's .df() only when a query returns a frame
    import pandas as pd

from costopt.billing.athena_sql import RemoteScan
from costopt.billing.schema import FOCUS_COLUMNS

VIEW = "focus"
SCALED_COLUMNS = ("BilledCost", "EffectiveCost", "ListCost", "ContractedCost", "PricingQuantity", "ConsumedQuantity")
_schema_numbers = itertools.count(1)


def canonical_select(mapping: dict[str, str], source: str) -> str:
    """SELECT the canonical columns from ``source``; ``mapping`` gives a SQL expression per column.

    Columns absent from ``mapping`` become typed NULLs, so every part of the union matches.
    """
    parts = []
    for column, sql_type in FOCUS_COLUMNS.items():
        expr = mapping.get(column)
        parts.append(f"CAST({expr} AS {sql_type}) AS {column}" if expr else f"CAST(NULL AS {sql_type}) AS {column}")
    return f"SELECT {', '.join(parts)} FROM {source}"


class BillingTable:
    """A DuckDB connection holding a ``focus`` view; thread-safe for queries."""

    def __init__(self, connection: duckdb.DuckDBPyConnection | None = None):
        self.con = connection or duckdb.connect()
        self._parts: list[str] = []
        self._lock = threading.Lock()
        self.sources: list[str] = []
        self.notes: dict[str, str] = {}  # source label -> what reading it cost (remote engines)
        self.scans: dict[str, RemoteScan] = {}  # source label -> its Athena query's window and bytes
        self._n = 0
        self.schema = "main"
        self._define_view()

    def _define_view(self) -> None:
        if self._parts:
            body = " UNION ALL ".join(f"SELECT * FROM {p}" for p in self._parts)
        else:
            body = canonical_select({}, "(SELECT 1) AS empty") + " WHERE FALSE"
        self.con.execute(f"CREATE OR REPLACE VIEW {VIEW} AS {body}")

    def add_select(self, select_sql: str, label: str) -> str:
        """Add a part whose SELECT already yields the canonical columns; returns its view name."""
        with self._lock:
            self._n += 1
            name = f"focus_part_{self._n}"
            self.con.execute(f"CREATE OR REPLACE VIEW {name} AS {select_sql}")
            self._parts.append(name)
            self.sources.append(label)
            self._define_view()
            return name

    def add_frame(self, frame: pd.DataFrame, label: str = "<frame>") -> str:
        """Add an in-memory FOCUS frame (any subset of canonical columns).

        The frame is copied into a DuckDB table: frames registered on a connection are not
        visible to the cursors queries run on.
        """
        with self._lock:
            self._n += 1
            raw = f"frame_raw_{self._n}"
            self.con.register(f"{raw}_in", frame)
            try:
                self.con.execute(f"CREATE TABLE {raw} AS SELECT * FROM {raw}_in")
            finally:
                self.con.unregister(f"{raw}_in")
        mapping = {c: c for c in FOCUS_COLUMNS if c in frame.columns}
        return self.add_select(canonical_select(mapping, raw), label)

    def materialize(self) -> None:
        """Copy every part into DuckDB's memory: the files behind the table may then be deleted."""
        with self._lock:
            for name in self._parts:
                self.con.execute(f"CREATE TABLE {name}_data AS SELECT * FROM {name}")
                self.con.execute(f"CREATE OR REPLACE VIEW {name} AS SELECT * FROM {name}_data")

    @classmethod
    def from_frame(cls, frame: pd.DataFrame, label: str = "<frame>") -> BillingTable:
        table = cls()
        table.add_frame(frame, label)
        return table

    def _cursor(self) -> duckdb.DuckDBPyConnection:
        with self._lock:
            cur = self.con.cursor()
        if self.schema != "main":
            cur.execute(f"SET search_path = '{self.schema},main'")
        return cur

    def query(self, sql: str, params: Sequence[Any] | None = None) -> pd.DataFrame:
        """Run ``sql`` (which may reference the ``focus`` view) and return a DataFrame."""
        cur = self._cursor()
        try:
            return cur.execute(sql, params or []).df()
        finally:
            cur.close()

    def scalar(self, sql: str, params: Sequence[Any] | None = None) -> Any:
        cur = self._cursor()
        try:
            row = cur.execute(sql, params or []).fetchone()
            return None if row is None else row[0]
        finally:
            cur.close()

    def scaled_by_resource(self, factors: Mapping[str, float]) -> BillingTable:
        """The same data with each listed resource's costs and quantities multiplied by its factor.

        A factor of 0 drops the resource's rows; unlisted resources are unchanged. The result
        shares the connection: a ``focus`` view in a schema of its own reads the main one, so
        nothing is copied. Used to size commitments on the usage that other selected changes
        (stop, resize, spot) leave in place.
        """
        derived = copy.copy(self)
        scaled = ", ".join(f"f.{c} * COALESCE(a.factor, 1) AS {c}" for c in SCALED_COLUMNS)
        with self._lock:
            schema = f"scaled_{next(_schema_numbers)}"
            self.con.execute(f"CREATE SCHEMA {schema}")
            self.con.execute(f"CREATE TABLE {schema}.factors (id VARCHAR PRIMARY KEY, factor DOUBLE)")
            if factors:
                self.con.executemany(f"INSERT INTO {schema}.factors VALUES (?, ?)",
                                     [[k, float(v)] for k, v in sorted(factors.items())])
            self.con.execute(
                f"CREATE VIEW {schema}.{VIEW} AS SELECT f.* REPLACE ({scaled}) "
                f"FROM {self.schema}.{VIEW} AS f LEFT JOIN {schema}.factors AS a ON f.ResourceId = a.id "
                f"WHERE a.factor IS NULL OR a.factor > 0")
        derived.schema = schema
        derived._parts = list(self._parts)
        derived.sources = list(self.sources)
        return derived

    def without_resources(self, resource_ids: Iterable[str]) -> BillingTable:
        """The same data minus the rows of ``resource_ids`` (see :meth:`scaled_by_resource`)."""
        return self.scaled_by_resource({rid: 0.0 for rid in resource_ids})

    @property
    def empty(self) -> bool:
        return not self._parts

    def currencies(self) -> list[str]:
        df = self.query(f"SELECT DISTINCT BillingCurrency AS c FROM {VIEW} WHERE BillingCurrency IS NOT NULL ORDER BY 1")
        return list(df["c"])

    def extend(self, others: Iterable[BillingTable]) -> None:
        """Copy the parts of other tables in (as materialised frames: used for small provider data)."""
        for other in others:
            if not other.empty:
                self.add_frame(other.query(f"SELECT * FROM {VIEW}"), ",".join(other.sources))
