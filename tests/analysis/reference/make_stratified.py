"""Write the synthetic stratified-sample reference data (run once; R then computes the answers).

A kommun of four areas is the sampling frame; each area is a stratum with its own sample size,
and the chance to answer depends on age and gender, as in postal surveys. The R script
``stratified.R`` beside this file computes the design-based estimates the analysis must
reproduce: ``svydesign(id = ~1, strata = ~stratum, fpc = ~N)`` followed by
``postStratify`` or ``rake`` to the kommun's age × gender table.

    .venv/bin/python tests/analysis/reference/make_stratified.py
    Rscript tests/analysis/reference/stratified.R tests/analysis/reference
"""

from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).parent
AREAS = {"centrum": 9200, "norr": 4100, "söder": 6300, "landsbygd": 2400}
SAMPLED = {"centrum": 300, "norr": 300, "söder": 300, "landsbygd": 250}
AGES = ["16-24", "25-44", "45-64", "65-79", "80+"]
AGE_SHARE = [0.14, 0.31, 0.31, 0.18, 0.06]
ANSWER_RATE = {"16-24": 0.25, "25-44": 0.35, "45-64": 0.5, "65-79": 0.62, "80+": 0.45}
ITEMS = ["nedskrapning", "klotter", "belysning", "fortkorning", "narkotikahandel", "inbrott"]


def main() -> None:
    rng = np.random.default_rng(20261202)
    people = []
    for area, size in AREAS.items():
        people.append(pd.DataFrame({
            "stratum": area,
            "age_band": rng.choice(AGES, size=size, p=AGE_SHARE),
            "gender": rng.choice(["kvinna", "man"], size=size),
        }))
    frame = pd.concat(people, ignore_index=True)
    population = frame.groupby(["age_band", "gender"]).size().rename("count").reset_index()
    strata = pd.DataFrame({"stratum": list(AREAS), "population": list(AREAS.values()),
                           "sampled": [SAMPLED[a] for a in AREAS]})
    sample = pd.concat([
        frame.loc[frame["stratum"] == area].sample(n=n, random_state=int(rng.integers(1 << 30)))
        for area, n in SAMPLED.items()
    ])
    rate = sample["age_band"].map(ANSWER_RATE) * np.where(sample["gender"] == "kvinna", 1.1, 0.9)
    answered = sample.loc[rng.random(len(sample)) < rate].reset_index(drop=True)
    # Problems differ by area (the point of stratifying) and by age.
    base = {"centrum": 0.45, "norr": 0.3, "söder": 0.55, "landsbygd": 0.2}
    for k, item in enumerate(ITEMS):
        level = answered["stratum"].map(base) + 0.05 * k - 0.1 * (answered["age_band"] == "80+")
        big = rng.random(len(answered)) < level.clip(0.02, 0.95)
        code = np.where(big, rng.choice([3, 4], size=len(answered)),
                        rng.choice([1, 2], size=len(answered)))
        dont_know = rng.random(len(answered)) < 0.06
        missing = rng.random(len(answered)) < 0.04
        answered[item] = pd.Series(np.where(dont_know, 9, code), dtype="Int64").mask(missing)
    answered.to_csv(HERE / "stratified_responses.csv", index=False)
    population.to_csv(HERE / "stratified_population.csv", index=False)
    strata.to_csv(HERE / "stratified_strata.csv", index=False)


if __name__ == "__main__":
    main()
