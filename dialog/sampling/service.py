"""The sample of a round: import, codes, letters, answering with a code, dispositions.

What is deleted when is the point of this module (docs/sampling.md): address lines and
printable codes once the letters are done, the code hash and the link to the response when
the round closes. A response only ever learns its stratum.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from flask import current_app
from sqlalchemy import func, select, update

from analysis.sampling import ResponseRates, StratifiedSample, response_rates

from .. import audit
from ..extensions import db
from ..models import Response, SurveyRecord, utcnow
from ..table_files import Table
from . import codes
from .models import WAVES, SampleMember, SampleStratum, SampleWave

ADDRESS_COLUMNS = ("address1", "address2", "address3", "address4")
OPTIONAL_COLUMNS = ("age_band", "gender", "area", *ADDRESS_COLUMNS)


class SampleError(ValueError):
    """A refused action; ``code`` names the message in ``messages.py``."""

    def __init__(self, code: str, **detail: object) -> None:
        super().__init__(code)
        self.code = code
        self.detail = detail


@dataclass(frozen=True)
class RowProblem:
    """One problem in a sample or strata file, at a row (1 = header) and column."""

    file: str
    row: int
    column: str
    code: str
    value: str = ""


@dataclass
class SamplePlan:
    members: list[dict] = field(default_factory=list)
    strata: dict[str, int] = field(default_factory=dict)
    problems: list[RowProblem] = field(default_factory=list)


def _columns(table: Table, file: str, required: tuple[str, ...],
             problems: list[RowProblem]) -> dict[str, int]:
    index = {name.strip().lower(): i for i, name in enumerate(table.header)}
    for name in required:
        if name not in index:
            problems.append(RowProblem(file, 1, name, "missing_column"))
    return index


def plan_sample(sample: Table, strata: Table) -> SamplePlan:
    """Check both files; the plan holds every problem found, not only the first."""
    plan = SamplePlan()
    s_cols = _columns(strata, "strata", ("stratum", "population"), plan.problems)
    m_cols = _columns(sample, "sample", ("id", "stratum"), plan.problems)
    if plan.problems:
        return plan
    for number, cells in strata.rows:
        name = _cell(cells, s_cols["stratum"])
        people = _cell(cells, s_cols["population"])
        if not name and not people:
            continue
        if not name:
            plan.problems.append(RowProblem("strata", number, "stratum", "empty"))
        elif name in plan.strata:
            plan.problems.append(RowProblem("strata", number, "stratum", "duplicate", name))
        elif not people.isdigit() or int(people) < 1:
            plan.problems.append(RowProblem("strata", number, "population", "not_count", people))
        else:
            plan.strata[name] = int(people)
    seen: set[str] = set()
    for number, cells in sample.rows:
        ref = _cell(cells, m_cols["id"])
        stratum = _cell(cells, m_cols["stratum"])
        if not any(c.strip() for c in cells):
            continue
        if not ref:
            plan.problems.append(RowProblem("sample", number, "id", "empty"))
            continue
        if ref in seen:
            plan.problems.append(RowProblem("sample", number, "id", "duplicate", ref))
            continue
        seen.add(ref)
        if stratum not in plan.strata:
            plan.problems.append(RowProblem("sample", number, "stratum", "unknown_stratum",
                                            stratum))
            continue
        extra = {name: _cell(cells, m_cols[name]) or None
                 for name in OPTIONAL_COLUMNS if name in m_cols}
        address = [extra.pop(name) for name in ADDRESS_COLUMNS if name in extra]
        plan.members.append({"sample_ref": ref[:64], "stratum": stratum,
                             "address": [a for a in address if a] or None, **extra})
    drawn = Counter(m["stratum"] for m in plan.members)
    for name, count in drawn.items():
        if count > plan.strata[name]:
            plan.problems.append(RowProblem("strata", 1, "population", "more_drawn_than_people",
                                            name))
    if not plan.members and not plan.problems:
        plan.problems.append(RowProblem("sample", 2, "id", "no_rows"))
    return plan


def _cell(cells: list[str], index: int) -> str:
    return cells[index].strip() if index < len(cells) else ""


def _round(slug: str) -> SurveyRecord:
    record = db.session.scalar(select(SurveyRecord).where(SurveyRecord.slug == slug))
    if record is None:
        raise SampleError("unknown_round", slug=slug)
    return record


def import_sample(slug: str, plan: SamplePlan, actor: str,
                  progress: Callable[[int, int], None] | None = None) -> int:
    """Store a checked plan as the round's sample (only once: a sample is not replaced)."""
    record = _round(slug)
    if plan.problems:
        raise SampleError("file_problems")
    if has_sample(record.id):
        raise SampleError("already_sampled", slug=slug)
    secret = current_app.config["SECRET_KEY"]
    for name, people in plan.strata.items():
        db.session.add(SampleStratum(survey_id=record.id, name=name, population=people))
    taken: set[str] = set()
    for number, member in enumerate(plan.members, start=1):
        code = codes.new_code()
        # 31^7 possible codes: a collision within one sample is rare enough to draw again.
        while code in taken:
            code = codes.new_code()
        taken.add(code)
        db.session.add(SampleMember(survey_id=record.id, code=code,
                                    code_hash=codes.code_hash(code, secret), **member))
        if progress is not None and (number % 500 == 0 or number == len(plan.members)):
            progress(number, len(plan.members))
    # Only people with a code answer a sampled round: its card leaves the start page.
    record.listed = False
    audit.record("sample.import", slug,
                 f"{len(plan.members)} personer, {len(plan.strata)} strata", actor=actor)
    db.session.commit()
    return len(plan.members)


