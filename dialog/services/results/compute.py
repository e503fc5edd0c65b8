"""Running the analysis for one survey round: who answered, the ranking, the key figures.

:func:`analyse` reads the kept facts (:mod:`.facts`), weights to the population table and
calls :func:`analysis.rank_items`; it caches nothing (see :mod:`.store`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Collection
from contextlib import suppress
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from flask import current_app
from sqlalchemy import select

from analysis import DEFAULT_SEED, AnalysisError, Note, RankingResult, rank_items
from analysis.disclosure import withhold
from analysis.population import weighting_population
from analysis.sampling import StratifiedSample
from analysis.selection import selection_withheld
from surveys import AnalysisSpec, Survey, analysis_spec

from ...extensions import db
from ...models import Response, SurveyRecord, SurveyVersion
from ...operations.retention import retained_answers
from ...sampling import service as sampling
from .. import catalog
from ..population import PopulationInfo
from . import facts
from .facts import INDICATOR_PREFIX, FactLayout
from .selection import Selection

# Respondents whose gender is outside the population table (annat, vill inte svara, no
# answer) are weighted by age band only, in a cell of their own within each band.
OTHER_GENDER = "ovrigt"
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
    # What the page shows of them: the disclosure rule's withheld counts are None.
    shown_channels: dict[str, int | None]
    shown_languages: dict[str, int | None]
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
    # How long the analysis took, which decides whether the next one runs in the background.
    compute_seconds: float = 0.0
    # The respondents the rankings and key figures are of (None: everyone); who answered
    # (channels, languages, sample) always describes everyone.
    selection: Selection | None = None
    # A sampled round's AAPOR response rates: the whole sample first, then by stratum.
    response_rates: list[sampling.RateRow] | None = None
    charts: dict[tuple[str, str, str], bytes] = field(default_factory=dict)
    views: dict[str, dict] = field(default_factory=dict)


def response_frame(record: SurveyRecord, spec: AnalysisSpec) -> pd.DataFrame:
    """The analysed complete responses of a survey (see :func:`.facts.read_frame`).

    Complete responses without a fact row in the spec's layout – a bulk insert, or a new
    survey version that changed the analysed questions – are coded from their answers first
    and committed, so later reads, on any server, find them."""
    layout = FactLayout(spec)
    connection = db.session.connection()
    if facts.refresh(connection, record.id, layout):
        db.session.commit()
        connection = db.session.connection()
    return facts.read_frame(connection, record.id, layout)


def retained_frame(record: SurveyRecord, survey: Survey, spec: AnalysisSpec) -> pd.DataFrame:
    """The complete responses of ``record`` that retention purged, rebuilt from the counts it
    kept (:func:`dialog.operations.retention.retained_answers`), as rows of
    :func:`response_frame` with negative ids, the channel ``retained`` and their
    ``sample_stratum``. Shares and their standard errors come out as from the purged answers
    themselves."""
    kept = retained_answers([v.id for v in record.versions], survey)
    frame = facts.frame_of_answers([k.answers for k in kept], FactLayout(spec),
                                   RETAINED_CHANNEL)
    return frame.assign(sample_stratum=pd.array([k.stratum for k in kept], dtype="string"))


def _analysed_frame(record: SurveyRecord, survey: Survey, spec: AnalysisSpec) -> pd.DataFrame:
    """The complete responses, those purged by retention included."""
    frame = response_frame(record, spec)
    kept = retained_frame(record, survey, spec)
    return pd.concat([frame, kept]) if len(kept) else frame


def _other_gender(frame: pd.DataFrame, population: PopulationInfo | None) -> int:
    known = set(population.table["gender"]) if population is not None else set()
    return int((~frame["gender"].isin(known).fillna(False)).sum())


def analyse(record: SurveyRecord, population: PopulationInfo | None,
            stamp: tuple = (), min_n: int | None = None) -> SurveyResults:
    """Run the analysis with a given population table (None: unweighted)."""
    survey = catalog.definition_of(record.current_version)
    spec = analysis_spec(survey)
    min_n = int(current_app.config["MIN_GROUP_SIZE"]) if min_n is None else min_n
    frame = _analysed_frame(record, survey, spec)
    design = sampling.strata_design(record.id)
    open_answers = 0
    if design is not None:
        frame, open_answers = _sample_only(record, frame)
    channels = {str(k): int(v) for k, v in frame["channel"].value_counts().items()}
    languages = {str(k): int(v) for k, v in frame["language"].value_counts().items()}
    no_age = int(frame["age_band"].isna().sum())
    frame = frame.loc[frame["age_band"].notna()].reset_index(drop=True)
    other_gender = _other_gender(frame, population)
    sample = _sample_cells(frame, population, min_n)
    ranked = _rank(frame, spec, population, min_n, other_gender, design)
    notes = ranked.notes
    if design is not None:
        sv, en = _how_many(open_answers, min_n)
        notes.insert(0, Note(
            "Omgången är en urvalsundersökning: siffrorna bygger bara på dem som lottades fram "
            "och svarade med sin kod, vägda efter urvalets strata och befolkningen. "
            f"{sv} svar från öppna kanaler (länk, kiosk, papper utan kod) ingår inte.",
            "The round is a sampled survey: the figures come only from the people drawn who "
            "answered with their code, weighted by the sample's strata and the population. "
            f"{en} answers from open channels (link, kiosk, paper without a code) are not "
            "included."))
    if no_age:
        sv, en = _how_many(no_age, min_n)
        notes.insert(0, Note(f"{sv} svar saknar åldersgrupp och ingår inte i analysen.",
                             f"{en} answers have no age band and are not analysed."))
    return SurveyResults(
        record_id=record.id, slug=record.slug, survey=survey, spec=spec, stamp=stamp,
        n_complete=sum(channels.values()), channels=channels, languages=languages,
        shown_channels=shown_counts(channels, min_n),
        shown_languages=shown_counts(languages, min_n),
        sample=sample, other_gender=other_gender, no_age_band=no_age, population=population,
        ranking=ranked.ranking, weighted=ranked.weighted, notes=notes, problem=ranked.problem,
        min_n=min_n, by_area=ranked.by_area, key_figures=ranked.key_figures,
        key_figures_by_gender=ranked.key_figures_by_gender,
        response_rates=_response_rates(record) if design is not None else None,
    )


def analyse_selection(record: SurveyRecord, everyone: SurveyResults,
                      selection: Selection) -> SurveyResults:
    """The rankings and key figures of ``everyone`` again, of the selected respondents only.

    Weighted to the population of the selection (its age band or gender; an area has no
    population table of its own, so its answers are weighted to the whole one, as in the
    table by area). Every table withholds, besides its own small cells, what would let
    someone work a small cell out against everyone's table or another selection's
    (:func:`analysis.selection.selection_withheld`). The top-3 priorities are left out: they
    rest on other counts than the shares, which that rule does not cover.

    A sampled round's design weights hold for the whole sample, so its selection is not
    reweighted on its own: it is a domain of the sample (``rank_items(within=...)``), weighted
    and with standard errors from everyone's answers."""
    survey, spec, min_n = everyone.survey, everyone.spec, everyone.min_n
    frame = _analysed_frame(record, survey, spec)
    design = sampling.strata_design(record.id)
    if design is not None:
        frame, _open_answers = _sample_only(record, frame)
    frame = frame.loc[frame["age_band"].notna()].reset_index(drop=True)
    chosen = frame.loc[frame[selection.dimension] == selection.value].reset_index(drop=True)
    population = everyone.population
    if design is None and population is not None and (
            selection.dimension in population.table.columns):
        table = population.table
        if selection.value in set(table[selection.dimension]):
            population = dataclasses.replace(population, table=table.loc[
                table[selection.dimension] == selection.value].reset_index(drop=True))
    published = [everyone.ranking, everyone.by_area, everyone.key_figures,
                 everyone.key_figures_by_gender]

    def protect(group: str, items: list[str]) -> Collection[tuple[str, str]]:
        for table in published:
            if table is not None and table.group == group and table.items == items:
                return selection_withheld(frame, table, selection.dimension, selection.value)
        # Nothing of everyone's to hold it against, so nothing to show either.
        raise AnalysisError(f"no published table by {group}")

    if design is None:
        ranked = _rank(chosen, spec, population, min_n, _other_gender(chosen, population),
                       protect=protect)
    else:
        ranked = _rank(frame, spec, population, min_n, _other_gender(frame, population),
                       design, protect, within=(selection.dimension, selection.value))
    return dataclasses.replace(
        everyone, ranking=ranked.ranking, weighted=ranked.weighted, notes=ranked.notes,
        problem=ranked.problem, by_area=ranked.by_area, key_figures=ranked.key_figures,
        key_figures_by_gender=ranked.key_figures_by_gender, selection=selection,
        compute_seconds=0.0, charts={}, views={})


