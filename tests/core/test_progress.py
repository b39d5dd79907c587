"""Progress lines: one write per whole line, so processes sharing stderr never split a line."""

from __future__ import annotations

import io
import re

from costopt.progress import Progress


class Writes(io.RawIOBase):
    """An unbuffered sink like a redirected stderr's, recording each write it receives."""

    def __init__(self) -> None:
        self.chunks: list[bytes] = []

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        self.chunks.append(bytes(data))
        return len(data)


def test_each_line_reaches_the_stream_in_one_write():
    sink = Writes()
    stream = io.TextIOWrapper(sink, encoding="utf-8", write_through=True)  # how Python sets up stderr
    progress = Progress(stream=stream)
    progress("aws 123456789012 eu-west-1: ec2 instances")
    progress("aws 123456789012: s3 buckets")
    assert len(sink.chunks) == 2
    for chunk in sink.chunks:
        assert re.fullmatch(rb"\[\s*\d+\.\ds\] aws 123456789012.*\n", chunk), chunk


def test_quiet_writes_nothing():
    sink = Writes()
    Progress(quiet=True, stream=io.TextIOWrapper(sink, write_through=True))("hidden")
    assert sink.chunks == []
