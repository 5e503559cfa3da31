"""Run by bench.invoices in a fresh process: the CSV export of one workspace, fully consumed.

Prints one JSON line: the rows read, and ``ru_maxrss`` (KiB) before the export and after it.
"""

from __future__ import annotations

import csv
import json
import resource
import sys
from collections.abc import Iterable, Iterator


def _decoded(chunks: Iterable[bytes]) -> Iterator[str]:
    for chunk in chunks:
        yield chunk.decode("utf-8")


def run(owner_email: str) -> dict[str, int]:
    from bench.common import setup_django_only, signed_in_client

    setup_django_only()
    from django.contrib.auth import get_user_model

    client = signed_in_client(get_user_model().objects.get(email=owner_email))
    baseline_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    response = client.get("/invoices/export.csv")
    if response.status_code != 200:
        raise SystemExit(f"the export answered {response.status_code}")
    lines = sum(1 for _ in csv.reader(_decoded(response.streaming_content)))
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {"rows": lines - 1, "baseline_kb": baseline_kb, "peak_kb": peak_kb}


if __name__ == "__main__":
    print(json.dumps(run(sys.argv[1])))
