"""Survey results kept between requests, in this process and in the database.

The analysis of a round runs once per *data version*: a fingerprint of everything the
results depend on (the survey's versions, the complete responses, those left out of the
analysis, the population table, the smallest group shown and the analysis code itself).
:func:`results_for` looks in three places, cheapest first:

1. this process's memory (an :class:`~dialog.cache.LRUCache` kept on the app);
2. the ``dashboard_result`` table: one row per round with the data version and the pickled
   results, so a second app server, or this one after a restart, takes over what another
   process computed instead of running the analysis again;
3. the analysis itself (:func:`.compute.analyse`), whose results then go to both.

A councillor's selection (:mod:`.selection`) is kept the same way, in memory and in its own
row, for the data version of everyone's results it was protected against
(:func:`selection_results`); after new answers it is computed again on the first view.

After new answers, a round whose analysis takes long (``RESULTS_BACKGROUND_AFTER_SECONDS``)
is shown with its previous results while a background thread of this process computes the
new ones; the page says so. Councillors then never wait seconds for one more answer.

The stored results are signed with the app's ``SECRET_KEY`` (HMAC-SHA256) and unpickled
only when the signature holds: whoever can write to the database cannot make a server run
code through it. A row that does not verify or unpickle is treated as missing.
"""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import pickle
import threading
import time
import zlib
from functools import cache
from pathlib import Path

import numpy as np
from flask import Flask, current_app
from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from analysis import RankingResult

from ...cache import LRUCache
from ...extensions import db
from ...models import Response, StoredResults, SurveyRecord, SurveyVersion, utcnow
from ..population import population_for, population_stamp
from . import facts
from .compute import SurveyResults, analyse, analyse_selection
from .selection import Selection

_MEMORY_KEY = "dashboard_results"
_RUNNING_KEY = "dashboard_results_running"
_running_lock = threading.Lock()
# Everyone's results of the open rounds and the selections councillors look at (about twenty
# per round: age groups, genders, areas).
_MEMORY_SIZE = 64

_stored = StoredResults.__table__


def results_stamp(record: SurveyRecord) -> tuple:
    """What the results depend on; cheap enough to check on every request.

    Count, largest and summed id of the complete responses change whenever one completes
    or is deleted, and are read from the (version, status) index alone; a complete
    response's analysed answers are never edited (redaction touches free text only).
    The facts add the responses left out of the analysis.
    """
    version_ids = tuple(v.id for v in record.versions)
    count, newest, id_sum = db.session.execute(
        select(func.count(Response.id), func.max(Response.id), func.sum(Response.id))
        .join(SurveyVersion, Response.version_id == SurveyVersion.id)
        .where(SurveyVersion.survey_id == record.id, Response.status == "complete")
    ).one()
    excluded = facts.excluded_stamp(db.session.connection(), record.id)
    return (version_ids, record.current_version_id, int(count), newest, id_sum, excluded,
            population_stamp(record))


def data_version(stamp: tuple) -> str:
    """The stamp with the settings and code that shape the results, as one key."""
    shaped_by = (stamp, int(current_app.config["MIN_GROUP_SIZE"]), _code_fingerprint())
    return hashlib.sha256(repr(shaped_by).encode()).hexdigest()


def results_for(record: SurveyRecord) -> SurveyResults:
    """Results of a survey: from memory, from the database, or computed now (see above).

    When the data changed and the previous analysis took longer than
    ``RESULTS_BACKGROUND_AFTER_SECONDS``, the previous results are returned at once and the
    analysis runs again in a background thread (:func:`is_refreshing` tells the page)."""
    stamp = results_stamp(record)
    memory = _memory()
    cached = memory.get(record.id)
    if cached is not None and cached.stamp == stamp:
        return cached
    version = data_version(stamp)
    stored_version = _stored_version(record.id)
    stored = _load(record.id) if stored_version == version or cached is None else None
    if stored is not None and stored_version == version:
        return memory.put(record.id, stored)
    previous = cached or stored
    limit = current_app.config["RESULTS_BACKGROUND_AFTER_SECONDS"]
    if previous is not None and limit is not None and previous.compute_seconds > limit:
        _refresh_in_background(record.id)
        return previous
    return memory.put(record.id, _compute(record, stamp, version))


def selection_results(record: SurveyRecord, selection: Selection | None) -> SurveyResults:
    """The results of the selected respondents (everyone's for None): from memory, from the
    database, or computed now against everyone's results as the page shows them."""
    everyone = results_for(record)
    if selection is None:
        return everyone
    if everyone.ranking is None:
        return dataclasses.replace(everyone, selection=selection)
    key = (record.id, selection.key)
    memory = _memory()
    cached = memory.get(key)
    if cached is not None and cached.stamp == everyone.stamp:
        return cached
    version = data_version(everyone.stamp)
    if _stored_version(record.id, selection.key) == version:
        stored = _load(record.id, selection.key)
        if stored is not None:
            return memory.put(key, stored)
    start = time.perf_counter()
    results = analyse_selection(record, everyone, selection)
    results.compute_seconds = time.perf_counter() - start
    _save(record.id, version, results, selection.key)
    return memory.put(key, results)


