"""One sanitiser per output kind: data (names, tags, descriptions from clouds and billing files)
made inert where it is written.

- :mod:`.csv_cells` — spreadsheet cells (formula injection, control characters);
- :mod:`.markdown_text` — Markdown for PR comments and step summaries (mentions, fences,
  pipes, links, raw HTML, newlines);
- :mod:`.xml_text` — JUnit/XML text (characters XML 1.0 cannot carry, CDATA terminators);
- :mod:`.json_text` — JSON documents shown on a terminal (C1 and bidi characters as ``\\u`` escapes);
- terminal text is :func:`costopt.terminal.safe`, shell words :func:`costopt.rules.shell.arg`,
  HTML Jinja2's autoescape and :func:`costopt.reports.fmt.safe_json`.

Every writer of that kind goes through its module; tests feed hostile strings through each.
"""

import re

# C0 and C1 control characters (ESC starts ANSI sequences), DEL, line/paragraph separators and
# the bidi controls that reorder what is shown. Tab, LF and CR are listed: each sink decides.
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def visible(match: "re.Match[str]") -> str:
    """A matched control character as its escape, shown rather than acted on (``\\x1b``, ``\\u202e``)."""
    code = ord(match.group(0))
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"
