"""A faster timestamp parser for botocore's responses.

Why: botocore parses every timestamp in a response with ``dateutil.parser``: 132 µs each on
our 2-core machine, against 1.0 µs here (``timeit`` on ``2026-11-20T12:00:00.000Z``). A 14-day
CloudWatch series at 5 minutes has 4,032 timestamps, about half a second of CPU per series with
dateutil; EC2 listings pay it per item too. AWS sends ISO 8601 with an explicit zone, which
``datetime.fromisoformat`` reads directly. Anything else (epoch numbers, RFC 822
dates, strings without a zone) goes to botocore's own parser, so the values are the same.

The parser is installed through botocore's ``response_parser_factory`` session component,
the hook botocore provides for it; it applies to clients made from that session afterwards.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from botocore.utils import parse_timestamp as botocore_parse_timestamp


def parse_timestamp(value: Any) -> datetime:
    """ISO 8601 with a zone -> aware datetime; everything else as botocore parses it."""
    if isinstance(value, str) and len(value) >= 20 and value[4:5] == "-" and value[10:11] == "T":
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            parsed = None
        if parsed is not None and parsed.tzinfo is not None:
            return parsed
    return botocore_parse_timestamp(value)


def install(session: Any) -> None:
    """Make clients created from ``session`` (a boto3 Session) parse timestamps with :func:`parse_timestamp`."""
    botocore_session = session._session  # boto3 keeps its botocore session here; there is no public getter
    botocore_session.get_component("response_parser_factory").set_parser_defaults(timestamp_parser=parse_timestamp)
