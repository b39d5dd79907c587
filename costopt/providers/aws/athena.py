"""Run the billing pushdown query in Amazon Athena: describe the table, start, poll, page, cancel.

The table's columns and partition keys come from the Glue Data Catalog (``glue:GetTable``,
which Athena itself needs to plan a query). A query is started with
``StartQueryExecution`` (workgroup and output location from ``--athena-workgroup`` /
``--athena-output`` or ``[providers.aws] athena_workgroup`` / ``athena_output``), polled
with ``GetQueryExecution`` (backing off from 0.25 s to 2 s) until it succeeds, fails or is
cancelled, and its rows are paged with ``GetQueryResults`` (``NextToken``; the first row of
a SELECT's results is its header). Ctrl-C while a query runs or pages stops it
(``StopQueryExecution``) before the interrupt goes on, so no query is left scanning.

The bytes scanned (``Statistics.DataScannedInBytes``) are what Athena bills: the estimate
uses $5.00 per TB scanned with a 10 MB minimum per query (https://aws.amazon.com/athena/pricing/).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import botocore.exceptions

from costopt.billing.athena_sql import AthenaResult, AthenaTable
from costopt.errors import InputError, ProviderError
from costopt.providers.aws.session import base_session, client_config, home_region

USD_PER_TB = 5.0
MIN_BYTES = 10_000_000
DONE = ("SUCCEEDED", "FAILED", "CANCELLED")
PAGE_SIZE = 1000
DEFAULT_TIMEOUT_S = 1800.0


def cost_usd(bytes_scanned: int) -> float:
    """What Athena bills for one query that scanned ``bytes_scanned``."""
    return max(bytes_scanned, MIN_BYTES) / 1e12 * USD_PER_TB


def cost_text(bytes_scanned: int) -> str:
    """``1,234 bytes scanned (~$0.0001)``: the Athena charge of one query."""
    return f"{bytes_scanned:,} bytes scanned (~${cost_usd(bytes_scanned):.4f} at ${USD_PER_TB:.2f}/TB, 10 MB minimum)"


@dataclass(frozen=True)
class AthenaOptions:
    """Where and how queries run (None: the workgroup's own settings / the session's region)."""

    workgroup: str | None = None
    output_location: str | None = None
    region: str | None = None
    profile: str | None = None
    timeout_s: float = DEFAULT_TIMEOUT_S


class AthenaQueryFailed(ProviderError):
    """The query ended FAILED or CANCELLED (the message names the state and Athena's reason)."""


class Athena:
    """The Athena and Glue calls one source needs (clients built from a session or given)."""

    def __init__(self, options: AthenaOptions, athena: Any = None, glue: Any = None,
                 sleep: Callable[[float], None] = time.sleep):
        self.options = options
        self.sleep = sleep
        if athena is None or glue is None:
            session = base_session(options.profile)
            region = options.region or home_region(session)
            config = client_config("adaptive", 8)
            athena = athena or session.client("athena", region_name=region, config=config)
            glue = glue or session.client("glue", region_name=region, config=config)
        self.athena = athena
        self.glue = glue

    # -- catalog ---------------------------------------------------------------------------
    def describe(self, database: str, table: str) -> AthenaTable:
        """Columns and partition keys from the Glue Data Catalog."""
        try:
            found = self.glue.get_table(DatabaseName=database, Name=table)["Table"]
        except botocore.exceptions.ClientError as exc:
            code = exc.response.get("Error", {}).get("Code", "")
            if code == "EntityNotFoundException":
                raise InputError(f"athena://{database}.{table}: no such table in the Glue Data Catalog "
                                 f"(region {self._region()}); fix: check the name, or pass --athena-region",
                                 key="--source") from None
            raise ProviderError(f"athena://{database}.{table}: glue:GetTable failed ({code}); fix: grant "
                                "glue:GetTable (and glue:GetPartitions) on the CUR database") from None
        columns = {c["Name"].lower(): c.get("Type", "string") for c in found.get("StorageDescriptor", {}).get("Columns", [])}
        partitions = {c["Name"].lower(): c.get("Type", "string") for c in found.get("PartitionKeys", [])}
        return AthenaTable(database, table, columns, partitions)

    def _region(self) -> str:
        return str(getattr(getattr(self.athena, "meta", None), "region_name", "?"))

    # -- queries ---------------------------------------------------------------------------
    def start(self, sql: str, database: str) -> str:
        request: dict[str, Any] = {"QueryString": sql, "QueryExecutionContext": {"Database": database}}
        if self.options.workgroup:
            request["WorkGroup"] = self.options.workgroup
        if self.options.output_location:
            request["ResultConfiguration"] = {"OutputLocation": self.options.output_location}
        try:
            return str(self.athena.start_query_execution(**request)["QueryExecutionId"])
        except botocore.exceptions.ClientError as exc:
            err = exc.response.get("Error", {})
            raise ProviderError(f"athena: the query could not start ({err.get('Code', '')}: "
                                f"{str(err.get('Message', ''))[:200]}); fix: pass --athena-output s3://BUCKET/PREFIX/ "
                                "or a workgroup with an output location (--athena-workgroup), and grant "
                                "athena:StartQueryExecution") from None

    def wait(self, query_id: str) -> dict[str, Any]:
        """Poll until the query is done; its QueryExecution (raises when it did not succeed)."""
        delay, waited = 0.25, 0.0
        while True:
            execution = self.athena.get_query_execution(QueryExecutionId=query_id)["QueryExecution"]
            status = execution.get("Status", {})
            state = status.get("State", "")
            if state == "SUCCEEDED":
                return execution
            if state in DONE:
                reason = status.get("StateChangeReason") or status.get("AthenaError", {}).get("ErrorMessage") or ""
                raise AthenaQueryFailed(f"athena: query {query_id} {state}: {str(reason)[:300]}; fix: check the "
                                        "table and the workgroup (see the query in the Athena console)")
            if waited >= self.options.timeout_s:
                self.stop(query_id)
                raise AthenaQueryFailed(f"athena: query {query_id} still {state} after {waited:.0f} s: stopped; "
                                        "fix: shorten --lookback/--since, or rerun")
            self.sleep(delay)
            waited += delay
            delay = min(delay * 2, 2.0)

    def stop(self, query_id: str) -> None:
        try:
            self.athena.stop_query_execution(QueryExecutionId=query_id)
        except botocore.exceptions.BotoCoreError:
            pass  # best effort: the interrupt or the failure being reported matters more
        except botocore.exceptions.ClientError:
            pass

    def rows(self, query_id: str) -> tuple[list[str], list[list[str | None]]]:
        """(column names, rows of text values; None for SQL NULL), every page."""
        names: list[str] = []
        out: list[list[str | None]] = []
        token: str | None = None
        first = True
        while True:
            kwargs: dict[str, Any] = {"QueryExecutionId": query_id, "MaxResults": PAGE_SIZE}
            if token:
                kwargs["NextToken"] = token
            page = self.athena.get_query_results(**kwargs)
            result = page.get("ResultSet", {})
            if not names:
                names = [c.get("Name") or c.get("Label", "") for c in result.get("ResultSetMetadata", {})
                         .get("ColumnInfo", [])]
            for n, row in enumerate(result.get("Rows", [])):
                values = [d.get("VarCharValue") if "VarCharValue" in d else None for d in row.get("Data", [])]
                if first and n == 0 and (values == names or not names):
                    names = names or [v or "" for v in values]
                    continue  # a SELECT's first row is its header
                out.append(values)
            first = False
            token = page.get("NextToken")
            if not token:
                return names, out

    def query(self, sql: str, database: str) -> AthenaResult:
        """Start ``sql``, wait for it, read every row; Ctrl-C stops the query before going on."""
        query_id = self.start(sql, database)
        try:
            execution = self.wait(query_id)
            names, rows = self.rows(query_id)
        except KeyboardInterrupt:
            self.stop(query_id)
            raise
        scanned = int(execution.get("Statistics", {}).get("DataScannedInBytes") or 0)
        return AthenaResult(names, rows, scanned, query_id, cost_text(scanned), cost_usd(scanned))
