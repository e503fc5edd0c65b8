"""Survey results for the dashboard and the löfte pages: the ranking, who answered, trend.

The analysis runs once per state of a survey and is kept in memory: the cache key is the
survey's version ids, the number of complete responses, their newest ``updated_at`` and the
population table in use, so a new answer, a new version or a new population table gives
fresh results while every other request is served from memory.
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np
import pandas as pd
from flask import current_app
from sqlalchemy import func, select

from analysis import AnalysisError, Note, RankingResult, compare_rounds, rank_items
from analysis.disclosure import withhold
from surveys import AnalysisSpec, Indicator, Survey, analysis_spec

from ..extensions import db
from ..i18n import pick_text
from ..models import Response, SurveyRecord, SurveyVersion
from ..retention import retained_answers
from . import catalog
from .population import PopulationInfo, population_for, population_stamp

# Respondents whose gender is outside the population table (annat, vill inte svara, no
# answer) are weighted by age band only, in a cell of their own within each band.
OTHER_GENDER = "ovrigt"
RANKING_SEED = 20261121
CHARTS = ("heatmap", "dotplot", "small_multiples")
_CACHE_SIZE = 16
# The channel of responses that retention purged and the analysis rebuilt from its counts.
RETAINED_CHANNEL = "retained"


@dataclass(frozen=True)
class SampleCell:
    """Who answered compared with the population, for one age band × gender cell."""

    age_band: str
    gender: str
    n: int
    sample_share: float
    population_share: float | None
    suppressed: bool


@dataclass
class SurveyResults:
    """Everything the dashboard shows for one survey in one state.

    ``ranking`` is None when there are too few answers; ``problem`` then says why.
    ``charts`` caches rendered chart bytes by (name, format, language); ``views`` caches
    what the pages derive from the ranking, by language.
    """

    record_id: int
    slug: str
    survey: Survey
    spec: AnalysisSpec
    stamp: tuple
    n_complete: int
    channels: dict[str, int]
    languages: dict[str, int]
    sample: list[SampleCell]
    other_gender: int
    no_age_band: int
    population: PopulationInfo | None
    ranking: RankingResult | None
    weighted: bool
    notes: list[Note]
    problem: str | None
    min_n: int
    # The same analysis by area (kommundel) instead of age group; None without an area
    # question or when it could not be computed.
    by_area: RankingResult | None = None
    # The key figures estimated like the problem shares (items named INDICATOR_PREFIX + id),
    # overall and by age group; None when the survey declares none.
    key_figures: RankingResult | None = None
    # The key figures by gender (the same weights); women and men often differ most here.
    key_figures_by_gender: RankingResult | None = None
    charts: dict[tuple[str, str, str], bytes] = field(default_factory=dict)
    views: dict[str, dict] = field(default_factory=dict)


# Key-figure columns in the response frame; the prefix keeps them apart from item codes.
INDICATOR_PREFIX = "indicator:"

_cache: OrderedDict[tuple[str, int], SurveyResults] = OrderedDict()
_frames: dict[tuple, pd.DataFrame] = {}
_lock = threading.Lock()


def results_stamp(record: SurveyRecord) -> tuple:
    """What the results depend on; cheap enough to check on every request.

    Count, largest and summed id of the complete responses change whenever one completes
    or is deleted, and are read from the (version, status) index alone; a complete
    response's analysed answers are never edited (redaction touches free text only).
    """
    version_ids = tuple(v.id for v in record.versions)
    count, newest, id_sum = db.session.execute(
        select(func.count(Response.id), func.max(Response.id), func.sum(Response.id))
        .join(SurveyVersion, Response.version_id == SurveyVersion.id)
        .where(SurveyVersion.survey_id == record.id, Response.status == "complete")
    ).one()
    return (version_ids, record.current_version_id, int(count), newest, id_sum,
            population_stamp(record))


def results_for(record: SurveyRecord) -> SurveyResults:
    """Cached results of a survey; recomputed only when its responses or tables changed."""
    stamp = results_stamp(record)
    key = (str(db.engine.url), record.id)
    with _lock:
        cached = _cache.get(key)
        if cached is not None and cached.stamp == stamp:
            _cache.move_to_end(key)
            return cached
    results = compute_results(record, stamp)
    with _lock:
        _cache[key] = results
        _cache.move_to_end(key)
        while len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
    return results


def response_frame(record: SurveyRecord, spec: AnalysisSpec,
                   since: datetime | None = None) -> pd.DataFrame:
    """Complete responses as a tidy frame for :func:`analysis.rank_items`, indexed by
    response id.

    Item columns are named by item code and hold the position of the answer on the scale
    (1 … k, 0 for "vet ej", NaN when unanswered), so that surveys with text codes work too.
    ``channel``, ``language`` and ``updated_at`` come along for the counts and the cache;
    ``since`` limits the read to responses updated after that time.
    """
    scalar, extra, _wanted = _analysed_fields(spec)
    # The database extracts the few analysed fields from each JSON document: much faster
    # than decoding whole documents (free text included) in Python.
    fields = [Response.answers[c].as_string() for c in scalar]
    if spec.priorities_column:
        fields.append(Response.answers[spec.priorities_column])
    fields += [Response.answers[q] if many else Response.answers[q].as_string()
               for q, many in extra]
    query = (
        select(Response.id, Response.channel, Response.language, Response.updated_at, *fields)
        .join(SurveyVersion, Response.version_id == SurveyVersion.id)
        .where(SurveyVersion.survey_id == record.id, Response.status == "complete")
        .execution_options(yield_per=5000)
    )
    if since is not None:
        query = query.where(Response.updated_at > since)
    return _coded_frame(db.session.execute(query).all(), spec)


def _analysed_fields(spec: AnalysisSpec) -> tuple[list[str], list[tuple[str, bool]], list[str]]:
    """The answer fields read as text, the key-figure questions not among them (with whether
    they take several answers), and every analysed field in the order rows carry them."""
    scalar = [c for c in (*spec.item_columns, spec.age_band_column, spec.gender_column,
                          spec.area_column) if c]
    extra = list(dict.fromkeys(
        (i.question, many) for i, many in spec.indicators if i.question not in scalar))
    wanted = [*scalar, *([spec.priorities_column] if spec.priorities_column else []),
              *[q for q, _many in extra]]
    return scalar, extra, wanted


def retained_frame(record: SurveyRecord, spec: AnalysisSpec) -> pd.DataFrame:
    """The complete responses of ``record`` that retention purged, rebuilt from the counts it
    kept (:func:`dialog.retention.retained_answers`), as rows of :func:`response_frame` with
    negative ids and the channel ``retained``. Shares and their standard errors come out as
    from the purged answers themselves."""
    survey = catalog.definition_of(record.current_version)
    answers = retained_answers([v.id for v in record.versions], survey)
    wanted = _analysed_fields(spec)[2]
    rows = [(-number, RETAINED_CHANNEL, None, None, *(row.get(f) for f in wanted))
            for number, row in enumerate(answers, start=1)]
    return _coded_frame(rows, spec)


def _coded_frame(rows: list, spec: AnalysisSpec) -> pd.DataFrame:
    """Rows of (id, channel, language, updated_at, *analysed fields) coded for analysis."""
    _scalar, _extra, wanted = _analysed_fields(spec)
    meta = ["_id", "channel", "language", "updated_at"]
    raw = pd.DataFrame.from_records(rows, columns=[*meta, *wanted]) if rows else pd.DataFrame(
        columns=[*meta, *wanted])
    codes = {code: float(i + 1) for i, code in enumerate(spec.valid_codes)}
    codes.update({code: 0.0 for code in spec.dont_know_codes})
    frame = pd.DataFrame({
        item: raw[column].astype("string").map(codes).astype(float)
        for item, column in zip(spec.item_codes, spec.item_columns, strict=True)
    }, index=raw.index)
    frame["age_band"] = _text_column(raw, spec.age_band_column)
    frame["gender"] = _text_column(raw, spec.gender_column)
    frame["area"] = _text_column(raw, spec.area_column)
    for indicator, many in spec.indicators:
        frame[f"{INDICATOR_PREFIX}{indicator.id}"] = _indicator_column(
            raw[indicator.question], indicator, many)
    if spec.priorities_column:
        frame["priorities"] = [";".join(v) if isinstance(v, list) else ""
                               for v in raw[spec.priorities_column]]
    frame["channel"] = raw["channel"].astype(object)
    frame["language"] = raw["language"].astype(object)
    frame["updated_at"] = pd.to_datetime(raw["updated_at"])
    frame.index = pd.Index(raw["_id"].astype("int64"), name="response_id")
    return frame


def current_frame(record: SurveyRecord, spec: AnalysisSpec) -> pd.DataFrame:
    """:func:`response_frame`, read incrementally: a complete response's answers only change
    when it is updated, so only responses updated since the last read are fetched again, and
    responses that are gone (deleted, purged) are dropped."""
    key = (str(db.engine.url), record.id, tuple(v.id for v in record.versions))
    with _lock:
        cached = _frames.get(key)
    if cached is None or cached.empty:
        frame = response_frame(record, spec)
    else:
        present = db.session.scalars(
            select(Response.id).join(SurveyVersion, Response.version_id == SurveyVersion.id)
            .where(SurveyVersion.survey_id == record.id, Response.status == "complete")).all()
        newest = cached["updated_at"].max().to_pydatetime()
        fresh = response_frame(record, spec, since=newest)
        kept = cached.loc[cached.index.isin(present) & ~cached.index.isin(fresh.index)]
        frame = pd.concat([kept, fresh]) if len(fresh) else kept
        if len(frame) != len(present):
            # A response committed late, with an updated_at not after the newest one already
            # read: read everything again rather than miss it.
            frame = response_frame(record, spec)
    with _lock:
        _frames[key] = frame
        while len(_frames) > _CACHE_SIZE:
            _frames.pop(next(iter(_frames)))
    return frame


def _indicator_column(values: pd.Series, indicator: Indicator, many: bool) -> pd.Series:
    """A key figure coded for :func:`analysis.rank_items`: 1 counted, 2 another answer,
    0 left out of the base (vet ej), NaN not answered."""
    counts, excludes = set(indicator.counts), set(indicator.excludes)

    def code(value: object) -> float:
        chosen = set(value) if isinstance(value, list) else (
            {value} if isinstance(value, str) and value else set())
        if many and isinstance(value, str) and value.startswith("["):
            chosen = set(json.loads(value))  # a JSON text where the driver does not decode
        if not chosen:
            return np.nan
        if chosen & counts:
            return 1.0
        return 0.0 if chosen <= excludes else 2.0

    return values.map(code).astype(float)


def _text_column(raw: pd.DataFrame, column: str | None) -> pd.Series:
    if column is None:
        return pd.Series(pd.NA, index=raw.index, dtype="string")
    return raw[column].astype("string").str.strip().replace("", pd.NA)


def weighting_population(frame: pd.DataFrame, population: pd.DataFrame) -> pd.DataFrame:
    """The population with each age band split so that respondents of another or no stated
    gender get their band's share of it, and ``weight_gender`` as the weighting column."""
    known = set(population["gender"])
    other = ~frame["gender"].isin(known).fillna(False)
    share = other.groupby(frame["age_band"]).mean()
    band_share = population["age_band"].map(share).fillna(0.0).to_numpy(dtype=float)
    scaled = population.assign(count=population["count"].to_numpy(dtype=float)
                               * (1 - band_share))
    totals = population.groupby("age_band", sort=False)["count"].sum()
    extra = pd.DataFrame({
        "age_band": totals.index, "gender": OTHER_GENDER,
        "count": totals.to_numpy(dtype=float) * share.reindex(totals.index).fillna(0.0)
        .to_numpy(dtype=float),
    })
    out = pd.concat([scaled, extra], ignore_index=True)
    out = out.loc[out["count"] > 0]
    return out.rename(columns={"gender": "weight_gender"}).reset_index(drop=True)


