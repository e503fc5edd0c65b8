"""How the figures are made, in words for the reports and the dashboard (data per language)."""

from __future__ import annotations

from .notes import Note
from .weighting import (
    TRIM_SHOWN_AT,
    WARN_DESIGN_EFFECT,
    WARN_MAX_TO_MEAN,
    WARN_SMALL_CELL_WEIGHT,
)

__all__ = ["METHOD_NOTES"]

_SMALL_PERCENT = round(100 * WARN_SMALL_CELL_WEIGHT)

METHOD_NOTES: list[Note] = [
    Note("Varje svar får först vikten 1 och kalibreras sedan mot befolkningen, antingen genom "
         "efterstratifiering på celler (t.ex. åldersgrupp × kön) eller genom raking på "
         "marginalerna.",
         "Every answer starts with weight 1 and is calibrated to the population, either by "
         "post-stratification on cells (e.g. age band × gender) or by raking on the margins."),
    Note("Andel = viktad andel som svarat 'ganska' eller 'mycket stort problem' bland dem som "
         "svarat; 'vet ej' och obesvarat räknas inte men deras andel redovisas.",
         "Share = weighted share answering 'fairly' or 'very big problem' among those who "
         "answered; 'don't know' and no answer are left out, their share is reported."),
    Note("Medelfel beräknas med Taylorlinjärisering som tar hänsyn till kalibreringen (som R:s "
         "survey-paket). Konfidensintervallen (95 %) bildas på logitskala med t-fördelningen. "
         "Vid 0 % eller 100 % används den exakta gränsen (Clopper–Pearson) med det effektiva "
         "antalet svar.",
         "Standard errors use Taylor linearisation that accounts for the calibration (as R's "
         "survey package does). Confidence intervals (95 %) are formed on the logit scale with "
         "the t distribution. At 0 % or 100 % the exact (Clopper–Pearson) bound is used, with "
         "the effective number of answers."),
    Note("Effektivt n (Kish) = (Σw)²/Σw² räknas från vikterna enbart. Effektivt n (design) = "
         "p(1−p)/medelfel² är det antal svar i ett obundet slumpmässigt urval som skulle ge "
         "samma säkerhet för just den skattningen.",
         "Effective n (Kish) = (Σw)²/Σw² comes from the weights alone. Effective n (design) = "
         "p(1−p)/SE² is the number of answers in a simple random sample that would give the "
         "same precision for that estimate."),
    Note("Rangintervall: skattningarna simuleras från sin gemensamma normalfördelning (med "
         "korrelationen mellan frågor) och rangordnas; intervallet täcker 95 % av "
         "simuleringarna.",
         "Rank intervals: the estimates are simulated from their joint normal distribution "
         "(including the correlation between items) and ranked; the interval covers 95 % of "
         "the simulations."),
    Note("Skillnader mellan grupper prövas med Rao–Scotts korrigerade chi2-test; p-värdena "
         "justeras för antalet frågor med Benjamini–Hochberg. Kendalls W mäter hur lika "
         "grupperna rangordnar problemen (0 = ingen, 1 = full samstämmighet).",
         "Group differences are tested with the Rao–Scott corrected chi-square test; p-values "
         "are adjusted for the number of items with Benjamini–Hochberg. Kendall's W measures "
         "how alike the groups order the problems (0 = no, 1 = full agreement)."),
    Note("Förändring mellan omgångar: intervallet bildas ur varje omgångs eget intervall "
         "(Newcombes hybridmetod), så att det gäller även när en andel är 0 % eller 100 %; "
         "p-värdet är det intervallet omvänt, justerat med Benjamini–Hochberg.",
         "Change between rounds: the interval is built from each round's own interval "
         "(Newcombe's hybrid method), so it holds even when a share is 0 % or 100 %; the "
         "p-value is that interval inverted, adjusted with Benjamini–Hochberg."),
    Note("Röjandeskydd: en skattning som bygger på färre svar än gränsvärdet visas inte, inte "
         "heller antalet svar eller andelen 'vet ej'. Eftersom totalen visas döljs dessutom "
         "minst en grupp till (den med minst svar) så att de dolda grupperna tillsammans har "
         "minst gränsvärdet svar; annars kunde den lilla gruppen räknas fram genom "
         "subtraktion. Det är tröskelregeln med sekundär undertryckning (\"prickning\") som "
         "SCB och Eurostats handbok i röjandekontroll beskriver. Samma celler är dolda i "
         "tabeller, filer, instrumentpanelen och på den offentliga löftessidan, som bara "
         "visar problem och nyckeltal med skattning.",
         "Disclosure control: an estimate resting on fewer answers than the threshold is "
         "withheld, and so are its number of answers and its 'don't know' share. Because the "
         "total is shown, at least one more group (the one with the fewest answers) is "
         "withheld too, so that the withheld groups together have at least the threshold of "
         "answers; otherwise the small group could be worked out by subtraction. This is the "
         "threshold rule with secondary cell suppression described by SCB and Eurostat's "
         "handbook on statistical disclosure control. The same cells are withheld in tables, "
         "files, the dashboard and the public promise page, which shows only problems and key "
         "figures that have an estimate."),
    Note(f"Vikternas spridning redovisas: största vikt/medelvikt, designeffekt (Kish) och "
         f"andel av vikten hos svarande i viktceller med färre svar än gränsvärdet. Varning "
         f"ges över {WARN_MAX_TO_MEAN:g} gånger medelvikten, designeffekt {WARN_DESIGN_EFFECT:g} "
         f"eller {_SMALL_PERCENT} % av vikten. Varje viktad analys visar också vad trimning vid "
         f"{TRIM_SHOWN_AT:g} gånger medelvikten skulle ändra (designeffekt, största vikt och "
         f"största ändring i andelen för de tre största problemen); en trimmad analys "
         f"(--trim) visar sin effekt i en not.",
         f"The spread of the weights is reported: largest/mean weight, design effect (Kish) "
         f"and the share of the weight carried by respondents in weighting cells with fewer "
         f"answers than the threshold. A warning is given past {WARN_MAX_TO_MEAN:g} times the "
         f"mean weight, a design effect of {WARN_DESIGN_EFFECT:g} or {_SMALL_PERCENT} % of the "
         f"weight. Every weighted analysis also shows what trimming at {TRIM_SHOWN_AT:g} times "
         f"the mean weight would change (design effect, largest weight and the largest change "
         f"in the share of the three top problems); a trimmed analysis (--trim) shows its "
         f"effect in a note."),
    Note("Procent avrundas till heltal, halvor uppåt (12,5 % blir 13 %).",
         "Percentages are rounded to whole numbers, halves up (12.5 % becomes 13 %)."),
]
