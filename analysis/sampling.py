"""Respondents from a stratified random sample: design weights and response rates.

A sampled round draws ``n_h`` people at random from each stratum ``h`` of the population
register (an area, an age band, …) holding ``N_h`` people, and ``r_h`` of them answer. Each
respondent starts with the weight ``N_h / r_h``: the design weight ``N_h / n_h`` times the
nonresponse adjustment ``n_h / r_h`` within the stratum (people are assumed to answer at
random within their stratum). The weights are then calibrated to the population table as
for open rounds. Standard errors treat the respondents as a stratified sample without
replacement, with the finite population correction ``1 - r_h / N_h``; this is R's
``svydesign(id = ~1, strata = ~stratum, fpc = ~N)`` followed by ``postStratify`` or ``rake``.

References
----------
Särndal, C.-E. and Lundström, S. (2005). Estimation in Surveys with Nonresponse. Wiley,
ch. 7 (response homogeneity groups).
Lumley, T. (2010). Complex Surveys: A Guide to Analysis Using R. Wiley, sections 2.2 and 7.
The American Association for Public Opinion Research (2023). Standard Definitions: Final
Dispositions of Case Codes and Outcome Rates for Surveys, 10th edition.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from .columns import Coded
from .errors import AnalysisError

__all__ = ["ResponseRates", "StrataDesign", "StratifiedSample", "response_rates"]


@dataclass(frozen=True)
class StratifiedSample:
    """How the respondents were sampled.

    Attributes
    ----------
    column : str
        Column of the responses naming each respondent's stratum.
    population : Mapping[str, float]
        People in each stratum of the register (``N_h``).
    """

    column: str
    population: Mapping[str, float]

    def design(self, stratum_of_row: Coded, n_row: np.ndarray) -> StrataDesign:
        """Per-stratum respondents, sampling fractions and starting weights.

        Raises
        ------
        AnalysisError
            A respondent without a stratum or in a stratum the population lacks, a stratum
            with more respondents than people, or one with a single respondent (its
            variance cannot be estimated).
        """
        absent = int((stratum_of_row.codes < 0).sum())
        if absent:
            raise AnalysisError(
                f"{absent} responses have no {self.column!r}; every answer of a sampled round "
                f"needs its stratum / {absent} svar saknar urvalsstratum")
        known = {str(k): float(v) for k, v in self.population.items()}
        # Strata in sorted order of their names, whatever order the rows came in.
        levels = [str(level) for level in stratum_of_row.levels]
        names = sorted({levels[k] for k in np.unique(stratum_of_row.codes)})
        position = {name: k for k, name in enumerate(names)}
        codes = np.array([position.get(level, -1) for level in levels],
                         dtype=np.int64)[stratum_of_row.codes]
        unknown = [h for h in names if h not in known]
        if unknown:
            raise AnalysisError(
                f"stratum {unknown[0]!r} is not in the sample's population table / stratumet "
                f"{unknown[0]!r} saknas i urvalets befolkningstabell")
        size = np.bincount(codes, weights=n_row, minlength=len(names))
        people = np.array([known[h] for h in names])
        bad = ~np.isfinite(people) | (people < size)
        if bad.any():
            h = names[int(np.flatnonzero(bad)[0])]
            raise AnalysisError(
                f"stratum {h!r} has {size[names.index(h)]:.0f} respondents but a population of "
                f"{known[h]}; the population must be a number at least as large / stratumet "
                f"{h!r} har fler svarande än invånare")
        lonely = size < 2
        if lonely.any():
            h = names[int(np.flatnonzero(lonely)[0])]
            raise AnalysisError(
                f"stratum {h!r} has a single respondent, so its variance cannot be estimated; "
                f"merge it with a neighbouring stratum / stratumet {h!r} har bara en svarande")
        return StrataDesign(labels=tuple(names), code_of_row=codes.astype(np.int64),
                            respondents=size, population=people)


@dataclass(frozen=True)
class StrataDesign:
    """The strata as the weighting and the variance need them.

    Attributes
    ----------
    labels : tuple of str
        Stratum names, in code order.
    code_of_row : numpy.ndarray
        Stratum code of each input row.
    respondents, population : numpy.ndarray
        ``r_h`` and ``N_h`` per stratum.
    """

    labels: tuple[str, ...]
    code_of_row: np.ndarray
    respondents: np.ndarray
    population: np.ndarray

    @property
    def fraction(self) -> np.ndarray:
        """Sampling fraction ``r_h / N_h`` of each stratum, for the finite population
        correction."""
        return self.respondents / self.population

    @property
    def start_weight(self) -> np.ndarray:
        """``N_h / r_h``: design weight times the nonresponse adjustment."""
        return self.population / self.respondents


@dataclass(frozen=True)
class ResponseRates:
    """AAPOR outcome rates of one group of sample rows.

    Attributes
    ----------
    complete, partial, refused, non_contact, other, unknown, not_eligible : int
        Counts of final dispositions (I, P, R, NC, O, UH/UO, NE in AAPOR's terms).
    rr1, rr2 : float
        Response rate 1 (complete answers over all eligible and unknown cases) and 2
        (complete and partial answers over the same base). NaN without any case.
    """

    complete: int
    partial: int
    refused: int
    non_contact: int
    other: int
    unknown: int
    not_eligible: int
    rr1: float
    rr2: float


def response_rates(
    complete: int, partial: int, refused: int = 0, non_contact: int = 0, other: int = 0,
    unknown: int = 0, not_eligible: int = 0,
) -> ResponseRates:
    """AAPOR's RR1 and RR2 from the final dispositions of a group of sample rows.

    ``RR1 = I / ((I + P) + (R + NC + O) + (UH + UO))`` and
    ``RR2 = (I + P) / ((I + P) + (R + NC + O) + (UH + UO))``. Letters returned as
    undeliverable because the person has moved away or died are *not eligible* (NE) and leave
    the base; a letter nobody returned is *unknown* and stays in it, which is what keeps RR1
    and RR2 conservative.
    """
    counts = (complete, partial, refused, non_contact, other, unknown, not_eligible)
    if any(int(c) != c or c < 0 for c in counts):
        raise AnalysisError("dispositions must be whole numbers of at least 0")
    base = complete + partial + refused + non_contact + other + unknown
    rr1 = complete / base if base else float("nan")
    rr2 = (complete + partial) / base if base else float("nan")
    return ResponseRates(*map(int, counts), rr1=rr1, rr2=rr2)