def rounds_with_status() -> list[tuple[SurveyRecord, bool]]:
    """Every round, newest first, and whether it has a sample."""
    sampled = set(db.session.scalars(select(SampleStratum.survey_id).distinct()))
    records = db.session.scalars(select(SurveyRecord).order_by(SurveyRecord.created_at.desc(),
                                                               SurveyRecord.id.desc()))
    return [(r, r.id in sampled) for r in records]


def has_sample(survey_id: int) -> bool:
    return db.session.scalar(
        select(func.count()).select_from(SampleStratum)
        .where(SampleStratum.survey_id == survey_id)) > 0


def code_list(slug: str, actor: str) -> list[tuple[str, str]]:
    """(sample id, printed code) for a mailing house; refused once the letters are done."""
    record = _round(slug)
    rows = db.session.execute(select(SampleMember.sample_ref, SampleMember.code)
                              .where(SampleMember.survey_id == record.id)
                              .order_by(SampleMember.id)).all()
    if not rows:
        raise SampleError("no_sample", slug=slug)
    if any(code is None for _, code in rows):
        raise SampleError("letters_done", slug=slug)
    audit.record("sample.codes", slug, f"{len(rows)} koder", actor=actor)
    db.session.commit()
    return [(ref, codes.shown(code)) for ref, code in rows]


@dataclass(frozen=True)
class Letter:
    sample_ref: str
    address: list[str]
    code: str


def make_wave(slug: str, kind: str, actor: str) -> SampleWave:
    """A mailing to everyone who has not completed (nor refused, nor had a letter returned);
    :func:`letters_for` gives its letters."""
    if kind not in WAVES:
        raise SampleError("unknown_wave", kind=kind)
    record = _round(slug)
    members = db.session.scalars(
        select(SampleMember).where(SampleMember.survey_id == record.id)
        .order_by(SampleMember.id)).all()
    if not members:
        raise SampleError("no_sample", slug=slug)
    now = _dispositions(list(members))
    due = [m for m in members if now[m.id] in ("not_reached", "partial")]
    if any(m.code is None for m in due):
        raise SampleError("letters_done", slug=slug)
    wave = SampleWave(survey_id=record.id, kind=kind, created_by=actor, letters=len(due))
    db.session.add(wave)
    for member in due:
        member.letters += 1
        member.last_wave = kind
    audit.record("sample.wave", slug, f"{kind}: {len(due)} brev", actor=actor)
    db.session.commit()
    return wave


def wave(survey_id: int, wave_id: int) -> SampleWave | None:
    found = db.session.get(SampleWave, wave_id)
    return found if found is not None and found.survey_id == survey_id else None


def letters_for(survey_id: int, mailing: SampleWave) -> list[Letter]:
    """The letters of a mailing: those it was made for who have still not answered."""
    members = list(db.session.scalars(
        select(SampleMember).where(SampleMember.survey_id == survey_id,
                                   SampleMember.last_wave == mailing.kind)
        .order_by(SampleMember.id)))
    now = _dispositions(members)
    due = [m for m in members if now[m.id] in ("not_reached", "partial")]
    if any(m.code is None for m in due):
        raise SampleError("letters_done", slug="")
    return [Letter(m.sample_ref, list(m.address or []), codes.shown(m.code)) for m in due]


def letters_left(survey_id: int) -> bool:
    """Whether addresses are still kept (the letters are not marked done)."""
    return db.session.scalar(select(func.count()).select_from(SampleMember).where(
        SampleMember.survey_id == survey_id, SampleMember.code.is_not(None))) > 0


def letters_done(slug: str, actor: str) -> int:
    """Delete address lines and printable codes; the code hash still lets people answer."""
    record = _round(slug)
    changed = db.session.execute(
        update(SampleMember).where(SampleMember.survey_id == record.id)
        .values(address=None, code=None)).rowcount
    audit.record("sample.letters_done", slug, f"{changed} adresser raderade", actor=actor)
    db.session.commit()
    return changed


def find_member(survey_id: int, typed: str) -> SampleMember | None:
    """The sample member a typed code belongs to; None for a wrong or unknown code alike."""
    code = codes.normalise(typed)
    if code is None:
        return None
    return db.session.scalar(select(SampleMember).where(
        SampleMember.survey_id == survey_id,
        SampleMember.code_hash == codes.code_hash(code, current_app.config["SECRET_KEY"])))


def link_response(member: SampleMember, response_id: int) -> None:
    """Tie a new response to its sample member and give the response the stratum."""
    member.response_id = response_id
    member.disposition = "partial"
    db.session.execute(update(Response).where(Response.id == response_id)
                       .values(sample_stratum=member.stratum))
    db.session.commit()