def compute_results(record: SurveyRecord, stamp: tuple | None = None) -> SurveyResults:
    """Run the analysis for a survey now (uncached); see :func:`results_for`."""
    return analyse(record, population_for(record), stamp)


def analyse(record: SurveyRecord, population: PopulationInfo | None,
            stamp: tuple | None = None, min_n: int | None = None) -> SurveyResults:
    """Run the analysis with a given population table (None: unweighted)."""
    survey = catalog.definition_of(record.current_version)
    spec = analysis_spec(survey)
    min_n = int(current_app.config["MIN_GROUP_SIZE"]) if min_n is None else min_n
    frame = current_frame(record, spec)
    kept = retained_frame(record, spec)
    if len(kept):
        frame = pd.concat([frame, kept])
    channels = {str(k): int(v) for k, v in frame["channel"].value_counts().items()}
    languages = {str(k): int(v) for k, v in frame["language"].value_counts().items()}
    no_age = int(frame["age_band"].isna().sum())
    frame = frame.loc[frame["age_band"].notna()].reset_index(drop=True)
    known = set(population.table["gender"]) if population is not None else set()
    other_gender = int((~frame["gender"].isin(known).fillna(False)).sum())
    sample = _sample_cells(frame, population, min_n)
    ranked = _rank(frame, spec, population, min_n, other_gender)
    notes = list(ranked.notes)
    if no_age:
        sv, en = _how_many(no_age, min_n)
        notes.insert(0, Note(f"{sv} svar saknar åldersgrupp och ingår inte i analysen.",
                             f"{en} answers have no age band and are not analysed."))
    extras = ranked.extras
    return SurveyResults(
        record_id=record.id, slug=record.slug, survey=survey, spec=spec,
        stamp=stamp if stamp is not None else results_stamp(record),
        n_complete=sum(channels.values()), channels=channels, languages=languages,
        sample=sample, other_gender=other_gender, no_age_band=no_age, population=population,
        ranking=ranked.ranking, weighted=ranked.weighted, notes=notes, problem=ranked.problem,
        min_n=min_n,
        by_area=extras.get("by_area"), key_figures=extras.get("key_figures"),
        key_figures_by_gender=extras.get("key_figures_by_gender"),
    )


