"""The medborgarlöfte cycle: draft with focus problems and åtgärder, sign, follow up.

The åtgärder are measures of the åtgärdsplan (``dialog.atgardsplan``) that belong to the
löfte; this module writes them through the register's service.

Functions raise :class:`PromiseError` for input staff can correct (shown on the form, 422)
and :class:`PromiseStateError` for a step that does not fit the löfte's status (409).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from surveys import analysis_spec

from ..atgardsplan import service as measures
from ..atgardsplan.models import STATUSES, Measure
from ..extensions import db
from ..models import SurveyRecord, utcnow
from ..services import catalog
from .models import Promise

MAX_FOCUS = 3


class PromiseError(ValueError):
    """Input that staff can correct; the message is shown to them."""


class PromiseStateError(ValueError):
    """The step does not fit the löfte's status (e.g. editing a signed löfte)."""


def promise_for(record: SurveyRecord) -> Promise | None:
    return db.session.scalar(select(Promise).where(Promise.survey_id == record.id))


def _clean_text(text: dict[str, str], required: str | None, what: str) -> dict[str, str]:
    cleaned = {lang: value.strip() for lang, value in text.items() if value and value.strip()}
    if required and required not in cleaned:
        raise PromiseError(what)
    return cleaned


def create_promise(record: SurveyRecord, title: dict[str, str], period_start: int,
                   period_end: int, items: list[str]) -> Promise:
    """Start a draft löfte for a survey round with 1–3 focus problems (item codes)."""
    if promise_for(record) is not None:
        raise PromiseStateError("exists")
    survey = catalog.definition_of(record.current_version)
    known = analysis_spec(survey).item_codes
    items = list(dict.fromkeys(items))
    if not 1 <= len(items) <= MAX_FOCUS:
        raise PromiseError("focus_count")
    if any(item not in known for item in items):
        raise PromiseError("focus_unknown")
    if period_end < period_start:
        raise PromiseError("period")
    promise = Promise(
        survey_id=record.id,
        title=_clean_text(title, survey.default_language, "title"),
        period_start=period_start, period_end=period_end, status="draft",
        focus=[{"item": item} for item in items], signatories=[],
    )
    db.session.add(promise)
    db.session.commit()
    return promise


def _require(promise: Promise, *statuses: str) -> None:
    if promise.status not in statuses:
        raise PromiseStateError(promise.status)


def _touch(promise: Promise) -> None:
    promise.updated_at = utcnow()
    db.session.commit()


@dataclass(frozen=True)
class ActionInput:
    """An åtgärd as staff write it: for which focus problem, what, who, when, and how it is
    followed up (texts per language)."""

    item: str
    what: dict[str, str]
    responsible: str
    responsible_name: str
    starts: date
    ends: date
    follow_up: dict[str, str]


def actions_by_focus(promise: Promise) -> dict[str, list[Measure]]:
    """The löfte's åtgärder – measures of the åtgärdsplan – per focus problem, in the order
    residents read them."""
    actions: dict[str, list[Measure]] = {f["item"]: [] for f in promise.focus}
    for measure in measures.measures_of_promise(promise):
        actions.setdefault(measure.problem_code, []).append(measure)
    return actions


def _measure_input(promise: Promise, given: ActionInput,
                   default_language: str) -> measures.MeasureInput:
    """The åtgärd as a measure; a löfte's åtgärd addresses one of its focus problems and says
    how it is followed up. The register checks the rest."""
    if not any(f["item"] == given.item for f in promise.focus):
        raise PromiseError("focus_unknown")
    _clean_text(given.follow_up, default_language, "follow_up")
    return measures.MeasureInput(
        what=given.what, how=given.follow_up, problem_kind="item", problem_code=given.item,
        survey_id=promise.survey_id, responsible=given.responsible,
        responsible_name=given.responsible_name, starts=given.starts, ends=given.ends)


def add_action(promise: Promise, given: ActionInput, default_language: str) -> int:
    """Add an åtgärd at the end of its focus problem in a draft; returns its id."""
    _require(promise, "draft")
    try:
        measure = measures.create_measure(_measure_input(promise, given, default_language),
                                          promise_id=promise.id, language=default_language)
    except measures.MeasureError as exc:
        raise PromiseError(str(exc)) from exc
    _touch(promise)
    return measure.id


def find_action(promise: Promise, action_id: int) -> tuple[str, Measure]:
    """The focus problem (item code) an åtgärd belongs to, and the åtgärd."""
    measure = measures.find_measure(action_id)
    if measure is None or measure.promise_id != promise.id:
        raise PromiseError("action_unknown")
    return measure.problem_code, measure


def update_action(promise: Promise, action_id: int, given: ActionInput,
                  default_language: str) -> None:
    """Rewrite an åtgärd of a draft. Moved to another focus problem, it goes last there."""
    _require(promise, "draft")
    _item, measure = find_action(promise, action_id)
    try:
        measures.update_measure(measure, _measure_input(promise, given, default_language),
                                language=default_language, keep_promise_problem=False)
    except measures.MeasureError as exc:
        raise PromiseError(str(exc)) from exc
    _touch(promise)


def move_action(promise: Promise, action_id: int, step: int) -> None:
    """Move an åtgärd of a draft one place up (-1) or down (+1) within its focus problem; the
    public page lists them in this order. At either end it stays where it is."""
    _require(promise, "draft")
    item, _measure = find_action(promise, action_id)
    measures.move_within(actions_by_focus(promise)[item], action_id, step)
    _touch(promise)


def remove_action(promise: Promise, action_id: int) -> None:
    _require(promise, "draft")
    measures.remove_measure(find_action(promise, action_id)[1])
    _touch(promise)


def check_signable(promise: Promise, signatories: list[tuple[str, str]]) -> list[dict[str, str]]:
    """What signing checks, without signing: a draft, an åtgärd for every focus problem, a
    signatory. Returns the signatories as they will be stored."""
    _require(promise, "draft")
    if any(not actions for actions in actions_by_focus(promise).values()):
        raise PromiseError("focus_without_action")
    people = [{"name": n.strip(), "role": r.strip()} for n, r in signatories if n.strip()]
    if not people:
        raise PromiseError("signatories")
    return people


def as_signed(promise: Promise, signatories: list[tuple[str, str]], signed_on: date) -> Promise:
    """An unsaved copy of the draft as it will be published once signed: what the
    confirmation step shows (with the draft's åtgärder, ``actions_by_focus(promise)``)."""
    people = check_signable(promise, signatories)
    return Promise(survey_id=promise.survey_id, title=promise.title,
                   period_start=promise.period_start, period_end=promise.period_end,
                   status="signed", focus=promise.focus, signatories=people,
                   signed_on=signed_on)


def sign(promise: Promise, signatories: list[tuple[str, str]], signed_on: date) -> None:
    """Sign a draft: every focus problem needs an åtgärd, and at least one signatory."""
    promise.signatories = check_signable(promise, signatories)
    promise.signed_on = signed_on
    promise.status = "signed"
    promise.updated_at = utcnow()
    db.session.commit()


def add_followup(promise: Promise, action_id: int, status: str, comment: dict[str, str],
                 on: date, author: str | None) -> None:
    """Record how an åtgärd is going; the first follow-up moves the löfte to followed up."""
    _require(promise, "signed", "followed_up")
    if status not in STATUSES:
        raise PromiseError("followup_status")
    measures.add_followup(find_action(promise, action_id)[1], on, comment, status, author)
    promise.status = "followed_up"
    _touch(promise)
