import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]


def test_import_surveys_pulls_in_no_web_or_database_code() -> None:
    code = (
        "import sys, surveys\n"
        "surveys.load_builtin_template()\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('flask', 'sqlalchemy'))\n"
        "print(','.join(bad))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO_ROOT, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == ""


def test_surveys_sources_do_not_mention_flask_or_sqlalchemy_imports() -> None:
    for path in (REPO_ROOT / "surveys").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        for banned in ("import flask", "from flask", "import sqlalchemy", "from sqlalchemy"):
            assert banned not in text, f"{path}: {banned}"