def is_refreshing(record: SurveyRecord) -> bool:
    """Whether newer results are being computed in the background for this round."""
    thread = current_app.extensions.get(_RUNNING_KEY, {}).get(record.id)
    return thread is not None and thread.is_alive()


def wait_for_refresh() -> None:
    """Wait until this app's background analyses are done (tests, benchmarks, shutdown)."""
    for thread in list(current_app.extensions.get(_RUNNING_KEY, {}).values()):
        thread.join()


def _compute(record: SurveyRecord, stamp: tuple, version: str) -> SurveyResults:
    start = time.perf_counter()
    results = analyse(record, population_for(record), stamp)
    results.compute_seconds = time.perf_counter() - start
    _save(record.id, version, results)
    return results


def _refresh_in_background(survey_id: int) -> None:
    app = current_app._get_current_object()
    running = app.extensions.setdefault(_RUNNING_KEY, {})
    with _running_lock:
        if survey_id in running and running[survey_id].is_alive():
            return
        thread = threading.Thread(target=_refresh, args=(app, survey_id), daemon=True,
                                  name=f"dashboard-results-{survey_id}")
        running[survey_id] = thread
    thread.start()


def _refresh(app: Flask, survey_id: int) -> None:
    with app.app_context():
        try:
            record = db.session.get(SurveyRecord, survey_id)
            stamp = results_stamp(record)
            version = data_version(stamp)
            stored = _load(survey_id) if _stored_version(survey_id) == version else None
            results = stored or _compute(record, stamp, version)
            _memory().put(survey_id, results)
        except Exception:  # the next view tries again; the page keeps the previous results
            app.logger.exception("dashboard results of survey %s could not be computed",
                                 survey_id)


def forget_cached() -> None:
    """Forget this app's results in memory and in the database (benchmarks time the cold
    path with it)."""
    _memory().clear()
    db.session.execute(_stored.delete())
    db.session.commit()


def _memory() -> LRUCache[SurveyResults]:
    # On the app, not the module: each app (tests build many) has its own database.
    return current_app.extensions.setdefault(_MEMORY_KEY, LRUCache(_MEMORY_SIZE))


@cache
def _code_fingerprint() -> str:
    """The analysis code and this package: servers running other code compute anew."""
    root = Path(__file__).resolve().parents[3]
    digest = hashlib.sha256()
    for path in sorted([*(root / "analysis").glob("*.py"), *Path(__file__).parent.glob("*.py")]):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _signature(data: bytes) -> bytes:
    key = str(current_app.config["SECRET_KEY"]).encode()
    return hmac.new(key, data, hashlib.sha256).digest()


def _slim(ranking: RankingResult | None) -> RankingResult | None:
    """Without the per-respondent weights, which no page shows and which would make the
    stored row grow with every answer."""
    if ranking is None:
        return None
    empty = np.zeros(0)
    weighting = dataclasses.replace(ranking.weighting, weights=empty,
                                    cell_of_row=empty.astype(np.int64))
    return dataclasses.replace(ranking, weighting=weighting)


def _save(survey_id: int, version: str, results: SurveyResults, selection: str = "") -> None:
    slim = dataclasses.replace(
        results, charts={}, views={}, ranking=_slim(results.ranking),
        by_area=_slim(results.by_area), key_figures=_slim(results.key_figures),
        key_figures_by_gender=_slim(results.key_figures_by_gender))
    data = zlib.compress(pickle.dumps(slim, protocol=pickle.HIGHEST_PROTOCOL), 1)
    row = {"survey_id": survey_id, "selection": selection, "data_version": version,
           "computed_at": utcnow(), "payload": _signature(data) + data}
    insert = pg_insert if db.engine.dialect.name == "postgresql" else sqlite_insert
    statement = insert(_stored).values(row)
    db.session.execute(statement.on_conflict_do_update(
        index_elements=["survey_id", "selection"],
        set_={c: statement.excluded[c] for c in ("data_version", "computed_at", "payload")}))
    db.session.commit()


def _stored_version(survey_id: int, selection: str = "") -> str | None:
    return db.session.scalar(select(_stored.c.data_version).where(
        _stored.c.survey_id == survey_id, _stored.c.selection == selection))


def _load(survey_id: int, selection: str = "") -> SurveyResults | None:
    """The stored results of a round, whatever their data version (the caller checks it
    with :func:`_stored_version`: reading and unpickling the results costs more)."""
    payload = db.session.scalar(select(_stored.c.payload).where(
        _stored.c.survey_id == survey_id, _stored.c.selection == selection))
    if payload is None:
        return None
    signature, data = payload[:32], payload[32:]
    if not hmac.compare_digest(signature, _signature(data)):
        return None
    try:
        results = pickle.loads(zlib.decompress(data))  # signed by this app: see above
    except Exception:  # a row written by other code is as good as none
        return None
    return results if isinstance(results, SurveyResults) else None
