"""The medborgarlöfte cycle: draft with focus problems and åtgärder, sign, follow up.

Functions raise :class:`PromiseError` for input staff can correct (shown on the form, 422)
and :class:`PromiseStateError` for a step that does not fit the löfte's status (409).
"""

from __future__ import annotations

import copy
import secrets
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from surveys import analysis_spec

from ..extensions import db
from ..models import SurveyRecord, utcnow
from ..services import catalog
from .models import Promise

MAX_FOCUS = 3
RESPONSIBLE = ("kommun", "polis", "annan")
FOLLOW_UP_STATUSES = ("done", "in_progress", "not_started")


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
        focus=[{"item": item, "actions": []} for item in items], signatories=[],
    )
    db.session.add(promise)
    db.session.commit()
    return promise


def _require(promise: Promise, *statuses: str) -> None:
    if promise.status not in statuses:
        raise PromiseStateError(promise.status)


def _save(promise: Promise, focus: list[dict]) -> None:
    # A new list object: SQLAlchemy tracks JSON columns by assignment, not by mutation.
    promise.focus = focus
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


def _checked(focus: list[dict], given: ActionInput, default_language: str) -> dict:
    """The stored fields of an åtgärd (without id and follow-ups), or PromiseError."""
    if not any(f["item"] == given.item for f in focus):
        raise PromiseError("focus_unknown")
    if given.responsible not in RESPONSIBLE:
        raise PromiseError("responsible")
    if given.responsible == "annan" and not given.responsible_name.strip():
        raise PromiseError("responsible_name")
    if given.ends < given.starts:
        raise PromiseError("dates")
    return {
        "what": _clean_text(given.what, default_language, "what"),
        "responsible": given.responsible, "responsible_name": given.responsible_name.strip(),
        "start": given.starts.isoformat(), "end": given.ends.isoformat(),
        "follow_up": _clean_text(given.follow_up, default_language, "follow_up"),
    }


def add_action(promise: Promise, given: ActionInput, default_language: str) -> str:
    """Add an åtgärd at the end of its focus problem in a draft; returns its id."""
    _require(promise, "draft")
    focus = copy.deepcopy(promise.focus)
    fields = _checked(focus, given, default_language)
    action_id = secrets.token_hex(4)
    target = next(f for f in focus if f["item"] == given.item)
    target["actions"].append({"id": action_id, **fields, "followups": []})
    _save(promise, focus)
    return action_id


def find_action(promise: Promise, action_id: str) -> tuple[str, dict]:
    """The focus problem (item code) an åtgärd belongs to, and the åtgärd."""
    for f in promise.focus:
        for action in f["actions"]:
            if action["id"] == action_id:
                return f["item"], action
    raise PromiseError("action_unknown")


def update_action(promise: Promise, action_id: str, given: ActionInput,
                  default_language: str) -> None:
    """Rewrite an åtgärd of a draft. Moved to another focus problem, it goes last there."""
    _require(promise, "draft")
    focus = copy.deepcopy(promise.focus)
    fields = _checked(focus, given, default_language)
    for f in focus:
        for index, action in enumerate(f["actions"]):
            if action["id"] != action_id:
                continue
            if f["item"] == given.item:
                action.update(fields)
            else:
                del f["actions"][index]
                target = next(t for t in focus if t["item"] == given.item)
                target["actions"].append({**action, **fields})
            _save(promise, focus)
            return
    raise PromiseError("action_unknown")


def move_action(promise: Promise, action_id: str, step: int) -> None:
    """Move an åtgärd of a draft one place up (-1) or down (+1) within its focus problem; the
    public page lists them in this order. At either end it stays where it is."""
    _require(promise, "draft")
    focus = copy.deepcopy(promise.focus)
    for f in focus:
        ids = [a["id"] for a in f["actions"]]
        if action_id in ids:
            index = ids.index(action_id)
            other = index + step
            if 0 <= other < len(ids):
                actions = f["actions"]
                actions[index], actions[other] = actions[other], actions[index]
                _save(promise, focus)
            return
    raise PromiseError("action_unknown")


def remove_action(promise: Promise, action_id: str) -> None:
    _require(promise, "draft")
    focus = copy.deepcopy(promise.focus)
    for f in focus:
        f["actions"] = [a for a in f["actions"] if a["id"] != action_id]
    _save(promise, focus)


def check_signable(promise: Promise, signatories: list[tuple[str, str]]) -> list[dict[str, str]]:
    """What signing checks, without signing: a draft, an åtgärd for every focus problem, a
    signatory. Returns the signatories as they will be stored."""
    _require(promise, "draft")
    if any(not f["actions"] for f in promise.focus):
        raise PromiseError("focus_without_action")
    people = [{"name": n.strip(), "role": r.strip()} for n, r in signatories if n.strip()]
    if not people:
        raise PromiseError("signatories")
    return people


def as_signed(promise: Promise, signatories: list[tuple[str, str]], signed_on: date) -> Promise:
    """An unsaved copy of the draft as it will be published once signed: what the
    confirmation step shows."""
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


def add_followup(promise: Promise, action_id: str, status: str, comment: dict[str, str],
                 on: date) -> None:
    """Record how an åtgärd is going; the first follow-up moves the löfte to followed up."""
    _require(promise, "signed", "followed_up")
    if status not in FOLLOW_UP_STATUSES:
        raise PromiseError("followup_status")
    focus = copy.deepcopy(promise.focus)
    action = next((a for f in focus for a in f["actions"] if a["id"] == action_id), None)
    if action is None:
        raise PromiseError("action_unknown")
    action["followups"].append({"status": status, "comment": _clean_text(comment, None, ""),
                                "date": on.isoformat()})
    promise.status = "followed_up"
    _save(promise, focus)


def latest_followup(action: dict) -> dict | None:
    return max(action["followups"], key=lambda f: f["date"], default=None)
