"""The accessibility statement (tillgänglighetsredogörelse), required by lag (2018:1937).

Problems are reported by e-mail or phone to the municipality: the contact details come from
the configuration (``ACCESSIBILITY_EMAIL``, ``ACCESSIBILITY_PHONE``, ``ORGANISATION_NAME``),
so a resident reaches a person who can help rather than a form nobody reads.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app

SUPERVISOR_URL = "https://www.digg.se/tdosanmalan"


@dataclass(frozen=True)
class Contact:
    organisation: str
    email: str | None
    phone: str | None

    @property
    def phone_uri(self) -> str | None:
        return "tel:" + "".join(c for c in self.phone if c.isdigit() or c == "+") \
            if self.phone else None


def accessibility_contact() -> Contact:
    config = current_app.config
    return Contact(
        organisation=config["ORGANISATION_NAME"],
        email=config["ACCESSIBILITY_EMAIL"],
        phone=config["ACCESSIBILITY_PHONE"],
    )


def statement_context() -> dict:
    return {"contact": accessibility_contact(), "supervisor_url": SUPERVISOR_URL}
