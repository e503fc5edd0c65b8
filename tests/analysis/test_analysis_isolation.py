"""analysis/ stays framework-free: importing it must not pull in Flask or SQLAlchemy."""

import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]


def test_import_analysis_pulls_in_no_web_or_orm_framework():
    code = (
        "import sys, analysis, analysis.charts, analysis.report, analysis.cli\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in "
        "('flask', 'sqlalchemy', 'flask_sqlalchemy', 'werkzeug'))\n"
        "print(','.join(bad))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], cwd=REPO_ROOT, capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == ""


def test_a_command_line_run_imports_neither_pandas_nor_scipy(tmp_path):
    """``python -m analysis rank`` reads, weights, estimates and writes its three files
    without pandas or scipy, whose imports used to cost more than the analysis itself."""
    reference = REPO_ROOT.parent / "shared" / "fixtures" / "survey-reference"
    items = ("nedskrapning,klotter,belysning,fortkorning,buskorning,ungdomar_stor,berusade,"
             "narkotikahandel,inbrott,ungdomskriminalitet")
    code = (
        "import sys\n"
        "from analysis.cli import main\n"
        "for extra in ([], ['--group', 'age_band', '--method', 'rake']):\n"
        f"    status = main(['rank', {str(reference / 'public_responses.csv')!r},\n"
        f"                   '--population', {str(reference / 'public_population.csv')!r},\n"
        f"                   '--items', {items!r}, '--no-charts',\n"
        f"                   '--out', {str(tmp_path / 'out')!r}, *extra])\n"
        "    assert status == 0, status\n"
        "print(','.join(sorted({m.split('.')[0] for m in sys.modules}\n"
        "                      & {'pandas', 'scipy', 'matplotlib'})))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], cwd=REPO_ROOT, capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == ""
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "ranking.csv", "ranking.xlsx", "summary.json"]


def test_a_command_line_run_with_charts_imports_neither_pandas_nor_scipy(tmp_path):
    """The charts are laid out from the result's columns and drawn with the font file
    found on disk: the command a person runs (charts included) needs no pandas, scipy or
    matplotlib either."""
    reference = REPO_ROOT.parent / "shared" / "fixtures" / "survey-reference"
    code = (
        "import sys\n"
        "from analysis import drawing\n"
        "from analysis.cli import main\n"
        f"status = main(['rank', {str(reference / 'public_responses.csv')!r},\n"
        f"               '--population', {str(reference / 'public_population.csv')!r},\n"
        "               '--items', 'nedskrapning,klotter,belysning,inbrott',\n"
        f"               '--group', 'age_band', '--out', {str(tmp_path / 'out')!r}])\n"
        "assert status == 0, status\n"
        "assert drawing._font_file(False) is not None  # DejaVu Sans, not Pillow's fallback\n"
        "print(','.join(sorted({m.split('.')[0] for m in sys.modules}\n"
        "                      & {'pandas', 'scipy', 'matplotlib'})))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], cwd=REPO_ROOT, capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == ""
    assert {p.name for p in (tmp_path / "out").iterdir()} >= {
        f"{name}.{fmt}" for name in ("dotplot", "heatmap", "small_multiples")
        for fmt in ("png", "svg")}
