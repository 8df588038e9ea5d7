"""Search traffic for one keyphrase: searches per day, ranked pages, position-biased clicks.

Only items Search lets through (sr_score above its threshold) are ever shown: the middleman
bias. Among those, the rank mixes relevance score, item popularity and per-search jitter;
clicks follow true relevance x examination at the position x item attractiveness, with noise
clicks on irrelevant items.
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd

# Probability that a buyer looks at position p (1-based): 1 / p^0.8.
EXAMINATION_EXPONENT = 0.8
RELEVANT_ATTRACTION = 0.32
NOISE_CLICK = 0.03
PURCHASE_GIVEN_CLICK = {True: 0.12, False: 0.01}
MAX_SEARCHES_PER_DAY = 30.0

EVENT_COLUMNS = ["event_date", "item_id", "keyphrase", "clicked", "position", "purchased"]


def searches_per_day(search_count: int, rate: float) -> float:
    """Expected daily searches of a query: sub-linear in its search_count, capped."""
    return min(MAX_SEARCHES_PER_DAY, rate * (max(search_count, 1) / 100.0) ** 0.6)


def simulate_keyphrase_traffic(
    seed: int,
    keyphrase_index: int,
    keyphrase: str,
    search_count: int,
    shown: pd.DataFrame,
    days: int,
    start: date,
    page_size: int,
    rate: float,
) -> pd.DataFrame:
    """Impressions of one query over `days`; `shown` has item_id, sr_score, quality, relevant."""
    if shown.empty:
        return pd.DataFrame(columns=EVENT_COLUMNS)
    rng = np.random.default_rng([seed, keyphrase_index, 0xC11C])
    daily = rng.poisson(searches_per_day(search_count, rate), size=days)
    total = int(daily.sum())
    if total == 0:
        return pd.DataFrame(columns=EVENT_COLUMNS)
    base = shown["sr_score"].to_numpy() * np.sqrt(shown["quality"].to_numpy())
    scores = base[None, :] * rng.lognormal(0.0, 0.35, size=(total, len(shown)))
    depth = min(page_size, len(shown))
    ranked = np.argsort(-scores, axis=1, kind="stable")[:, :depth]
    positions = np.tile(np.arange(1, depth + 1), total)
    picked = ranked.ravel()
    relevant = shown["relevant"].to_numpy()[picked]
    quality = shown["quality"].to_numpy()[picked]
    attraction = np.where(relevant, np.clip(RELEVANT_ATTRACTION * quality, 0.05, 0.9), NOISE_CLICK)
    clicked = rng.random(picked.size) < attraction / positions**EXAMINATION_EXPONENT
    buy_rate = np.where(relevant, PURCHASE_GIVEN_CLICK[True], PURCHASE_GIVEN_CLICK[False])
    purchased = clicked & (rng.random(picked.size) < buy_rate)
    day_of_search = np.repeat(np.arange(days), daily)
    event_dates = [start + timedelta(days=int(d)) for d in np.repeat(day_of_search, depth)]
    return pd.DataFrame(
        {
            "event_date": event_dates,
            "item_id": shown["item_id"].to_numpy()[picked],
            "keyphrase": keyphrase,
            "clicked": clicked.astype("int32"),
            "position": positions.astype("int32"),
            "purchased": purchased.astype("int32"),
        }
    )
