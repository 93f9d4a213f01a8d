"""横向排名: child regions, or units, side by side by one composite score, with the figures behind it.

score = 100 × Σ weightᵢ × componentᵢ / Σ weightᵢ, over the components that are defined, each a share in [0, 1]:

| component | weight | share |
| --- | --- | --- |
| completion_rate | 0.30 | completed (closed out, 销号) / assignments |
| on_time_rate | 0.20 | completed on time / (completed or overdue): timeliness of what is due or done |
| average_progress | 0.20 | average percent complete / 100 (as the units typed it) |
| reporting_rate | 0.15 | units that reported in the current period / units |
| attainment_rate | 0.15 | targets met / targets with a reported value |

A component without a denominator (nothing due yet, no targets reported) is left out and the remaining
weights renormalised, so an entry is neither rewarded nor punished for what does not apply to it. An entry
without assignments is not ranked. Ranks are competition ranks (1, 2, 2, 4) on the score rounded to one
decimal, as shown; ties are listed by key.
"""

from collections.abc import Mapping
from dataclasses import dataclass

from services.reporting.domain.rollup import Tally

WEIGHTS: dict[str, float] = {"completion_rate": 0.30, "on_time_rate": 0.20, "average_progress": 0.20,
                             "reporting_rate": 0.15, "attainment_rate": 0.15}


def components(figures: Tally) -> dict[str, float | None]:
    return {"completion_rate": figures.completion_rate, "on_time_rate": figures.on_time_rate,
            "average_progress": figures.average_percent_complete / 100 if figures.assignments else None,
            "reporting_rate": figures.reporting_rate, "attainment_rate": figures.attainment_rate}


def score(figures: Tally, weights: Mapping[str, float] = WEIGHTS) -> float | None:
    """The composite score in [0, 100], or None for an entry without assignments."""
    if not figures.assignments:
        return None
    defined = [(weights[name], value) for name, value in components(figures).items() if value is not None]
    total_weight = sum(weight for weight, _ in defined)
    return round(100 * sum(weight * value for weight, value in defined) / total_weight, 1)


@dataclass(frozen=True)
class Ranked:
    key: str
    rank: int | None
    score: float | None
    figures: Tally

    def as_dict(self) -> dict:
        parts = {name: None if value is None else round(100 * value, 1)
                 for name, value in components(self.figures).items()}
        return {"rank": self.rank, "score": self.score, "components": parts, "figures": self.figures.as_dict()}


def rank(entries: Mapping[str, Tally], weights: Mapping[str, float] = WEIGHTS) -> list[Ranked]:
    """Best first; entries without assignments last, unranked."""
    scored = sorted(((score(figures, weights), key, figures) for key, figures in entries.items()),
                    key=lambda item: (item[0] is None, -(item[0] or 0), item[1]))
    ranked: list[Ranked] = []
    for position, (value, key, figures) in enumerate(scored, start=1):
        if value is None:
            place = None
        elif ranked and ranked[-1].score == value:
            place = ranked[-1].rank
        else:
            place = position
        ranked.append(Ranked(key, place, value, figures))
    return ranked
