"""Synthetic demo answers that look like a real self-selected municipal survey.

Older residents and women answer more often than others; problem ratings differ by age group,
so that the demo ranking is not flat and the age comparison has something to show.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import numpy as np

from surveys import Answers, Question, Survey, date_bound, prune_hidden

_GENDER_WEIGHTS = {"kvinna": 0.56, "man": 0.39, "annat": 0.02, "vill_inte_svara": 0.03}
# Items that residents of every age rank high (Söderhamn's dialogue: youth crime and drugs),
# and items where young and old disagree.
_COMMON_CONCERNS = {"ungdomskriminalitet": 0.9, "narkotikahandel": 0.6, "fortkorning": 0.5}
_OLDER_CONCERNS = {"inbrott": 0.6, "bedragerier_aldre": 0.8, "ungdomar_stor": 0.6, "belysning": 0.4}
_YOUNGER_CONCERNS = {"antastning": 0.7, "brak_slagsmal": 0.5, "narkotika_offentligt": 0.4}
_PLACE_TEXTS = ["Gångtunneln under järnvägen", "Parkeringen bakom affären", "Busshållplatsen",
                "Cykelvägen längs ån"]
_TEXTS = [
    "Bättre belysning vid busstationen.",
    "Fler vuxna ute på kvällarna.",
    "Mer polis som syns i centrum.",
    "Det behövs fler aktiviteter för unga.",
    "Parken vid ån är mörk på kvällen.",
]


def _age_weights(n: int) -> np.ndarray:
    # Self-selection: answer propensity rises with age until the oldest band.
    w = np.linspace(0.6, 1.6, n)
    if n > 2:
        w[-1] = w[-2] * 0.6
    return w / w.sum()


class DemoGenerator:
    """Draws whole responses; all randomness comes from seeded generators."""

    def __init__(self, survey: Survey, seed: int) -> None:
        self.survey = survey
        self.rng = np.random.default_rng(seed)
        self.place_rng = np.random.default_rng(seed + 1)
        self._item_base: dict[str, float] = {}

    def _base(self, item: str) -> float:
        if item not in self._item_base:
            self._item_base[item] = float(self.rng.uniform(-0.8, 0.2))
        return self._item_base[item]

    def _pick(self, options, weights=None) -> str:
        codes = [o.code for o in options]
        return str(self.rng.choice(codes, p=weights))

    def _rating(self, question: Question, item: str, age_pos: float) -> str | None:
        scale = question.scale
        valid = [o for o in scale.options if not o.dont_know]
        unknown = [o for o in scale.options if o.dont_know]
        if self.rng.random() < 0.03:
            return None
        if unknown and self.rng.random() < 0.06:
            return unknown[0].code
        latent = self._base(item) + _COMMON_CONCERNS.get(item, 0.0)
        latent += _OLDER_CONCERNS.get(item, 0.0) * age_pos
        latent += _YOUNGER_CONCERNS.get(item, 0.0) * (1 - age_pos)
        level = latent + 1.2 + self.rng.normal(0, 0.9)
        index = int(np.clip(round(level), 0, len(valid) - 1))
        return valid[index].code

    def _marks(self, question: Question) -> list[dict]:
        """About a third mark places: mostly a few hot spots from the list, some as map points
        near them (a couple of hundred metres off), a few as text. Own generator, so the
        other answers stay the same as before places existed."""
        rng = self.place_rng
        if rng.random() > 0.35:
            return []
        weights = np.array([4.0, 1.0, 1.5, 3.0, 2.5] + [0.6] * len(question.places))
        weights = weights[: len(question.places)] / weights[: len(question.places)].sum()
        marks = []
        for _ in range(int(rng.integers(1, (question.max_marks or 1) + 1))):
            named = question.places[int(rng.choice(len(question.places), p=weights))]
            way = rng.random()
            mark = {"place": None, "lat": None, "lon": None, "text": None}
            if way < 0.6:
                mark["place"] = named.code
            elif way < 0.9:
                mark["lat"] = round(named.lat + float(rng.normal(0, 0.0015)), 5)
                mark["lon"] = round(named.lon + float(rng.normal(0, 0.003)), 5)
            else:
                mark["text"] = str(rng.choice(_PLACE_TEXTS))
            for follow_up in question.follow_up:
                if follow_up.type == "multiple_choice" and rng.random() < 0.8:
                    chosen = [o.code for o in follow_up.options if rng.random() < 0.35]
                    mark[follow_up.id] = chosen or [follow_up.options[0].code]
            marks.append(mark)
        return marks

    def response(self) -> Answers:
        answers: Answers = {}
        age_pos = 0.5
        ratings: dict[str, float] = {}
        for question in self.survey.questions():
            qtype = question.type
            if question.role == "age_band":
                w = _age_weights(len(question.options))
                code = self._pick(question.options, w)
                age_pos = [o.code for o in question.options].index(code) / max(
                    len(question.options) - 1, 1)
                answers[question.id] = code
            elif question.role == "gender":
                w = np.array([_GENDER_WEIGHTS.get(o.code, 0.05) for o in question.options])
                answers[question.id] = self._pick(question.options, w / w.sum())
            elif question.role == "area":
                w = np.array([3.0] + [1.0] * (len(question.options) - 1))
                answers[question.id] = self._pick(question.options, w / w.sum())
            elif qtype == "single_choice":
                if question.required or self.rng.random() < 0.95:
                    n = len(question.options)
                    w = np.linspace(1.5, 0.5, n)
                    answers[question.id] = self._pick(question.options, w / w.sum())
            elif qtype == "likert_matrix":
                for item in question.items:
                    code = self._rating(question, item.code, age_pos)
                    if code is not None:
                        answers[f"{question.id}.{item.code}"] = code
                        score = next(o.score for o in question.scale.options if o.code == code)
                        if score is not None:
                            ratings[item.code] = float(score)
            elif qtype == "pick_top":
                codes = [o.code for o in question.options]
                w = np.array([np.exp(ratings.get(c, 1.0)) for c in codes])
                k = min(question.max_selections or 3, len(codes))
                chosen = set(self.rng.choice(codes, size=k, replace=False, p=w / w.sum()))
                answers[question.id] = [c for c in codes if c in chosen]
            elif qtype == "multiple_choice":
                chosen = [o.code for o in question.options[:-1] if self.rng.random() < 0.12]
                if question.max_selections:
                    chosen = chosen[: question.max_selections]
                answers[question.id] = chosen or [question.options[-1].code]
            elif qtype == "free_text":
                if self.rng.random() < 0.15:
                    answers[question.id] = str(self.rng.choice(_TEXTS))
            elif qtype == "number":
                low = question.min_value if question.min_value is not None else 0
                high = question.max_value if question.max_value is not None else 100
                answers[question.id] = int(self.rng.integers(int(low), int(high) + 1))
            elif qtype == "place":
                marks = self._marks(question)
                if marks:
                    answers[question.id] = marks
            elif qtype == "date" and self.rng.random() < 0.5:
                # Something that happened in the last year, within the question's bounds.
                latest = date_bound(question.max_date) or date.today()
                earliest = max(date_bound(question.min_date) or date.min,
                               latest - timedelta(days=365))
                span = max((latest - earliest).days, 0)
                answers[question.id] = (earliest + timedelta(
                    days=int(self.rng.integers(0, span + 1)))).isoformat()
        return prune_hidden(self.survey, answers)

    def channel(self) -> str:
        return str(self.rng.choice(["web", "paper", "kiosk"], p=[0.85, 0.10, 0.05]))

    def language(self) -> str:
        langs = list(self.survey.languages)
        default = self.survey.default_language
        others = [lang for lang in langs if lang != default]
        if not others or self.rng.random() < 0.9:
            return default
        return str(self.rng.choice(others))

    def completed_at(self, now: datetime) -> datetime:
        return now - timedelta(minutes=int(self.rng.integers(0, 60 * 24 * 21)))