@dataclass(frozen=True)
class _Ranked:
    """What :func:`_rank` found: the ranking by age group (None with a ``problem``), the
    same weights' ``extras`` ({"by_area", "key_figures", "key_figures_by_gender"}),
    whether it is weighted, and notes."""

    ranking: RankingResult | None
    extras: dict[str, RankingResult | None] = field(default_factory=dict)
    weighted: bool = False
    notes: list[Note] = field(default_factory=list)
    problem: str | None = None


def _rank(frame: pd.DataFrame, spec: AnalysisSpec, population: PopulationInfo | None,
          min_n: int, other_gender: int) -> _Ranked:
    if not spec.item_codes:
        return _Ranked(None, problem="no_items")
    if len(frame) < min_n:
        return _Ranked(None, problem="too_few")
    options = {
        "items": list(spec.item_codes),
        "positive": [float(spec.valid_codes.index(c) + 1) for c in spec.positive_codes],
        "valid": [float(i + 1) for i in range(len(spec.valid_codes))], "dont_know": (0.0,),
        "min_n": min_n, "seed": RANKING_SEED,
        "priorities": "priorities" if "priorities" in frame.columns else None,
    }
    notes: list[Note] = []
    if population is not None:
        weighted_frame = frame.assign(weight_gender=frame["gender"].where(
            frame["gender"].isin(set(population.table["gender"])).fillna(False), OTHER_GENDER))
        target = weighting_population(frame, population.table)

        def weighted_ranking(group: str, **extra) -> RankingResult:
            return rank_items(weighted_frame, population=target, group=group,
                              weight_by=("age_band", "weight_gender"), method="poststratify",
                              **{**options, **extra})

        try:
            ranking = weighted_ranking("age_band")
        except AnalysisError:
            # The reason can name a cell and its count, so it is not shown to councillors.
            notes.append(Note("Vägningen gick inte att göra med befolkningstabellen; "
                              "resultaten är ovägda.", "Weighting to the population table "
                              "failed; the results are unweighted."))
        else:
            if other_gender:
                sv, en = _how_many(other_gender, min_n)
                notes.append(Note(f"{sv} svarande angav inte kvinna eller man och viktas "
                                  "bara efter åldersgrupp.", f"{en} respondents did not "
                                  "answer woman or man and are weighted by age band only."))
            merged = _merged_cells(ranking)
            if merged:
                notes.append(Note(f"{merged} viktningsceller med för få svar slogs ihop med "
                                  "en närliggande åldersgrupp.", f"{merged} weighting cells "
                                  "with too few answers were merged with a neighbouring age "
                                  "band."))
            return _Ranked(ranking, _extras(frame, spec, weighted_ranking), True,
                           notes + _shown_notes(ranking))

    def unweighted_ranking(group: str, **extra) -> RankingResult:
        return rank_items(frame, population=None, group=group, weight_by=(), method="none",
                          **{**options, **extra})

    try:
        ranking = unweighted_ranking("age_band")
    except AnalysisError as error:
        notes.append(Note(str(error), str(error)))
        return _Ranked(None, notes=notes, problem="failed")
    return _Ranked(ranking, _extras(frame, spec, unweighted_ranking), False,
                   notes + _shown_notes(ranking))


