"""Turn the domain's answer-error codes into plain-language messages in the page's language."""

from __future__ import annotations

from flask_babel import format_decimal, ngettext
from flask_babel import gettext as _

from surveys import FieldError

from ..templating import local_date


def error_message(error: FieldError) -> str:
    params = error.params or {}
    code = error.code
    if code == "required":
        return _("Please answer this question.")
    if code == "invalid_choice":
        return _("Choose one of the alternatives shown.")
    if code == "too_many":
        num = int(params.get("max", 1))
        return ngettext("Choose at most %(num)d alternative.",
                        "Choose at most %(num)d alternatives.", num)
    if code == "too_long":
        return _("Write at most %(max)s characters. You have written %(length)s.",
                 max=format_decimal(params.get("max", 0)),
                 length=format_decimal(params.get("length", 0)))
    if code == "not_a_number":
        return _("Write a number, for example 12.")
    if code == "not_an_integer":
        return _("Write a whole number, without decimals.")
    if code == "out_of_range":
        low, high = params.get("min"), params.get("max")
        if low is not None and high is not None:
            return _("Write a number from %(low)s to %(high)s.",
                     low=format_decimal(low), high=format_decimal(high))
        if low is not None:
            return _("Write a number that is %(low)s or more.", low=format_decimal(low))
        return _("Write a number that is %(high)s or less.", high=format_decimal(high))
    if code == "not_a_date":
        return _("Write a date as year-month-day, for example 2024-03-14.")
    if code == "date_out_of_range":
        low, high = (local_date(params[k]) if params.get(k) else None for k in ("min", "max"))
        if low is not None and high is not None:
            return _("Write a date from %(low)s to %(high)s.", low=low, high=high)
        if low is not None:
            return _("Write a date on or after %(low)s.", low=low)
        return _("Write a date on or before %(high)s.", high=high)
    if code == "not_on_map":
        return _("The place marked on the map is outside the area of this survey. Mark it "
                 "again, choose a place from the list or write a street or landmark.")
    if code == "place_missing":
        return _("Choose a place from the list, write a street or landmark, or mark it on "
                 "the map – or clear the answers about this place.")
    return _("Check your answer to this question.")
