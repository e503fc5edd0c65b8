"""analysis/ stays framework-free: importing it must not pull in Flask or SQLAlchemy, and a
command-line run needs neither pandas nor scipy (their imports cost more than the analysis)."""

from tests.analysis.helpers import REPO_ROOT, packages_loaded

REFERENCE = REPO_ROOT.parent / "shared" / "fixtures" / "survey-reference"
RESPONSES, POPULATION = REFERENCE / "public_responses.csv", REFERENCE / "public_population.csv"


def test_import_analysis_pulls_in_no_web_or_orm_framework():
    code = "import analysis, analysis.charts, analysis.report, analysis.cli"
    assert packages_loaded(code, ("flask", "sqlalchemy", "flask_sqlalchemy", "werkzeug")) == set()


def test_a_command_line_run_imports_neither_pandas_nor_scipy(tmp_path):
    """``python -m analysis rank`` reads, weights, estimates and writes its three files
    without pandas or scipy."""
    items = ("nedskrapning,klotter,belysning,fortkorning,buskorning,ungdomar_stor,berusade,"
             "narkotikahandel,inbrott,ungdomskriminalitet")
    code = (
        "from analysis.cli import main\n"
        "for extra in ([], ['--group', 'age_band', '--method', 'rake']):\n"
        f"    status = main(['rank', {str(RESPONSES)!r}, '--population', {str(POPULATION)!r},\n"
        f"                   '--items', {items!r}, '--no-charts',\n"
        f"                   '--out', {str(tmp_path / 'out')!r}, *extra])\n"
        "    assert status == 0, status\n"
    )
    assert packages_loaded(code, ("pandas", "scipy", "matplotlib")) == set()
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "ranking.csv", "ranking.xlsx", "summary.json"]


def test_a_command_line_run_with_charts_imports_neither_pandas_nor_scipy(tmp_path):
    """The charts are laid out from the result's columns and drawn with the font file
    found on disk: the command a person runs (charts included) needs no pandas, scipy or
    matplotlib either."""
    code = (
        "from analysis import drawing\n"
        "from analysis.cli import main\n"
        f"status = main(['rank', {str(RESPONSES)!r}, '--population', {str(POPULATION)!r},\n"
        "               '--items', 'nedskrapning,klotter,belysning,inbrott',\n"
        f"               '--group', 'age_band', '--out', {str(tmp_path / 'out')!r}])\n"
        "assert status == 0, status\n"
        "assert drawing._font_file(False) is not None  # DejaVu Sans, not Pillow's fallback\n"
    )
    assert packages_loaded(code, ("pandas", "scipy", "matplotlib")) == set()
    assert {p.name for p in (tmp_path / "out").iterdir()} >= {
        f"{name}.{fmt}" for name in ("dotplot", "heatmap", "small_multiples")
        for fmt in ("png", "svg")}