def _extras(frame: pd.DataFrame, spec: AnalysisSpec, ranking: Callable[..., RankingResult]
            ) -> dict[str, RankingResult | None]:
    """The ranking by area and the key figures, with the same weights as the main ranking.

    Neither shows ranks, so the rank simulation runs with the fewest replicates the analysis
    allows. Either is left out (None) rather than failing the page: the ranking by age group
    stands on its own."""
    extras: dict[str, RankingResult | None] = {
        "by_area": None, "key_figures": None, "key_figures_by_gender": None}
    if not frame["area"].isna().all():
        with suppress(AnalysisError):
            extras["by_area"] = ranking("area", n_boot=200)
    if spec.indicators:
        figures = {"n_boot": 200, "priorities": None, "positive": [1.0], "valid": [1.0, 2.0],
                   "items": [f"{INDICATOR_PREFIX}{i.id}" for i, _many in spec.indicators]}
        with suppress(AnalysisError):
            extras["key_figures"] = ranking("age_band", **figures)
        if not frame["gender"].isna().all():
            with suppress(AnalysisError):
                extras["key_figures_by_gender"] = ranking("gender", **figures)
    return extras


def _how_many(count: int, min_n: int) -> tuple[str, str]:
    """A count for a note, or "fewer than min_n" when the count itself would be a small cell."""
    if count >= min_n:
        return str(count), str(count)
    return f"Färre än {min_n}", f"Fewer than {min_n}"


