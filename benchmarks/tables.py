"""Tables the benchmark scripts print: Markdown for BENCHMARKS.md, or aligned plain text."""

from __future__ import annotations

import sys


def table(
    title: str, headers: list[str], rows: list[list[str]], markdown: bool, level: int = 3
) -> None:
    """A Markdown table under a heading of `level`, or aligned plain text; flushed at once
    (long benchmarks print as they go)."""
    print()
    if markdown:
        print(f"{'#' * level} {title}\n")
        print("| " + " | ".join(headers) + " |")
        print("|" + "|".join("---" for _ in headers) + "|")
        for row in rows:
            print("| " + " | ".join(row) + " |")
    else:
        print(title)
        widths = [max(len(x) for x in column) for column in zip(headers, *rows, strict=True)]
        for row in [headers, ["-" * w for w in widths], *rows]:
            print("  ".join(x.ljust(w) for x, w in zip(row, widths, strict=True)).rstrip())
    print()
    sys.stdout.flush()