def _response_rates(record: SurveyRecord) -> list[sampling.RateRow]:
    overall, by_stratum, _by_wave = sampling.rates(record.id)
    return [overall, *by_stratum]


@dataclass
class _Ranked:
    """What :func:`_rank` produces: the rankings, whether weighted, notes, or the problem."""

    ranking: RankingResult | None = None
    weighted: bool = False
    notes: list[Note] = field(default_factory=list)
    problem: str | None = None
    by_area: RankingResult | None = None
    key_figures: RankingResult | None = None
    key_figures_by_gender: RankingResult | None = None


def _sample_only(record: SurveyRecord, frame: pd.DataFrame) -> tuple[pd.DataFrame, int]:
    """The answers given with an invitation code, with their stratum, and how many others
    (open channels of the same round) are left out."""
    # By round, not by a list of every response id: one short query however many answered.
    strata = dict(db.session.execute(
        select(Response.id, Response.sample_stratum)
        .join(SurveyVersion, Response.version_id == SurveyVersion.id)
        .where(SurveyVersion.survey_id == record.id,
               Response.sample_stratum.is_not(None))).all())
    stored = pd.Series([strata.get(int(i)) for i in frame.index], index=frame.index,
                       dtype="string")
    if "sample_stratum" in frame.columns:  # answers purged by retention kept theirs
        stored = stored.fillna(frame["sample_stratum"])
    coded = frame.assign(sample_stratum=stored)
    sampled = coded.loc[coded["sample_stratum"].notna()]
    return sampled, len(coded) - len(sampled)


