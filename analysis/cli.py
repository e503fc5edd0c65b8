"""Command line: ``python -m analysis rank RESPONSES.csv --population POP.csv ...``.

Works on plain CSV files so analysts can use it on exports from other tools. Bad input
ends with a one-line message naming the column or value and exit status 2, never a
traceback.
"""

from __future__ import annotations

import argparse
import csv
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from .columns import Columns
from .csvfile import PADDING, CsvError, EmptyCsv, first_line, parse_csv
from .errors import AnalysisError
from .options import DEFAULT_SEED, METHODS
from .textfiles import read_utf8

EXIT_BAD_INPUT = 2


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (exposed for documentation tools and tests)."""
    parser = argparse.ArgumentParser(
        prog="python -m analysis",
        description="Rank survey problem items, weighted to a population.",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    rank = sub.add_parser("rank", help="weighted ranking with uncertainty to a folder")
    rank.add_argument("responses", type=Path, help="CSV, one row per response")
    rank.add_argument("--population", type=Path,
                      help="population CSV (weighting columns + count, or an SCB export); "
                           "without it the analysis is unweighted")
    rank.add_argument("--group", help="column to break results down by, e.g. age_band")
    rank.add_argument("--weight-by", default="age_band,gender",
                      help="weighting columns, comma-separated (default age_band,gender)")
    rank.add_argument("--method", choices=METHODS, default="poststratify")
    rank.add_argument("--items", required=True, help="item columns, comma-separated")
    rank.add_argument("--positive", default="3,4", help="codes counted as a big problem")
    rank.add_argument("--valid", default="1,2,3,4", help="codes of substantive answers")
    rank.add_argument("--dont-know", default="9", help="'vet ej' codes (may be empty)")
    rank.add_argument("--priorities", help="column with top-3 picks joined by ';'")
    rank.add_argument("--min-n", type=int, default=10, help="suppress below this many answers")
    rank.add_argument("--seed", type=int, default=DEFAULT_SEED)
    rank.add_argument("--n-boot", type=int, default=1000, help="rank-interval simulations")
    rank.add_argument("--trim", type=float, help="cap weights at this multiple of the mean")
    rank.add_argument("--min-cell", type=int, default=5,
                      help="merge post-strata with fewer answers into a neighbouring band")
    rank.add_argument("--labels", type=Path, help="CSV with columns item,label")
    rank.add_argument("--lang", choices=("sv", "en"), default="sv")
    rank.add_argument("--no-charts", action="store_true", help="skip PNG/SVG charts")
    rank.add_argument("--out", type=Path, required=True, help="output folder")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the exit status."""
    args = build_parser().parse_args(argv)
    try:
        return _rank(args)
    except AnalysisError as exc:
        print(f"fel / error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT


def _rank(args: argparse.Namespace) -> int:
    from .population import read_population
    from .ranking import rank_items
    from .report import write_report

    started = time.perf_counter()

    def progress(step: str) -> None:
        print(f"[{time.perf_counter() - started:6.1f} s] {step}", file=sys.stderr, flush=True)

    weight_by = _names(args.weight_by, "--weight-by")
    items = _names(args.items, "--items")
    progress(f"läser / reading {args.responses}")
    responses = read_csv(args.responses)
    population = None
    if args.population is not None:
        progress(f"läser befolkning / reading population {args.population}")
        bands = None
        if weight_by and weight_by[0] in responses.columns:
            bands = sorted({str(b) for b in responses.coded(weight_by[0]).levels})
        population = read_population(args.population, weight_by, bands=bands)
    progress(f"viktar och skattar / weighting and estimating ({len(responses)} svar)")
    result = rank_items(
        responses, population, items, group=args.group, weight_by=weight_by,
        method=args.method if population is not None else "none",
        positive=_codes(args.positive, "--positive"), valid=_codes(args.valid, "--valid"),
        dont_know=_codes(args.dont_know, "--dont-know"), min_n=args.min_n, seed=args.seed,
        n_boot=args.n_boot, priorities=args.priorities, trim=args.trim,
        min_cell=args.min_cell,
    )
    labels = _labels(args.labels) if args.labels else None
    progress(f"skriver / writing {args.out}")
    try:
        files = write_report(result, args.out, labels, args.lang, charts=not args.no_charts)
    except OSError as exc:
        raise AnalysisError(f"cannot write to {args.out}: {exc.strerror}") from None
    progress(f"klart / done: {len(files)} filer / files")
    for note in result.notes:
        print(f"  - {note.text(args.lang)}", file=sys.stderr)
    return 0


def read_csv(path: Path) -> Columns:
    """Read a CSV export: UTF-8 (with or without BOM), UTF-16 with BOM or Windows-1252,
    ',', ';' or tab.

    Only empty fields are missing. Text that other tools read as missing ("NA", "null",
    "#N/A" …) is read as missing too, but counted and reported on standard error, because
    in a survey export it can just as well be someone's answer. A column of numbers is
    float64, any other column text (see :mod:`analysis.csvfile`).
    """
    # A UTF-8 file stays bytes, split without a copy as text (see analysis.csvfile).
    text = read_utf8(path, "file", padding=PADDING)
    try:
        sep = csv.Sniffer().sniff(first_line(text), delimiters=",;\t").delimiter
    except csv.Error:
        sep = ","
    try:
        table, found = parse_csv(text, sep)
    except EmptyCsv:
        raise AnalysisError(f"{path} is empty") from None
    except CsvError as exc:
        raise AnalysisError(f"{path}: {exc}") from None
    if found:
        total = sum(count for _, _, count in found)
        listed = ", ".join(f"{word!r} in {column} ×{count}" for column, word, count in found)
        print(f"{path}: {total} värden lästes som saknade / {total} values read as missing: "
              f"{listed}", file=sys.stderr)
    return table


def _names(text: str, option: str) -> list[str]:
    names = [n.strip() for n in text.split(",") if n.strip()]
    if not names:
        raise AnalysisError(f"{option} is empty")
    return names


def _codes(text: str, option: str) -> list[float]:
    from ._cells import plain_code

    out: list[float] = []
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        try:
            value = float(part)
        except ValueError:
            raise AnalysisError(f"{option}: {part!r} is not a numeric code") from None
        out.append(plain_code(value))
    return out


def _labels(path: Path) -> dict[str, str]:
    table = read_csv(path)
    if not {"item", "label"} <= set(table.columns):
        raise AnalysisError(f"{path} needs columns 'item' and 'label'")
    return dict(zip(map(str, table["item"]), map(str, table["label"]), strict=True))
