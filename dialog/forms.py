"""The base of every form in the app: the form library's own messages ("This field is
required.", "Not a valid date value." …) come from our catalogs, in the page's language.

Flask-WTF's i18n is off (``WTF_I18N_ENABLED``): it would parse WTForms' catalogs on every
request, and they lack Somali and Tigrinya. Instead the messages WTForms can produce for the
fields and validators we use are listed here, so that ``translate update`` extracts them and
translators fill them in like any other string.
"""

from __future__ import annotations

from flask_babel import get_translations, lazy_ngettext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm

# The msgids are WTForms' own, letter for letter: the library asks for them by these words.
LIBRARY_MESSAGES = (
    _l("This field is required."),
    _l("Invalid input."),
    lazy_ngettext("Field must be at least %(min)d character long.",
                  "Field must be at least %(min)d characters long.", 1),
    lazy_ngettext("Field cannot be longer than %(max)d character.",
                  "Field cannot be longer than %(max)d characters.", 1),
    lazy_ngettext("Field must be exactly %(max)d character long.",
                  "Field must be exactly %(max)d characters long.", 1),
    _l("Field must be between %(min)d and %(max)d characters long."),
    _l("Number must be at least %(min)s."),
    _l("Number must be at most %(max)s."),
    _l("Number must be between %(min)s and %(max)s."),
    _l("Field must be equal to %(other_name)s."),
    _l("Invalid value, must be one of: %(values)s."),
    _l("Not a valid choice."),
    _l("Invalid Choice: could not coerce."),
    lazy_ngettext("'%(value)s' is not a valid choice for this field.",
                  "'%(value)s' are not valid choices for this field.", 1),
    _l("Invalid choice(s): one or more data inputs could not be coerced."),
    _l("Not a valid integer value."),
    _l("Not a valid decimal value."),
    _l("Not a valid float value."),
    _l("Not a valid date value."),
)


class CatalogTranslations:
    """What WTForms asks its fields' messages from. The text is returned unformatted: WTForms
    fills in the placeholders itself."""

    def gettext(self, string: str) -> str:
        return get_translations().ugettext(string)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return get_translations().ungettext(singular, plural, n)


_CATALOG = CatalogTranslations()


class Form(FlaskForm):
    """FlaskForm whose built-in messages follow the page's language."""

    class Meta:
        def get_translations(self, form) -> CatalogTranslations:
            return _CATALOG
