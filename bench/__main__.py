"""``python -m bench``: how far one laptop goes (see BENCHMARKS.md). It works on data of its own
in a temporary folder; no database of the user's is touched."""

from __future__ import annotations

import argparse
import sys

from bench import run


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="tiny sizes, about a minute")
    parser.add_argument("--json", action="store_true", help="the figures as JSON, last line")
    args = parser.parse_args(argv)
    return run(quick=args.quick, as_json=args.json)


if __name__ == "__main__":
    sys.exit(main())
