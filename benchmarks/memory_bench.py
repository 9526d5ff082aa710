"""Where a large import's memory goes: the process's resident set after each step the import route takes.

    .venv/bin/python benchmarks/generate.py --nodes 100000 --edges 500000 --seed 7 > big.json
    .venv/bin/python benchmarks/memory_bench.py big.json

The steps are the replace import's, in one process: read the body, parse it (``parse_document``, as the route does), build the
chain from the parsed document (``Chain.from_dict(consume=True)``, which takes the document
apart as it goes), drop the document, compile and compute the warnings, drop the body, analyse.
After each: the resident set (VmRSS) and its peak since the step began (VmHWM, reset through
``/proc/self/clear_refs``), in MB. After the document is dropped, Python's small-object allocator
also says how much of its memory live objects hold and how much is free but kept (freed blocks in
arenas that still hold live objects, which the process cannot give back). Linux only.
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from obligraph.graph.analysis import analyze  # noqa: E402
from obligraph.graph.catalog import load_catalog  # noqa: E402
from obligraph.graph.chain import Chain  # noqa: E402
from obligraph.graph.checks import chain_warnings  # noqa: E402
from obligraph.graph.document import parse_document  # noqa: E402


def resident_mb() -> tuple[int, int]:
    """(VmRSS, VmHWM) of this process in MB."""
    fields = dict(line.split(":", 1) for line in Path("/proc/self/status").read_text().splitlines() if ":" in line)
    return int(fields["VmRSS"].split()[0]) // 1024, int(fields["VmHWM"].split()[0]) // 1024


def step(label: str) -> None:
    now, peak = resident_mb()
    print(f"{label:<40} {now:7,} MB  (peak during the step {peak:7,} MB)", flush=True)
    Path("/proc/self/clear_refs").write_text("5")  # the next step's peak starts from here


def small_object_memory() -> None:
    """The two totals of ``sys._debugmallocstats()``, which writes to the C-level stderr."""
    with tempfile.TemporaryFile() as capture:
        saved = os.dup(2)
        os.dup2(capture.fileno(), 2)
        try:
            sys._debugmallocstats()
        finally:
            os.dup2(saved, 2)
            os.close(saved)
        capture.seek(0)
        for line in capture.read().decode().splitlines():
            if line.startswith(("# bytes in allocated blocks", "# bytes in available blocks")):
                label, value = line[2:].split("=")
                print(f"  small objects, {label.strip():<34} {int(value.replace(',', '')) // 2**20:7,} MB")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", type=Path, help="a chain@1 JSON file (benchmarks/generate.py writes one)")
    args = parser.parse_args(argv)
    load_catalog("meti-2011")
    step("start (catalog loaded)")
    body = args.path.read_bytes()
    step("body read")
    document = parse_document(body, "json")
    step("parsed")
    chain = Chain.from_dict(document, consume=True)
    step("chain built (document consumed)")
    del document
    gc.collect()
    step("document dropped")
    small_object_memory()
    chain_warnings(chain)
    step("compiled, warnings")
    del body
    step("body dropped")
    analyze(chain)
    step("analysed (every control)")


if __name__ == "__main__":
    main()