def _rank(frame: pd.DataFrame, spec: AnalysisSpec, population: PopulationInfo | None,
          min_n: int, other_gender: int, design: StratifiedSample | None = None,
          protect: Callable[[str, list[str]], Collection[tuple[str, str]]] | None = None,
          within: tuple[str, str] | None = None) -> _Ranked:
    """The rankings of ``frame``, or of its rows whose column ``within[0]`` is ``within[1]``
    as a domain of it. ``protect(group, items)`` names the cells a selection's table
    withholds besides its own small ones (see :func:`analyse_selection`)."""
    if not spec.item_codes:
        return _Ranked(problem="no_items")
    inside = len(frame) if within is None else int((frame[within[0]] == within[1]).sum())
    if inside < min_n:
        return _Ranked(problem="too_few")
    options = {
        "items": list(spec.item_codes),
        "positive": [float(spec.valid_codes.index(c) + 1) for c in spec.positive_codes],
        "valid": [float(i + 1) for i in range(len(spec.valid_codes))], "dont_know": (0.0,),
        "min_n": min_n, "seed": DEFAULT_SEED,
        "priorities": "priorities" if "priorities" in frame.columns and protect is None
        else None,
        "sample": design, "within": within,
    }

    def settings(group: str, extra: dict) -> dict:
        merged = {**options, **extra}
        if protect is not None:
            merged["withheld_cells"] = protect(group, merged["items"])
        return merged
    notes: list[Note] = []
    if population is not None:
        weighted_frame = frame.assign(weight_gender=frame["gender"].where(
            frame["gender"].isin(set(population.table["gender"])).fillna(False), OTHER_GENDER))
        target = weighting_population(frame, population.table, OTHER_GENDER)

        def weighted_ranking(group: str, **extra) -> RankingResult:
            return rank_items(weighted_frame, population=target, group=group,
                              weight_by=("age_band", "weight_gender"), method="poststratify",
                              **settings(group, extra))

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
            return _with_extras(_Ranked(ranking, True, notes + _shown_notes(ranking)),
                                frame, spec, weighted_ranking)

    def unweighted_ranking(group: str, **extra) -> RankingResult:
        return rank_items(frame, population=None, group=group, weight_by=(), method="none",
                          **settings(group, extra))

    try:
        ranking = unweighted_ranking("age_band")
    except AnalysisError as error:
        notes.append(Note(str(error), str(error)))
        return _Ranked(notes=notes, problem="failed")
    return _with_extras(_Ranked(ranking, False, notes + _shown_notes(ranking)),
                        frame, spec, unweighted_ranking)


