"""Inter-coder agreement on the codings: per code, pooled, and the excerpts coders disagree on."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from .. import agreement as _ag
from ..instrument import Instrument
from .tallies import ALL_CODES, _code_info, _real

__all__ = ["coder_agreement", "disagreements"]


def _codes_in_order(codings: pd.DataFrame, order: dict[str, int]) -> list[str]:
    """The codes applied in ``codings``, in codebook order (codes outside the codebook last, by id)."""
    return sorted(set(_real(codings)["code"]), key=lambda c: (order.get(c, len(order)), c))


def _decision_array(codings: pd.DataFrame, unit: str, codes: Sequence[str]):
    """Codes x coders x units 0/1/NaN presence decisions on double-coded units."""
    key = "excerpt_id" if unit == "excerpt" else "interview_id"
    coders = sorted(set(codings["coder"]))
    covered = codings.groupby(key)["coder"].agg(lambda s: set(s))
    double = sorted(u for u, s in covered.items() if len(s) >= 2)
    arr = np.full((len(codes), len(coders), len(double)), np.nan)
    if not double:
        return arr, coders, double
    cidx = {c: i for i, c in enumerate(coders)}
    uidx = {u: i for i, u in enumerate(double)}
    for u in double:
        for cd in covered[u]:
            arr[:, cidx[cd], uidx[u]] = 0.0
    kidx = {c: i for i, c in enumerate(codes)}
    sub = codings[codings[key].isin(uidx) & codings["code"].isin(kidx)]
    for k, cd, u in zip(sub["code"], sub["coder"], sub[key]):
        arr[kidx[k], cidx[cd], uidx[u]] = 1.0
    return arr, coders, double


def _binary_unit_stats(mat: np.ndarray, pair: tuple[int, int] | None = None) -> dict:
    """Per-unit sufficient statistics of a coders x units 0/1/NaN matrix.

    ``pair`` names the two rows used for Cohen's kappa.
    """
    n1 = np.nansum(mat == 1, axis=0).astype(float)
    n0 = np.nansum(mat == 0, axis=0).astype(float)
    r = n0 + n1
    pairable = r >= 2
    rated = r >= 1
    with np.errstate(invalid="ignore", divide="ignore"):
        pa_u = np.where(pairable, (n0 * (n0 - 1) + n1 * (n1 - 1)) / np.where(pairable, r * (r - 1), 1), 0.0)
        pi1_u = np.where(rated, n1 / np.where(rated, r, 1), 0.0)
        # coincidence contributions: o00, o01(=o10), o11
        den = np.where(pairable, r - 1, 1)
        o00 = np.where(pairable, n0 * (n0 - 1) / den, 0.0)
        o01 = np.where(pairable, n0 * n1 / den, 0.0)
        o11 = np.where(pairable, n1 * (n1 - 1) / den, 0.0)
    st = {
        "pair": pairable.astype(float),
        "rated": rated.astype(float),
        "pa": pa_u,
        "pi1": pi1_u,
        "o00": o00,
        "o01": o01,
        "o11": o11,
    }
    if pair is not None:
        a, b = mat[pair[0]], mat[pair[1]]
        both = ~np.isnan(a) & ~np.isnan(b)
        for x in (0, 1):
            for y in (0, 1):
                st[f"c{x}{y}"] = (both & (a == x) & (b == y)).astype(float)
    return st


def _binary_stats(st: dict, w: np.ndarray) -> dict:
    """Coefficients for each row of unit weights ``w`` (boots x units)."""
    S = {k: w @ v for k, v in st.items()}
    with np.errstate(invalid="ignore", divide="ignore"):
        npair = S["pair"]
        pa = np.where(npair > 0, S["pa"] / np.where(npair > 0, npair, 1), np.nan)
        pi1 = np.where(S["rated"] > 0, S["pi1"] / np.where(S["rated"] > 0, S["rated"], 1), np.nan)
        pe = 2 * pi1 * (1 - pi1)  # sum_k pi_k (1 - pi_k) / (q - 1), q = 2
        ac1 = (pa - pe) / (1 - pe)
        n0c = S["o00"] + S["o01"]
        n1c = S["o11"] + S["o01"]
        n = n0c + n1c
        de = 2 * n0c * n1c
        alpha = np.where(de > 0, 1 - (n - 1) * 2 * S["o01"] / np.where(de > 0, de, 1), np.nan)
        alpha = np.where(npair > 0, alpha, np.nan)
        if "c00" in S:
            nk = S["c00"] + S["c01"] + S["c10"] + S["c11"]
            po = (S["c00"] + S["c11"]) / nk
            pek = (
                (S["c00"] + S["c01"]) * (S["c00"] + S["c10"]) + (S["c10"] + S["c11"]) * (S["c01"] + S["c11"])
            ) / nk**2
            kappa = np.where((nk > 0) & (pek < 1), (po - pek) / (1 - pek), np.nan)
        else:
            kappa = np.full_like(pa, np.nan)
    return {"percent_agreement": pa, "cohen_kappa": kappa, "krippendorff_alpha": alpha, "gwet_ac1": ac1}


_STATS = ["percent_agreement", "cohen_kappa", "krippendorff_alpha", "gwet_ac1"]


def coder_agreement(
    codings: pd.DataFrame,
    unit: str = "excerpt",
    codes: Sequence[str] | None = None,
    *,
    group_by: str = "code",
    n_boot: int = 1000,
    seed: int = 0,
    level: float = 0.95,
    instrument: Instrument | str | Path | None = None,
) -> pd.DataFrame:
    """Inter-coder agreement on presence/absence of each code in double-coded units.

    For every unit (excerpt, or interview) coded by at least two coders, each
    of those coders made a yes/no decision for each code: did they apply it
    to the unit? A coder *coded* a unit when they have at least one row for
    it (use code ``NO-CODE`` to record "read, no code applies"). Agreement is
    computed on these decisions, per code and pooled over all codes (the
    ``"(all codes)"`` row: every code x unit decision is one unit of
    analysis), with percentile bootstrap intervals that resample units
    (excerpts or interviews, keeping all of a unit's decisions together).

    Parameters
    ----------
    codings : DataFrame
        Tidy codings.
    unit : {"excerpt", "interview"}
        Excerpt x code presence, or interview x code presence (an interview
        has a code when the coder applied it to any excerpt of it).
    codes : sequence of str, optional
        Codes to assess (default: every code used in the data, in codebook
        order).
    group_by : {"code", "domain"}
        One row per code, or one per codebook group (domain) pooling the
        decisions of its codes.
    n_boot : int
        Bootstrap resamples (0 for none).
    seed : int
        Seed of the bootstrap, so intervals are reproducible.
    level : float
        Interval coverage.
    instrument : Instrument, optional

    Returns
    -------
    DataFrame
        ``code`` (or ``domain``), ``n_units`` (units, or code x unit
        decisions for pooled rows), ``n_coders``, ``n_positive`` (decisions
        "applied"), ``kappa_coders`` (the pair Cohen's kappa compares: with
        more than two coders, the two who share the most double-coded units;
        kappa uses the units both coded), ``percent_agreement``,
        ``cohen_kappa``, ``krippendorff_alpha``, ``gwet_ac1``, each with
        ``_lo`` and ``_hi`` interval columns, and ``note``. Degenerate cases
        are explained in ``note``: a code nobody (or every coder on every
        unit) applied has alpha and kappa ``NaN`` (0/0) but percent agreement
        and AC1 of 1; with one coder or no double-coded unit every
        coefficient is ``NaN`` (and an ``AgreementWarning`` is issued).

    Examples
    --------
    >>> import pandas as pd
    >>> rows = [("e1", "ana", "EX-SHARE"), ("e1", "ben", "EX-SHARE"),
    ...         ("e2", "ana", "OS-PLC"), ("e2", "ben", "EX-SHARE"),
    ...         ("e3", "ana", "OS-PLC"), ("e3", "ben", "OS-PLC")]
    >>> c = pd.DataFrame(rows, columns=["excerpt_id", "coder", "code"]).assign(
    ...     interview_id="i1", school="S1", role="teacher", text="...")
    >>> t = coder_agreement(c, n_boot=0)
    >>> t[["code", "n_units", "percent_agreement", "cohen_kappa"]].round(3)
              code  n_units  percent_agreement  cohen_kappa
    0  (all codes)        6              0.667        0.333
    1     EX-SHARE        3              0.667        0.400
    2       OS-PLC        3              0.667        0.400

    References
    ----------
    Krippendorff (2011, 2019); Cohen (1960); Gwet (2008, 2014); Hayes &
    Krippendorff (2007); O'Connor, C., & Joffe, H. (2020). Intercoder
    reliability in qualitative research. *International Journal of
    Qualitative Methods*, 19.
    """
    if unit not in ("excerpt", "interview"):
        raise ValueError("unit must be 'excerpt' or 'interview'")
    if group_by not in ("code", "domain"):
        raise ValueError("group_by must be 'code' or 'domain'")
    info = _code_info(instrument)
    order = {c: i for i, c in enumerate(info["code"])}
    groups = dict(zip(info["code"], info["group"]))
    codes = _codes_in_order(codings, order) if codes is None else list(codes)
    arr, coders, units = _decision_array(codings, unit, codes)
    n_units = len(units)
    blocks, label = _agreement_blocks(codes, groups, group_by)
    W = _bootstrap_weights(n_boot, n_units, seed)
    all_coders = sorted(set(codings["coder"]))
    pair = _kappa_pair(arr, coders, len(codes), n_units)
    rows = []
    for name, ks in blocks:
        rec = {
            label: name,
            "n_units": n_units * len(ks) if name == ALL_CODES or group_by == "domain" else n_units,
        }
        sub = arr[ks] if ks else np.full((0, len(coders), n_units), np.nan)
        used = [j for j in range(len(coders)) if not np.all(np.isnan(sub[:, j, :]))] if sub.size else []
        rec["n_coders"] = len(used)
        rec["kappa_coders"] = f"{coders[pair[0]]} & {coders[pair[1]]}" if pair else ""
        n_positive = int(np.nansum(sub == 1)) if sub.size else 0
        rec["n_positive"] = n_positive
        est, ci, note = _block_agreement(sub, ks, pair, all_coders, n_units, n_positive, W, level)
        for s in _STATS:
            rec[s] = est[s]
            rec[f"{s}_lo"], rec[f"{s}_hi"] = ci[s]
        rec["note"] = "; ".join(note)
        rows.append(rec)
    if len(all_coders) == 1:
        warnings.warn(
            "coder_agreement: only one coder in the data; agreement is undefined",
            _ag.AgreementWarning,
            stacklevel=2,
        )
    elif all_coders and n_units == 0:
        warnings.warn(
            "coder_agreement: no unit was coded by two or more coders", _ag.AgreementWarning, stacklevel=2
        )
    cols = [label, "n_units", "n_coders", "n_positive", "kappa_coders"]
    for s in _STATS:
        cols += [s, f"{s}_lo", f"{s}_hi"]
    return pd.DataFrame(rows, columns=cols + ["note"])


def _agreement_blocks(codes: list, groups: dict, group_by: str) -> tuple[list[tuple[str, list[int]]], str]:
    """The blocks of codes agreement is computed over (all codes first), and the label column."""
    if group_by == "code":
        return [(ALL_CODES, list(range(len(codes))))] + [(c, [i]) for i, c in enumerate(codes)], "code"
    gl = list(dict.fromkeys(groups.get(c, "") for c in codes))
    blocks = [(ALL_CODES, list(range(len(codes))))] + [
        (g, [i for i, c in enumerate(codes) if groups.get(c, "") == g]) for g in gl
    ]
    return blocks, "domain"


def _bootstrap_weights(n_boot: int, n_units: int, seed) -> np.ndarray | None:
    """Bootstrap x units: how often each unit is drawn in each resample (None without a bootstrap)."""
    if not (n_boot and n_units):
        return None
    rng = np.random.default_rng(seed)
    rng_idx = rng.integers(0, n_units, size=(n_boot, n_units))
    W = np.zeros((n_boot, n_units))
    np.add.at(W, (np.repeat(np.arange(n_boot), n_units), rng_idx.ravel()), 1.0)
    return W


def _kappa_pair(arr: np.ndarray, coders: list, n_codes: int, n_units: int) -> tuple[int, int] | None:
    """Cohen's kappa's two coders: those who share the most double-coded units (None if none do)."""
    if len(coders) < 2 or not n_units:
        return None
    coded = ~np.isnan(arr[0]) if n_codes else np.zeros((len(coders), n_units), bool)
    shared = coded.astype(int) @ coded.T.astype(int)
    best = max((shared[i, j], -i, -j) for i in range(len(coders)) for j in range(i + 1, len(coders)))
    return (-best[1], -best[2]) if best[0] > 0 else None


def _block_agreement(
    sub: np.ndarray,
    ks: list[int],
    pair: tuple[int, int] | None,
    all_coders: list,
    n_units: int,
    n_positive: int,
    W: np.ndarray | None,
    level: float,
) -> tuple[dict, dict, list[str]]:
    """One block's agreement statistics, their bootstrap intervals and the notes on them."""
    note = []
    est = {s: np.nan for s in _STATS}
    ci = {s: (np.nan, np.nan) for s in _STATS}
    if not all_coders:
        note.append("no codings")
    elif len(all_coders) < 2:
        note.append("only one coder: agreement needs units coded by two or more coders")
    elif n_units == 0 or not ks:
        note.append("no double-coded units")
    else:
        # per-unit statistics, summed over the block's codes for each excerpt/interview
        st_list = [_binary_unit_stats(sub[i], pair) for i in range(len(ks))]
        st = {k: sum(s[k] for s in st_list) for k in st_list[0]}
        e = _binary_stats(st, np.ones((1, n_units)))
        est = {s: float(e[s][0]) for s in _STATS}
        if n_positive == 0:
            note.append(
                "no coder applied this code in the double-coded units: kappa and alpha undefined (0/0)"
            )
        elif np.all(sub[~np.isnan(sub)] == 1):
            note.append(
                "every coder applied this code to every double-coded unit: kappa and alpha undefined (0/0)"
            )
        if W is not None:
            b = _binary_stats(st, W)
            for s in _STATS:
                ci[s] = _ag._percentile_interval(b[s], level) if np.isfinite(est[s]) else (np.nan, np.nan)
    return est, ci, note


def disagreements(
    codings: pd.DataFrame,
    unit: str = "excerpt",
    codes: Sequence[str] | None = None,
    *,
    instrument: Instrument | str | Path | None = None,
) -> pd.DataFrame:
    """List the unit x code decisions on which double-coders disagree.

    A worklist for a consensus meeting: each row is one excerpt (or
    interview) and one code that some of its coders applied and others did
    not, with the excerpt text.

    Parameters
    ----------
    codings : DataFrame
        Tidy codings.
    unit : {"excerpt", "interview"}
    codes : sequence of str, optional
        Codes to check (default: all used).
    instrument : Instrument, optional

    Returns
    -------
    DataFrame
        ``interview_id, excerpt_id`` (empty for interview units), ``school,
        code, code_name, applied_by, not_applied_by, text``, sorted by
        interview, excerpt and code.

    Examples
    --------
    >>> import pandas as pd
    >>> rows = [("e1", "ana", "EX-SHARE"), ("e1", "ben", "OS-PLC")]
    >>> c = pd.DataFrame(rows, columns=["excerpt_id", "coder", "code"]).assign(
    ...     interview_id="i1", school="S1", role="teacher", text="We plan together.")
    >>> disagreements(c)[["excerpt_id", "code", "applied_by", "not_applied_by"]]
      excerpt_id      code applied_by not_applied_by
    0         e1  EX-SHARE        ana            ben
    1         e1    OS-PLC        ben            ana

    References
    ----------
    O'Connor & Joffe (2020), on using disagreements to refine a codebook.
    """
    info = _code_info(instrument)
    order = {c: i for i, c in enumerate(info["code"])}
    names = dict(zip(info["code"], info["code_name"]))
    codes = _codes_in_order(codings, order) if codes is None else list(codes)
    arr, coders, units = _decision_array(codings, unit, codes)
    key = "excerpt_id" if unit == "excerpt" else "interview_id"
    first = codings.drop_duplicates(key).set_index(key)
    texts = (
        codings.drop_duplicates("excerpt_id").groupby("interview_id")["text"].agg(lambda s: " [...] ".join(s))
        if unit == "interview"
        else first["text"]
    )
    rows = []
    for j, u in enumerate(units):
        for k, code in enumerate(codes):
            v = arr[k, :, j]
            yes = [coders[i] for i in range(len(coders)) if v[i] == 1]
            no = [coders[i] for i in range(len(coders)) if v[i] == 0]
            if yes and no:
                rows.append(
                    {
                        "interview_id": first.loc[u, "interview_id"] if unit == "excerpt" else u,
                        "excerpt_id": u if unit == "excerpt" else "",
                        "school": first.loc[u, "school"],
                        "code": code,
                        "code_name": names.get(code, code),
                        "applied_by": ", ".join(yes),
                        "not_applied_by": ", ".join(no),
                        "text": texts.get(u, ""),
                        "_o": order.get(code, len(order)),
                    }
                )
    cols = [
        "interview_id",
        "excerpt_id",
        "school",
        "code",
        "code_name",
        "applied_by",
        "not_applied_by",
        "text",
    ]
    if not rows:
        return pd.DataFrame(columns=cols)
    out = pd.DataFrame(rows).sort_values(["interview_id", "excerpt_id", "_o", "code"], kind="mergesort")
    return out[cols].reset_index(drop=True)