def _merged_cells(ranking: RankingResult) -> int:
    cells = ranking.weighting.cells
    if "stratum" not in cells.columns:
        return 0
    sizes = cells.groupby("stratum")["stratum"].transform("size")
    return int((sizes > 1).sum())


def _shown_notes(ranking: RankingResult) -> list[Note]:
    """The analysis notes without the weighting ones, which name tiny cells and their counts;
    :func:`_rank` summarises those without numbers."""
    return [note for note in ranking.notes if note not in set(ranking.weighting.notes)]


def _sample_cells(frame: pd.DataFrame, population: PopulationInfo | None,
                  min_n: int) -> list[SampleCell]:
    if population is None:
        return []
    pop = population.table
    inside = frame.loc[frame["gender"].isin(set(pop["gender"])).fillna(False)]
    counts = inside.groupby(["age_band", "gender"]).size()
    total_n = max(int(len(inside)), 1)
    total_pop = float(pop["count"].sum()) or 1.0
    n = np.array([int(counts.get((row.age_band, row.gender), 0))
                  for row in pop.itertuples(index=False)])
    # The cells add up to a total the page shows, so one small cell needs a partner.
    hidden = withhold(n, min_n, [range(len(n))]).withheld & (n > 0)
    return [SampleCell(row.age_band, row.gender, int(count), count / total_n,
                       float(row.count) / total_pop, bool(small))
            for row, count, small in zip(pop.itertuples(index=False), n, hidden, strict=True)]


# -- interpretation helpers shared by the dashboard and the public löfte page ---------------

@dataclass(frozen=True)
class Suggestion:
    item: str
    reason: str  # "overall" or "group"
    group: str | None = None


def suggest_focus(ranking: RankingResult, top: int = 3) -> list[Suggestion]:
    """Focus problems to propose: the top-ranked overall, then the first item of any age
    group whose answers on that item differ significantly between groups."""
    overall = ranking.overall()
    shown = overall.loc[~overall["suppressed"]].sort_values("rank", kind="stable")
    out = [Suggestion(item, "overall") for item in shown["item"].head(top)]
    chosen = {s.item for s in out}
    differing = set(ranking.differences.loc[ranking.differences["significant"], "item"])
    table = ranking.table
    for group in ranking.groups:
        rows = table.loc[(table["group"] == group) & ~table["suppressed"]]
        if rows.empty:
            continue
        first = rows.sort_values("rank", kind="stable").iloc[0]["item"]
        if first in differing and first not in chosen:
            out.append(Suggestion(first, "group", group))
            chosen.add(first)
    return out


