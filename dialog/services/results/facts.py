"""The analysed fields of every complete response, kept as one compact row each.

Reading each response's JSON document again after every restart cost seconds at 100,000
responses, so the few fields the analysis uses are copied out once, when the response
completes, in the same transaction: an acknowledged answer is never missing here and the
copy never drifts. Every path that completes a response calls :func:`record_completed`
(web and kiosk through ``services.responses``, paper entry) or :func:`refresh` after a bulk
insert (demo data, benchmarks); deleting a response (retention purge) deletes its row by the
foreign key's ``ON DELETE CASCADE``. Redaction edits free text only, which is not copied.

``excluded`` follows the response's status ``excluded`` (likely repeat answers staff left out,
:mod:`dialog.repeats`) through :func:`follow_status`; :func:`read_frame` skips such rows and
:func:`excluded_stamp` makes them part of the results' data version.

Item answers are stored as one character per item and key figure (``codes``) so that a
whole round decodes with a single numpy call. ``layout`` fingerprints the analysis spec the
characters follow; rows of another layout (a new survey version that changed the analysed
questions) are coded again from their answers by :func:`refresh`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd
from sqlalchemy import Connection, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from surveys import AnalysisSpec, Indicator, Survey, analysis_spec, survey_from_dict

from ...models import Response, ResponseFact, SurveyRecord, SurveyVersion

# Key-figure columns in the response frame; the prefix keeps them apart from item codes.
INDICATOR_PREFIX = "indicator:"
_MISSING = "."
_ZERO = ord("0")
_BATCH = 2000

_facts = ResponseFact.__table__
_responses = Response.__table__
_versions = SurveyVersion.__table__
_surveys = SurveyRecord.__table__


@dataclass(frozen=True)
class FactLayout:
    """How a spec's analysed answers become one fact row."""

    spec: AnalysisSpec

    @cached_property
    def key(self) -> str:
        spec = self.spec
        shape = (spec.item_columns, spec.valid_codes, spec.dont_know_codes,
                 spec.age_band_column, spec.gender_column, spec.area_column,
                 spec.priorities_column,
                 [(i.id, i.question, tuple(i.counts), tuple(i.excludes), many)
                  for i, many in spec.indicators])
        return hashlib.sha256(repr(shape).encode()).hexdigest()[:16]

    @cached_property
    def _item_chars(self) -> dict[str, str]:
        chars = {code: chr(_ZERO + 1 + i) for i, code in enumerate(self.spec.valid_codes)}
        chars.update({code: "0" for code in self.spec.dont_know_codes})
        return chars

    def encode(self, answers: Mapping[str, object]) -> dict[str, str | None]:
        """The fact columns of one response's answers (all but ids, channel and language)."""
        spec = self.spec
        chars = self._item_chars
        codes = [chars.get(_text(answers.get(c)) or "", _MISSING) for c in spec.item_columns]
        codes += [_indicator_char(answers.get(i.question), i, many)
                  for i, many in spec.indicators]
        chosen = answers.get(spec.priorities_column) if spec.priorities_column else None
        return {"layout": self.key, "codes": "".join(codes),
                "age_band": _label(answers.get(spec.age_band_column)),
                "gender": _label(answers.get(spec.gender_column)),
                "area": _label(answers.get(spec.area_column)),
                "priorities": ";".join(chosen) if isinstance(chosen, list) else ""}


def _text(value: object) -> str | None:
    """An answer as the text the database's JSON extraction gave before facts were kept."""
    if value is None or isinstance(value, list | dict):
        return None
    return value if isinstance(value, str) else str(value)


def _label(value: object) -> str | None:
    text = _text(value)
    return (text.strip() or None) if text is not None else None


def _indicator_char(value: object, indicator: Indicator, many: bool) -> str:
    """A key figure: "1" counted, "2" another answer, "0" left out of the base (vet ej)."""
    chosen = set(value) if isinstance(value, list) else (
        {value} if isinstance(value, str) and value else set())
    if many and isinstance(value, str) and value.startswith("["):
        chosen = set(json.loads(value))
    if not chosen:
        return _MISSING
    if chosen & set(indicator.counts):
        return "1"
    return "0" if chosen <= set(indicator.excludes) else "2"


def _upsert(connection: Connection, rows: Sequence[dict]) -> None:
    """Insert fact rows, replacing any of the same response (two servers may refresh the
    same missing rows at once; the values they write are the same)."""
    if not rows:
        return
    dialect = connection.dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    statement = insert(_facts)
    columns = [c for c in rows[0] if c not in ("response_id", "excluded")]
    statement = statement.on_conflict_do_update(
        index_elements=["response_id"],
        set_={c: statement.excluded[c] for c in columns})
    connection.execute(statement, list(rows))


def record_completed(connection: Connection, response_id: int, version_id: int,
                     survey: Survey, *, channel: str, language: str,
                     answers: Mapping[str, object]) -> None:
    """Keep the fact row of a response that has just completed: call it in the transaction
    that completes the response, before the commit. ``survey`` is the definition of
    ``version_id``."""
    survey_id = connection.execute(
        select(_versions.c.survey_id).where(_versions.c.id == version_id)).scalar_one()
    _upsert(connection, [{"response_id": response_id, "survey_id": survey_id,
                          "channel": channel, "language": language,
                          **FactLayout(analysis_spec(survey)).encode(answers)}])


