"""Each school's item means against the network, flagged *weak* or *strong*.

:func:`item_profile` feeds the 2.0.0 playbook (:func:`assetinv.recommend` with ``items=``): a support is
triggered by the weak items it lists (strong items for an asset domain). It lives apart from
:mod:`assetinv.supports`, which :mod:`assetinv.scoring` imports, because it builds on scoring's item
matrix (one-way imports: ``items -> scoring -> supports``).

Rules
-----
An item is **weak** at a school when its keyed mean (reverse-keyed items
reflected) is at least ``margin`` below the network mean of that item, or
below the scale midpoint, and it is among the ``top`` lowest items of its
domain at that school (ranked by difference from the network). **Strong** is
the mirror image (``margin`` above the network, or at least one point above
the midpoint, and among the ``top`` highest). Items answered by fewer than
``min_n`` respondents at the school are neither (and their numbers are
blank), as everywhere in assetinv.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from .instrument import resolve
from .privacy import MIN_N

__all__ = ["item_profile"]


def item_profile(
    responses: pd.DataFrame,
    instrument=None,
    *,
    by: str = "school",
    wave: str | None = "baseline",
    roles: Sequence[str] | None = ("teacher", "leader"),
    min_n: int = MIN_N,
    margin: float = 0.25,
    top: int = 3,
) -> pd.DataFrame:
    """Each school's item means against the network, flagged weak or strong.

    Parameters
    ----------
    responses : DataFrame
        Tidy responses (:func:`assetinv.read_responses`); Don't-know answers
        are already missing there.
    instrument : Instrument, optional
        The bundled default instrument if omitted.
    by : str
        The grouping column (a school id column).
    wave : str or None
        Only this wave (``None``: every row given).
    roles : sequence of str or None
        Only these roles (default teachers and leaders, as in the asset
        profile; ``None``: all).
    min_n : int
        Items answered by fewer respondents at a school are left blank and
        never flagged.
    margin : float
        How far from the network mean (in scale points) an item must be to
        count as weak or strong.
    top : int
        At most this many weak (and strong) items per school and domain.

    Returns
    -------
    DataFrame
        ``<by>, domain, item, text, n, mean, network_mean, diff, flag,
        suppressed``; ``mean`` is keyed (reverse-keyed items reflected, so
        higher is always better), ``flag`` is ``"weak"``, ``"strong"`` or
        ``""``. Sorted by school, domain order and item.

    Examples
    --------
    >>> import pandas as pd
    >>> from assetinv import load_instrument
    >>> from assetinv.items import item_profile
    >>> inst = load_instrument("2.0.0")
    >>> rows = [{"respondent_id": f"{s}{k}", "school": s, "district": "D", "role": "teacher",
    ...          "wave": "baseline", "OS09": 4.0, "OS10": 2.0 if s == "A" else 4.0}
    ...         for s in "AB" for k in range(6)]
    >>> p = item_profile(pd.DataFrame(rows), inst)
    >>> p.loc[(p.school == "A") & (p.item == "OS10"), "flag"].item()
    'weak'

    References
    ----------
    Gallup's Q12 and Panorama's reports list each group's strongest and
    weakest items against a benchmark in the same way.
    """
    from .scoring import _check_ids, _item_matrix, _source

    file = _source(responses, "responses")
    _check_ids(responses, [by], file)
    spec = resolve(instrument)
    df = responses
    if wave is not None and "wave" in df.columns:
        df = df[df["wave"].astype(str) == str(wave)]
    if roles is not None and "role" in df.columns:
        df = df[df["role"].astype(str).isin(list(roles))]
    df = df.reset_index(drop=True)
    texts = {}
    if instrument is not None and hasattr(instrument, "items"):
        texts = dict(zip(instrument.items["id"], instrument.items["text"]))
    items = [i for d in spec.domain_ids for i in spec.items_by_domain[d] if i in df.columns]
    X = _item_matrix(df, items, spec, file) if items else np.empty((len(df), 0))
    rev = np.array([i in spec.reverse_items for i in items], dtype=bool)
    if len(items):
        X[:, rev] = spec.scale_min + spec.scale_max - X[:, rev]
    mid = (spec.scale_min + spec.scale_max) / 2
    with np.errstate(invalid="ignore"):
        net = np.array(
            [np.nanmean(X[:, j]) if np.isfinite(X[:, j]).any() else np.nan for j in range(len(items))]
        )
    rows = []
    keys = df[by].astype(str).to_numpy()
    for g in sorted(set(keys)):
        m = keys == g
        for d in spec.domain_ids:
            idx = [j for j, i in enumerate(items) if i in spec.items_by_domain[d]]
            recs = []
            for j in idx:
                col = X[m, j]
                n = int(np.isfinite(col).sum())
                mean = float(np.nanmean(col)) if n else np.nan
                recs.append(
                    {
                        by: g,
                        "domain": d,
                        "item": items[j],
                        "text": texts.get(items[j], ""),
                        "n": n,
                        "mean": mean,
                        "network_mean": float(net[j]),
                        "diff": mean - float(net[j]),
                        "flag": "",
                        "suppressed": "" if n >= min_n else f"fewer than {min_n} respondents",
                    }
                )
            ok = [r for r in recs if not r["suppressed"] and np.isfinite(r["diff"])]
            low = sorted(ok, key=lambda r: (r["diff"], r["item"]))
            high = sorted(ok, key=lambda r: (-r["diff"], r["item"]))
            for r in [r for r in low if r["diff"] <= -margin or r["mean"] < mid][:top]:
                r["flag"] = "weak"
            for r in [r for r in high if r["diff"] >= margin or r["mean"] >= mid + 1][:top]:
                if not r["flag"]:
                    r["flag"] = "strong"
            rows.extend(recs)
    out = pd.DataFrame(
        rows,
        columns=[by, "domain", "item", "text", "n", "mean", "network_mean", "diff", "flag", "suppressed"],
    )
    hide = out["suppressed"] != ""
    out.loc[hide, ["mean", "diff"]] = np.nan
    out["n"] = out["n"].astype("int64")
    out.attrs = {
        "instrument_version": spec.version,
        "wave": wave,
        "roles": list(roles) if roles else None,
        "margin": margin,
        "top": top,
        "min_n": min_n,
    }
    return out
