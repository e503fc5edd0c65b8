"""The export form. Labels are lazy: they are evaluated at import time."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, RadioField, SelectField
from wtforms.fields.choices import SelectChoice

from ..forms import Form


class ExportForm(Form):
    class Meta:
        csrf = False  # a GET download link; exports change nothing but the audit log

    format = RadioField(_l("Format"), default="csv",
                        choices=[SelectChoice("csv", "CSV"), SelectChoice("xlsx", "Excel (XLSX)")])
    delimiter = SelectField(_l("Separator (CSV)"),
                            choices=[SelectChoice("semicolon", _l("Semicolon – Swedish Excel")),
                                     SelectChoice("comma", _l("Comma"))],
                            default="semicolon")
    bom = BooleanField(_l("UTF-8 BOM (CSV) – lets Excel recognise å, ä, ö"), default=True)