def refresh(connection: Connection, survey_id: int, layout: FactLayout, *,
            everything: bool = False) -> int:
    """Code every complete response of the survey that has no fact row in ``layout`` (with
    ``everything``: every complete response); returns how many. Cheap when nothing is
    missing (one indexed anti-join). Whether a response is excluded is kept."""
    query = (
        select(_responses.c.id, _responses.c.channel, _responses.c.language,
               _responses.c.answers)
        .join(_versions, _responses.c.version_id == _versions.c.id)
        .outerjoin(_facts, _facts.c.response_id == _responses.c.id)
        .where(_versions.c.survey_id == survey_id, _responses.c.status == "complete")
        .order_by(_responses.c.id)
    )
    if not everything:
        query = query.where(or_(_facts.c.response_id.is_(None), _facts.c.layout != layout.key))
    done = 0
    for chunk in connection.execute(query.execution_options(yield_per=_BATCH)).partitions():
        _upsert(connection, [
            {"response_id": rid, "survey_id": survey_id, "channel": channel,
             "language": language, **layout.encode(answers or {})}
            for rid, channel, language, answers in chunk])
        done += len(chunk)
    return done


def rebuild(connection: Connection) -> int:
    """Code every complete response of every published survey again, with its survey's
    current version (the migration that added the facts, and ``flask results rebuild``);
    returns how many rows were written."""
    surveys = _surveys.join(_versions, _surveys.c.current_version_id == _versions.c.id)
    done = 0
    for survey_id, definition in connection.execute(
            select(_surveys.c.id, _versions.c.definition).select_from(surveys)).all():
        layout = FactLayout(analysis_spec(survey_from_dict(definition)))
        done += refresh(connection, survey_id, layout, everything=True)
    return done


def follow_status(connection: Connection, response_ids: Iterable[int]) -> None:
    """Mark the facts of these responses excluded exactly when the response is no longer
    complete – its status is ``excluded`` (:func:`dialog.repeats.set_excluded` calls this
    before its commit)."""
    ids = list(response_ids)
    for start in range(0, len(ids), _BATCH):
        chunk = ids[start:start + _BATCH]
        complete = select(_responses.c.id).where(_responses.c.id.in_(chunk),
                                                 _responses.c.status == "complete")
        connection.execute(update(_facts).where(_facts.c.response_id.in_(chunk))
                           .values(excluded=_facts.c.response_id.not_in(complete)))


def excluded_stamp(connection: Connection, survey_id: int) -> tuple[int, int]:
    """Count and summed id of the survey's responses left out of the analysis: part of the
    results' data version, read from the covering index alone."""
    count, id_sum = connection.execute(
        select(func.count(), func.sum(_facts.c.response_id))
        .where(_facts.c.survey_id == survey_id, _facts.c.excluded.is_(True))).one()
    return int(count), int(id_sum or 0)


def read_frame(connection: Connection, survey_id: int, layout: FactLayout) -> pd.DataFrame:
    """The analysed responses as the tidy frame :func:`analysis.rank_items` takes, indexed by
    response id.

    Item columns are named by item code and hold the position of the answer on the scale
    (1 … k, 0 for "vet ej", NaN when unanswered), so that surveys with text codes work too;
    key figures are named ``INDICATOR_PREFIX + id`` (1 counted, 2 another answer, 0 vet ej).
    """
    rows = connection.execute(
        select(_facts.c.response_id, _facts.c.channel, _facts.c.language, _facts.c.age_band,
               _facts.c.gender, _facts.c.area, _facts.c.codes, _facts.c.priorities)
        .where(_facts.c.survey_id == survey_id, _facts.c.excluded.is_(False),
               _facts.c.layout == layout.key)
        .order_by(_facts.c.response_id)).all()
    return _frame(rows, layout)


def frame_of_answers(answers: Sequence[Mapping[str, object]], layout: FactLayout,
                     channel: str) -> pd.DataFrame:
    """Answer sets that are not stored responses (retention's rebuilt ones) as rows of
    :func:`read_frame`, with negative ids and the given channel."""
    rows = []
    for number, answer in enumerate(answers, start=1):
        coded = layout.encode(answer)
        rows.append((-number, channel, None, coded["age_band"], coded["gender"], coded["area"],
                     coded["codes"], coded["priorities"]))
    return _frame(rows, layout)


def _frame(rows: Sequence[Sequence], layout: FactLayout) -> pd.DataFrame:
    """Rows of (id, channel, language, age band, gender, area, codes, priorities) decoded."""
    spec = layout.spec
    ids, channels, languages, ages, genders, areas, codes, priorities = (
        list(column) for column in zip(*rows, strict=True)) if rows else ([],) * 8
    names = [*spec.item_codes, *(f"{INDICATOR_PREFIX}{i.id}" for i, _many in spec.indicators)]
    values = np.frombuffer("".join(codes).encode("ascii"), dtype=np.uint8)
    values = values.reshape(len(ids), len(names)).astype(float) - _ZERO
    values[values < 0] = np.nan
    index = pd.Index(np.asarray(ids, dtype="int64"), name="response_id")
    frame = pd.DataFrame(values[:, :len(spec.item_codes)], columns=list(spec.item_codes),
                         index=index)
    frame["age_band"] = pd.array(ages, dtype="string")
    frame["gender"] = pd.array(genders, dtype="string")
    frame["area"] = pd.array(areas, dtype="string")
    for position, name in enumerate(names[len(spec.item_codes):], len(spec.item_codes)):
        frame[name] = values[:, position]
    if spec.priorities_column:
        frame["priorities"] = pd.array(priorities, dtype=object)
    frame["channel"] = pd.array(channels, dtype=object)
    frame["language"] = pd.array(languages, dtype=object)
    return frame