def _with_extras(ranked: _Ranked, frame: pd.DataFrame, spec: AnalysisSpec,
                 ranking: Callable[..., RankingResult]) -> _Ranked:
    """The ranking by area and the key figures, with the same weights as the main ranking.

    Neither shows ranks, so the rank simulation runs with the fewest replicates the analysis
    allows. Either is left out (None) rather than failing the page: the ranking by age group
    stands on its own."""
    if not frame["area"].isna().all():
        with suppress(AnalysisError):
            ranked.by_area = ranking("area", n_boot=200)
    if spec.indicators:
        figures = {"n_boot": 200, "priorities": None, "positive": [1.0], "valid": [1.0, 2.0],
                   "items": [f"{INDICATOR_PREFIX}{i.id}" for i, _many in spec.indicators]}
        with suppress(AnalysisError):
            ranked.key_figures = ranking("age_band", **figures)
        if not frame["gender"].isna().all():
            with suppress(AnalysisError):
                ranked.key_figures_by_gender = ranking("gender", **figures)
    return ranked


def _how_many(count: int, min_n: int) -> tuple[str, str]:
    """A count for a note, or "fewer than min_n" when the count itself would be a small cell."""
    if count >= min_n:
        return str(count), str(count)
    return f"Färre än {min_n}", f"Fewer than {min_n}"


def _merged_cells(ranking: RankingResult) -> int:
    cells = ranking.weighting.cells
    if "stratum" not in cells.columns:
        return 0
    sizes = np.bincount(cells["stratum"])
    return int((sizes[cells["stratum"]] > 1).sum())


def _shown_notes(ranking: RankingResult) -> list[Note]:
    """The analysis notes without the weighting ones, which name tiny cells and their counts;
    :func:`_rank` summarises those without numbers."""
    return [note for note in ranking.notes if note not in set(ranking.weighting.notes)]


def shown_counts(counts: dict[str, int], min_n: int) -> dict[str, int | None]:
    """Answers by channel or by language as the page may show them.

    The page also shows the total of complete answers, so one hidden count would be the
    total minus the others: :func:`analysis.disclosure.withhold` withholds a second one
    where needed, and the withheld counts become None."""
    n = np.array(list(counts.values()), dtype=np.int64)
    hidden = withhold(n, min_n, [range(len(n))]).withheld
    return {key: None if h else int(count)
            for key, count, h in zip(counts, n, hidden, strict=True)}


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