def attach_paper_response(member: SampleMember, response_id: int) -> bool:
    """Tie a paper questionnaire typed in with its code to the member.

    One code, one response: the first *complete* answer counts. A web answer that was only
    started gives way to the paper one (its resume link stops working); when the code
    already has a complete answer the paper one is not attached and False is returned, so
    that staff void it. A voided earlier paper questionnaire gives way to the corrected one.
    """
    status = linked_status(member)
    if status == "complete":
        return False
    if status == "partial":
        db.session.execute(update(Response).where(Response.id == member.response_id)
                           .values(token_hash=None))
    link_response(member, response_id)
    return True


def linked_status(member: SampleMember) -> str | None:
    """Status of the member's response (partial/complete/excluded), None without one."""
    if member.response_id is None:
        return None
    return db.session.scalar(select(Response.status).where(Response.id == member.response_id))


def set_disposition(slug: str, sample_ref: str, disposition: str, actor: str) -> None:
    """Staff record a refusal or a returned letter (or undo it)."""
    if disposition not in ("not_reached", "refused", "not_eligible"):
        raise SampleError("bad_disposition", disposition=disposition)
    record = _round(slug)
    member = db.session.scalar(select(SampleMember).where(
        SampleMember.survey_id == record.id, SampleMember.sample_ref == sample_ref))
    if member is None:
        raise SampleError("unknown_member", ref=sample_ref)
    if member.response_id is not None:
        raise SampleError("has_answered", ref=sample_ref)
    member.disposition = disposition
    audit.record("sample.disposition", slug, f"{sample_ref}: {disposition}", actor=actor)
    db.session.commit()


def _dispositions(members: list[SampleMember]) -> dict[int, str]:
    """Each member's disposition now: a linked response decides partial or complete."""
    linked = [m.response_id for m in members if m.response_id is not None]
    status = dict(db.session.execute(select(Response.id, Response.status)
                                     .where(Response.id.in_(linked))).all()) if linked else {}
    return {m.id: ("complete" if status.get(m.response_id) == "complete" else "partial")
            if m.response_id is not None else m.disposition for m in members}


def close_links(survey_id: int) -> int:
    """When the round closes: fix the dispositions, then delete every code and link."""
    members = db.session.scalars(select(SampleMember)
                                 .where(SampleMember.survey_id == survey_id)).all()
    for member, disposition in zip(members, _dispositions(list(members)).values(),
                                   strict=True):
        member.disposition = disposition
    db.session.flush()
    cut = db.session.execute(
        update(SampleMember).where(SampleMember.survey_id == survey_id)
        .values(response_id=None, code_hash=None, code=None, address=None)).rowcount
    return cut


def close_finished_rounds() -> int:
    """:func:`close_links` for every sampled round that is closed or past its closing date
    and still has links."""
    now = utcnow()
    rounds = db.session.scalars(
        select(SurveyRecord).where(SurveyRecord.id.in_(
            select(SampleMember.survey_id).where(SampleMember.code_hash.is_not(None))))).all()
    finished = [r for r in rounds
                if r.status == "closed" or (r.closes_at is not None and r.closes_at <= now)]
    for record in finished:
        close_links(record.id)
        audit.record("sample.close", record.slug, "koppling kod–svar raderad",
                     actor="kommandorad")
    db.session.commit()
    return len(finished)


@dataclass(frozen=True)
class RateRow:
    label: str
    rates: ResponseRates


def rates(survey_id: int) -> tuple[RateRow, list[RateRow], list[RateRow]]:
    """RR1/RR2 overall, by stratum and by the last wave each person was sent."""
    members = db.session.scalars(select(SampleMember)
                                 .where(SampleMember.survey_id == survey_id)).all()
    now = _dispositions(list(members))

    def count(group: list[SampleMember]) -> ResponseRates:
        c = Counter(now[m.id] for m in group)
        return response_rates(complete=c["complete"], partial=c["partial"],
                              refused=c["refused"], unknown=c["not_reached"],
                              not_eligible=c["not_eligible"])

    by_stratum: dict[str, list[SampleMember]] = {}
    by_wave: dict[str, list[SampleMember]] = {}
    for m in members:
        by_stratum.setdefault(m.stratum, []).append(m)
        by_wave.setdefault(m.last_wave or "", []).append(m)
    return (RateRow("", count(list(members))),
            [RateRow(k, count(v)) for k, v in sorted(by_stratum.items())],
            [RateRow(k, count(by_wave[k])) for k in ("", *WAVES) if k in by_wave])


def waves(survey_id: int) -> list[SampleWave]:
    return list(db.session.scalars(select(SampleWave).where(SampleWave.survey_id == survey_id)
                                   .order_by(SampleWave.created_at, SampleWave.id)))


def strata_design(survey_id: int) -> StratifiedSample | None:
    """The round's strata for the analysis, None for an open round."""
    rows = db.session.execute(select(SampleStratum.name, SampleStratum.population)
                              .where(SampleStratum.survey_id == survey_id)).all()
    if not rows:
        return None
    return StratifiedSample("sample_stratum", {name: people for name, people in rows})