def earlier_round(record: SurveyRecord) -> SurveyRecord | None:
    """The newest earlier survey round made from the same template with the same items."""
    if record.current_version is None:
        return None
    survey = catalog.definition_of(record.current_version)
    if not survey.template:
        return None
    items = analysis_spec(survey).item_codes
    candidates = db.session.scalars(
        select(SurveyRecord).where(SurveyRecord.id != record.id,
                                   SurveyRecord.current_version_id.is_not(None))).all()
    earlier = []
    for other in candidates:
        if (other.created_at, other.id) >= (record.created_at, record.id):
            continue
        definition = catalog.definition_of(other.current_version)
        if definition.template == survey.template and \
                analysis_spec(definition).item_codes == items:
            earlier.append(other)
    return max(earlier, key=lambda r: (r.created_at, r.id), default=None)


def trend(previous: SurveyResults, current: SurveyResults) -> pd.DataFrame | None:
    """Change per group and item since the previous round (None without both rankings)."""
    if previous.ranking is None or current.ranking is None:
        return None
    return compare_rounds(previous.ranking, current.ranking)


def chart_bytes(results: SurveyResults, name: str, fmt: str, lang: str,
                labels: Mapping[str, str], group_labels: Mapping[str, str],
                texts: Mapping[str, str], title: str) -> bytes:
    """A rendered chart, cached with the results it was drawn from."""
    if results.ranking is None or name not in CHARTS:
        raise LookupError(name)
    key = (name, fmt, lang)
    cached = results.charts.get(key)
    if cached is not None:
        return cached
    # Imported here: matplotlib and seaborn cost ~0.6 s of CPU, which every command-line
    # call (load-survey once per file) would pay at start-up for charts it never draws.
    from analysis import charts as analysis_charts

    ranking = results.ranking
    if name == "heatmap":
        data = analysis_charts.heatmap(ranking, labels, title, fmt=fmt, texts=texts,
                                       group_labels=group_labels)
    elif name == "dotplot":
        data = analysis_charts.dotplot(ranking, labels, title, fmt=fmt, texts=texts)
    else:
        data = analysis_charts.small_multiples(ranking, labels, title, fmt=fmt, texts=texts,
                                               group_labels=group_labels)
    results.charts[key] = data
    return data


def forget_cached() -> None:
    """Drop every cached result and frame (benchmarks time the cold path with it)."""
    with _lock:
        _cache.clear()
        _frames.clear()


def item_labels(results: SurveyResults, lang: str) -> dict[str, str]:
    """Item code → label in ``lang`` (the survey's default language if missing)."""
    spec = results.spec
    return {code: pick_text(spec.item_labels[column], lang, results.survey.default_language)
            for code, column in zip(spec.item_codes, spec.item_columns, strict=True)}


def report_sheets(results: SurveyResults, lang: str) -> dict[str, pd.DataFrame]:
    """The key figures and the ranking by area, as on the dashboard, for the ranking
    workbook (sheet name → table; small groups are already withheld)."""
    survey = results.survey
    columns = ["group", "item", "label", "n", "share", "ci_low", "ci_high", "suppressed"]
    sheets: dict[str, pd.DataFrame] = {}
    if results.key_figures is not None:
        names = {f"{INDICATOR_PREFIX}{i.id}": (i.id, pick_text(i.label, lang,
                                                                survey.default_language))
                 for i in survey.indicators}
        table = results.key_figures.table.copy()
        table["label"] = table["item"].map(lambda item: names[item][1])
        table["item"] = table["item"].map(lambda item: names[item][0])
        sheets["nyckeltal" if lang == "sv" else "key figures"] = table[columns]
    if results.by_area is not None:
        table = results.by_area.table.copy()
        table["label"] = table["item"].map(item_labels(results, lang))
        sheets["per område" if lang == "sv" else "by area"] = table[columns]
    return sheets
