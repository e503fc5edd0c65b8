"""The tables several features share: survey rounds and versions, responses, population
tables, the audit log, staff accounts, the results derived from responses (response facts
and stored dashboard results) and the salts of the repeat tags. A feature's own tables are in
its ``models.py``.

Answers are stored as one JSON document per response, keyed by field name, so that a survey
version can change its questions without schema changes."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Index,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    event,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .extensions import db


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


class SurveyRecord(db.Model):
    """A survey round as staff see it: slug, status, opening dates, the published version."""

    __tablename__ = "survey"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    status: Mapped[str] = mapped_column(String(16), default="open")  # draft | open | closed
    # False: open by its own link only (a test round, a school's round), not on the start page.
    listed: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    opens_at: Mapped[datetime | None]
    closes_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    current_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("survey_version.id", use_alter=True, name="fk_survey_current_version")
    )

    # Joined: every resident request needs the current version's id and fingerprint.
    current_version: Mapped[SurveyVersion | None] = relationship(
        foreign_keys=[current_version_id], post_update=True, lazy="joined"
    )
    versions: Mapped[list[SurveyVersion]] = relationship(
        back_populates="survey", foreign_keys="SurveyVersion.survey_id",
        order_by="SurveyVersion.number",
    )


class SurveyVersion(db.Model):
    """One published definition. Immutable once it exists: responses point at it."""

    __tablename__ = "survey_version"
    __table_args__ = (UniqueConstraint("survey_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("survey.id"))
    number: Mapped[int]
    # Deferred: the parsed definition is cached per process (catalog.definition_of), so the
    # JSON document is only read and decoded the first time a process meets a version.
    definition: Mapped[dict] = mapped_column(JSON, deferred=True)
    fingerprint: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    survey: Mapped[SurveyRecord] = relationship(
        back_populates="versions", foreign_keys=[survey_id]
    )


@event.listens_for(SurveyVersion, "before_update")
def _refuse_version_change(mapper, connection, target: SurveyVersion) -> None:
    # Responses must always be readable against the exact wording they answered.
    raise ValueError("a published survey version is never modified; publish a new version")


class Response(db.Model):
    """One resident's answers. No IP address, user agent or identity is ever stored here."""

    __tablename__ = "response"
    __table_args__ = (Index("ix_response_version_status", "version_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("survey_version.id"))
    # sha256 of the resume token held in the resident's signed cookie; null once closed.
    token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    # partial | complete | excluded (a likely repeat staff left out of the analysis, or a
    # voided paper questionnaire: then ``void_reason`` says why)
    status: Mapped[str] = mapped_column(String(16), default="partial")
    channel: Mapped[str] = mapped_column(String(16), default="web")  # web | kiosk | paper
    language: Mapped[str] = mapped_column(String(8))
    page_index: Mapped[int] = mapped_column(default=0)
    answers: Mapped[dict] = mapped_column(JSON, default=dict)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    completed_at: Mapped[datetime | None]
    # Not an address: a keyed hash with a salt of the day that is deleted, wiped after a
    # couple of days; only to show staff likely repeat answers (see dialog/repeats.py).
    client_tag: Mapped[str | None] = mapped_column(String(32))
    # The sampling stratum of an answer given with an invitation code (a sampled round);
    # never the code or the person (docs/sampling.md).
    sample_stratum: Mapped[str | None] = mapped_column(String(120))
    # Why staff voided a mis-keyed paper questionnaire (see dialog/paper/service.py).
    void_reason: Mapped[str | None] = mapped_column(Text)

    version: Mapped[SurveyVersion] = relationship()


class PopulationTable(db.Model):
    """One uploaded population table; rows are ``{"age_band", "gender", "count"}``."""

    __tablename__ = "population_table"

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("survey.id"), index=True)
    source: Mapped[str] = mapped_column(Text)
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)
    rows: Mapped[list] = mapped_column(JSON)
    uploaded_by: Mapped[str | None] = mapped_column(String(255))


class AuditEvent(db.Model):
    """Who did what and when in the staff area; never what a resident wrote."""

    __tablename__ = "audit_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor: Mapped[str | None] = mapped_column(String(255))
    action: Mapped[str] = mapped_column(String(64))
    target: Mapped[str | None] = mapped_column(String(255))
    detail: Mapped[str | None] = mapped_column(Text)


class User(db.Model):
    """A staff member, police contact or councillor. Residents never have accounts."""

    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(255), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16))  # admin | staff | councillor
    # kommun | polis: whom the account approves a lägesbild for (None: neither).
    organisation: Mapped[str | None] = mapped_column(String(16))
    language: Mapped[str] = mapped_column(String(8), default="sv")
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Raised to end every session of the account (dialog.auth): sign-out, new password,
    # deactivation.
    session_generation: Mapped[int] = mapped_column(default=0, server_default="0")

    # Flask-Login protocol
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        # The generation travels in the session cookie, so raising it ends older sessions.
        return f"{self.id}:{self.session_generation}"


class FailedLogin(db.Model):
    """One failed sign-in. ``account`` is the sha256 of the typed e-mail address, so that
    unknown addresses are throttled alike and nothing a visitor typed is kept readable."""

    __tablename__ = "staff_failed_login"
    __table_args__ = (Index("ix_staff_failed_login_account_at", "account", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    account: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(default=utcnow)


class ResponseFact(db.Model):
    """The analysed fields of one complete response (see ``services/results/facts.py``)."""

    __tablename__ = "response_fact"
    # Covers the dashboard's read and its data stamp without touching the rows' pages.
    __table_args__ = (Index("ix_response_fact_survey", "survey_id", "excluded", "response_id"),)

    response_id: Mapped[int] = mapped_column(
        ForeignKey("response.id", ondelete="CASCADE"), primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("survey.id"))
    layout: Mapped[str] = mapped_column(String(16))
    channel: Mapped[str] = mapped_column(String(16))
    language: Mapped[str] = mapped_column(String(8))
    age_band: Mapped[str | None] = mapped_column(String(64))
    gender: Mapped[str | None] = mapped_column(String(64))
    area: Mapped[str | None] = mapped_column(String(64))
    codes: Mapped[str] = mapped_column(Text)
    priorities: Mapped[str] = mapped_column(Text, default="")
    excluded: Mapped[bool] = mapped_column(Boolean, default=False)


class StoredResults(db.Model):
    """The newest computed results of one round – of everyone (``selection`` empty) and of
    each selection a councillor looked at – shared by every app server."""

    __tablename__ = "dashboard_result"

    survey_id: Mapped[int] = mapped_column(ForeignKey("survey.id"), primary_key=True)
    selection: Mapped[str] = mapped_column(String(200), primary_key=True, default="",
                                           server_default="")
    data_version: Mapped[str] = mapped_column(String(64))
    computed_at: Mapped[datetime] = mapped_column(default=utcnow)
    payload: Mapped[bytes] = mapped_column(LargeBinary)


class ClientSalt(db.Model):
    """The random salt of one day's client tags; deleted the day after next (see ``repeats.py``)."""

    __tablename__ = "client_salt"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    salt: Mapped[str] = mapped_column(String(64))
