"""Seeded synthetic Asset Inventory studies (the bundled sample in ``data/`` is made here).

:func:`simulate_study` draws a whole study -- survey responses for two (or more)
waves, a roster of invited staff, the list of schools and double-coded interview
excerpts -- from a documented latent model, and returns it with the model's true
parameters, so that every analysis in the package can be checked against a known
truth. :func:`write_sample` writes the same study to a folder (``responses.csv``,
``roster.csv``, ``schools.csv``, ``codings.csv``, ``study.yaml``, ``truth.json``,
``TRUTH.md``); the same seed always gives byte-identical files.

Everything about the instrument (item ids, the domain of each item, reverse-keyed
items, which roles answer which items, the interview codebook) is read from
:func:`assetinv.load_instrument` at run time.

The generating model
--------------------
For respondent *i* in school *s* (or, for district staff, district office *s*),
domain *d* and wave *t* (0 = baseline, 1 = follow-up, ...)::

    theta[i,d,t] = mu[d] + u[s,d] + gamma[role(i),d] + t * g[s,d] + e[i,d]

    u[s,:] ~ MVN(0, Sigma_school)     school effects, correlated across domains
    e[i,:] ~ MVN(0, Sigma_resp)       respondent effects, correlated across domains,
                                      kept by a linked respondent across waves
    g[s,d] ~ N(growth_mean[d], growth_sd[d])   school growth per wave step
    gamma[teacher] = 0; gamma[leader], gamma[district] as documented

District staff belong to a district, not a school: their ``u`` and ``g`` are the
means over the district's schools. Items follow a normal-ogive graded response
model (Samejima, 1969)::

    y*[i,j] = mu[d] + b[j] + a[j] * (theta[i,d] - mu[d]) + psi[j] * z,   z ~ N(0, 1)
    x[i,j]  = k  where  k - 0.5 <= y* < k + 0.5   (clipped to 1..5)

so ``P(x >= k+1 | theta) = Phi((mu + b + a (theta - mu) - k - 0.5) / psi)``: a
graded response model with discrimination ``a/psi`` and thresholds ``k + 0.5``.
Reverse-keyed items are stored as the respondent ticks them, ``6 - x``.

The *true school mean* of a domain is the expected domain score (mean of the
items, reverse-keyed items re-reversed) of a respondent drawn from the school,
computed analytically (integrating ``theta`` over its normal distribution gives
``E[x_j] = 1 + sum_k Phi((loc_j - k - .5) / sqrt(psi_j^2 + a_j^2 sigma_d^2))``).

References
----------
Samejima, F. (1969). Estimation of latent ability using a response pattern of
graded scores. *Psychometrika Monograph Supplement*, 34(4, Pt. 2), No. 17.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypedDict, cast

import numpy as np
import pandas as pd
from scipy.special import ndtr

from .instrument import Instrument, resolve

__all__ = ["Study", "simulate_study", "write_sample"]

GENERATOR_VERSION = "1.0"

# --------------------------------------------------------------------------- true parameters
# On the 1-5 metric of the items; keyed by the bundled instrument's domain ids. Any other
# domain id (a user's own instrument) gets the _FALLBACK values.
_MU = {"EX": 3.55, "LM": 3.70, "CN": 3.25, "OS": 3.05}
_SCHOOL_SD = {"EX": 0.30, "LM": 0.28, "CN": 0.36, "OS": 0.38}
_RESP_SD = {"EX": 0.62, "LM": 0.58, "CN": 0.70, "OS": 0.72}
_LEADER_GAP = {"EX": 0.30, "LM": 0.25, "CN": 0.50, "OS": 0.45}
_DISTRICT_GAP = {"EX": 0.10, "LM": 0.05, "CN": 0.15, "OS": 0.20}
_GROWTH = {"EX": (0.00, 0.05), "LM": (0.15, 0.10), "CN": (0.10, 0.08), "OS": (0.25, 0.15)}
_SCHOOL_COR = {
    ("EX", "LM"): 0.45,
    ("EX", "CN"): 0.40,
    ("EX", "OS"): 0.35,
    ("LM", "CN"): 0.50,
    ("LM", "OS"): 0.40,
    ("CN", "OS"): 0.60,
}
_RESP_COR = {
    ("EX", "LM"): 0.50,
    ("EX", "CN"): 0.45,
    ("EX", "OS"): 0.42,
    ("LM", "CN"): 0.55,
    ("LM", "OS"): 0.48,
    ("CN", "OS"): 0.60,
}


class _FallbackParams(TypedDict):
    """The true parameters of a domain id the tables above do not name."""

    mu: float
    school_sd: float
    resp_sd: float
    leader: float
    district: float
    growth: tuple[float, float]
    school_cor: float
    resp_cor: float


_FALLBACK: _FallbackParams = {
    "mu": 3.40,
    "school_sd": 0.33,
    "resp_sd": 0.64,
    "leader": 0.35,
    "district": 0.10,
    "growth": (0.10, 0.08),
    "school_cor": 0.45,
    "resp_cor": 0.50,
}
_MC_N = 200_000  # Monte-Carlo respondents for truth correlations, reliability and ICC


@dataclass
class Study:
    """A simulated study: the four input tables and the generating truth.

    Attributes
    ----------
    responses : pandas.DataFrame
        ``respondent_id, school, district, role, wave``, one nullable ``Int64`` column per
        item (as ticked: reverse-keyed items are *not* re-reversed; ``<NA>`` = not
        answered or not asked of the role) and ``duration_sec`` (``Int64``).
    roster : pandas.DataFrame
        ``school, district, role, wave, invited``.
    schools : pandas.DataFrame
        ``school, district, name`` (schools only; district offices are not schools).
    codings : pandas.DataFrame
        ``excerpt_id, interview_id, school, role, coder, code, text, exemplary`` and, for an
        instrument whose codebook fixes valences (2.0.0), ``valence`` (strength | barrier).
    truth : dict
        JSON-serialisable true parameters (see ``data/TRUTH.md``).
    dont_know : pandas.DataFrame or None
        For an instrument with a Don't-know option (2.0.0): a boolean frame, one column per
        item, True where the respondent ticked Don't know. In ``responses`` those cells are
        ``<NA>`` and ``n_dont_know`` counts them per row (as :func:`assetinv.read_responses`
        gives them); :func:`write_sample` writes the Don't-know code (9) into the CSV.
    """

    responses: pd.DataFrame
    roster: pd.DataFrame
    schools: pd.DataFrame
    codings: pd.DataFrame
    truth: dict = field(default_factory=dict)
    dont_know: pd.DataFrame | None = None

    def __repr__(self) -> str:
        return (
            f"Study(seed={self.truth.get('seed')}, responses={len(self.responses)} rows, "
            f"schools={len(self.schools)}, excerpts={self.codings['excerpt_id'].nunique()})"
        )


# --------------------------------------------------------------------------- helpers
def _cor_matrix(domains: list[str], table: dict, fallback: float) -> np.ndarray:
    D = len(domains)
    R = np.eye(D)
    for i in range(D):
        for j in range(i + 1, D):
            r = table.get((domains[i], domains[j]), table.get((domains[j], domains[i]), fallback))
            R[i, j] = R[j, i] = r
    return R


def _growth_params(domains: list[str], growth) -> tuple[np.ndarray, np.ndarray]:
    mean = np.array([_GROWTH.get(d, _FALLBACK["growth"])[0] for d in domains], float)
    sd = np.array([_GROWTH.get(d, _FALLBACK["growth"])[1] for d in domains], float)
    if growth is None:
        return mean, sd
    if isinstance(growth, (int, float)):
        return np.full(len(domains), float(growth)), sd
    if not isinstance(growth, dict):
        raise TypeError("growth must be None, a number or a dict {domain: mean or (mean, sd)}")
    unknown = sorted(set(growth) - set(domains))
    if unknown:
        raise ValueError(f"growth names unknown domain(s) {unknown}; the domains are {domains}")
    for k, v in growth.items():
        i = domains.index(k)
        if isinstance(v, (tuple, list)):
            mean[i], sd[i] = float(v[0]), float(v[1])
        else:
            mean[i] = float(v)
    return mean, sd


def _r(x, nd: int = 6):
    """Round floats (recursively) so that JSON output is short and platform-stable."""
    if isinstance(x, dict):
        return {k: _r(v, nd) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_r(v, nd) for v in x]
    if isinstance(x, np.ndarray):
        return _r(x.tolist(), nd)
    if isinstance(x, (np.integer,)):
        return int(x)
    if isinstance(x, (float, np.floating)):
        if math.isnan(float(x)):
            return None  # e.g. a domain a role's form does not ask
        v = round(float(x), nd)
        return 0.0 if v == 0 else v
    return x


def _ids(rng: np.random.Generator, n: int, prefix: str = "R") -> np.ndarray:
    """``n`` distinct opaque ids such as ``R7F3A2`` (5 hex digits, more when needed)."""
    width = 5
    while 16**width < 8 * max(n, 1):
        width += 1
    codes = rng.choice(16**width, size=n, replace=False)
    return np.array([f"{prefix}{c:0{width}X}" for c in codes.tolist()], dtype=object)


_NAME_A = [
    "Cedar",
    "Maple",
    "Willow",
    "Juniper",
    "Aspen",
    "Birch",
    "Sycamore",
    "Hawthorn",
    "Linden",
    "Magnolia",
    "Alder",
    "Cypress",
    "Laurel",
    "Hemlock",
    "Chestnut",
    "Redbud",
]
_NAME_B = [
    "Hollow",
    "Ridge",
    "Creek",
    "Valley",
    "Park",
    "Heights",
    "Springs",
    "Crossing",
    "Meadow",
    "Grove",
    "Falls",
    "Point",
    "Prairie",
    "Harbor",
    "Bluff",
    "Landing",
]
_NAME_C = [
    "Middle School",
    "Elementary School",
    "High School",
    "K-8 Academy",
    "STEM Academy",
    "Middle School",
    "Elementary School",
    "High School",
    "Community School",
    "Intermediate School",
]
_DISTRICTS = [
    "Riverbend Unified School District",
    "North Fork School District",
    "Lakeshore County Public Schools",
    "Granite Valley School District",
    "Eastgate Consolidated Schools",
    "Sierra Vista Unified School District",
]


def _school_names(rng: np.random.Generator, n: int) -> list[str]:
    a = rng.permutation(len(_NAME_A))
    b = rng.permutation(len(_NAME_B))
    c = rng.integers(0, len(_NAME_C), size=n)
    out, seen = [], set()
    for k in range(n):
        name = f"{_NAME_A[a[k % len(a)]]} {_NAME_B[b[(k + k // len(a)) % len(b)]]} {_NAME_C[c[k]]}"
        base, m = name, 2
        while name in seen:
            name = f"{base} {m}"
            m += 1
        seen.add(name)
        out.append(name)
    return out


# --------------------------------------------------------------------------- item model
#: Don't-know model (instrument 2.0.0): base chance per asked item, plus a role term, plus more for
#: leaders on frequency, count and share items (practices they see only part of) and for everyone on the items about
#: earlier partnerships (new staff cannot know them).
_DK_BASE = 0.02
_DK_ROLE = {"teacher": 0.0, "leader": 0.01, "district": 0.04}
_DK_LEADER_FREQ = 0.05
_DK_PAST = 0.15
#: The items about earlier partnerships, found by their wording.
_PAST_TEXT = re.compile(r"earlier partnership|past five years", re.I)


class _ItemModel:
    """Item parameters and the graded-response machinery of one simulated study."""

    def __init__(self, inst: Instrument, rng: np.random.Generator, mu: np.ndarray, resp_sd: np.ndarray):
        items = inst.items.reset_index(drop=True)
        self.domains = list(inst.domains["id"])
        self.ids = list(items["id"])
        self.dom = np.array([self.domains.index(d) for d in items["domain"]])
        self.reverse = items["reverse"].to_numpy(bool)
        self.lo, self.hi = int(inst.scale_min), int(inst.scale_max)
        J = len(self.ids)
        self.a = np.round(rng.uniform(0.85, 1.15, J), 3)
        psi = rng.uniform(0.55, 0.80, J) * np.where(self.reverse, 1.2, 1.0)
        self.psi = np.round(psi, 3)
        b = rng.uniform(-0.30, 0.30, J)
        for d in range(len(self.domains)):  # center the intercepts within each domain
            m = self.dom == d
            b[m] -= b[m].mean()
        self.b = np.round(b, 3)
        self.mu = mu
        self.resp_sd = resp_sd
        roles = list(inst.roles)
        self.roles = roles
        self.asked = np.array([[r in tuple(rs) for rs in items["roles"]] for r in roles], bool)
        self.cuts = np.arange(self.lo, self.hi) + 0.5  # y* >= cut_k  <=>  x > k
        # Don't know / Not applicable (instrument 2.0.0): its code and the chance a role ticks it
        dk = [sc.dont_know_code for sc in inst.scales.values() if sc.dont_know_code is not None]
        self.dk_code = dk[0] if dk else None
        freq = np.array([inst.item_scale(i).id in ("frequency", "count", "share") for i in self.ids])
        past = np.array([bool(_PAST_TEXT.search(str(t))) for t in items["text"]])
        self.dk_rate = (
            np.array(
                [
                    _DK_BASE
                    + _DK_ROLE.get(r, 0.0)
                    + np.where(freq & (r == "leader"), _DK_LEADER_FREQ, 0.0)
                    + np.where(past, _DK_PAST, 0.0)
                    for r in roles
                ]
            )
            if dk
            else None
        )

    def draw(self, theta: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """Integer answers (true keying, not yet reversed) for latent scores ``theta`` (N x D)."""
        mu = self.mu[self.dom]
        loc = mu + self.b + self.a * (theta[:, self.dom] - mu)
        y = loc + self.psi * rng.standard_normal((theta.shape[0], len(self.ids)))
        return np.clip(np.floor(y + 0.5), self.lo, self.hi).astype(np.int16)

    def expected_items(self, m: np.ndarray) -> np.ndarray:
        """E[x_j] (true keying) for respondents whose latent mean is ``m`` (G x D), theta ~ N(m, resp_sd)."""
        mu = self.mu[self.dom]
        loc = mu + self.b + self.a * (m[:, self.dom] - mu)
        s = np.sqrt(self.psi**2 + (self.a * self.resp_sd[self.dom]) ** 2)
        z = (loc[:, :, None] - self.cuts[None, None, :]) / s[None, :, None]
        return self.lo + ndtr(z).sum(axis=2)

    def expected_scores(self, m: np.ndarray, role: str) -> np.ndarray:
        """Expected domain scores (G x D) for a role: mean of the items asked of that role."""
        e = self.expected_items(m)
        asked = self.asked[self.roles.index(role)] if role in self.roles else np.ones(len(self.ids), bool)
        out = np.empty((m.shape[0], len(self.domains)))
        for d in range(len(self.domains)):
            sel = (self.dom == d) & asked
            out[:, d] = e[:, sel].mean(axis=1) if sel.any() else np.nan  # not asked of this role
        return out

    def scores(self, x: np.ndarray) -> np.ndarray:
        """Domain scores (mean of the items) from true-keyed answers ``x`` (N x J, may hold NaN)."""
        out = np.empty((x.shape[0], len(self.domains)))
        for d in range(len(self.domains)):
            out[:, d] = np.nanmean(x[:, self.dom == d], axis=1)
        return out

    def std_loadings(self, total_sd: np.ndarray) -> np.ndarray:
        """Standardised loading of y* on theta when theta has SD ``total_sd`` (per domain)."""
        sd = total_sd[self.dom] * self.a
        return sd / np.sqrt(sd**2 + self.psi**2)


def _alpha(x: np.ndarray) -> float:
    k = x.shape[1]
    return float(k / (k - 1) * (1 - x.var(axis=0, ddof=1).sum() / x.sum(axis=1).var(ddof=1)))


# --------------------------------------------------------------------------- survey part
@dataclass
class _Network:
    """The simulated units (schools, district offices) and their (unit, role) groups.

    Groups are (unit, role): units ``0..S-1`` are schools, ``S..S+Dn-1`` district offices;
    group rows are the S teacher groups, the S leader groups, then the Dn district groups.
    """

    school_ids: list[str]
    district_ids: list[str]
    school_district: np.ndarray
    names: list[str]
    u: np.ndarray  # S x D school effects
    g: np.ndarray  # S x D school growth per wave step
    cov_school: np.ndarray
    role_gap: dict[str, np.ndarray]
    n_teach: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), int))  # S x T
    n_lead: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), int))  # S x T
    n_dist: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), int))  # Dn x T
    g_unit: np.ndarray = field(default_factory=lambda: np.zeros(0, int))  # group -> unit
    g_role: np.ndarray = field(default_factory=lambda: np.zeros(0, object))  # group -> role
    n_group: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), int))  # G x T
    m_group: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))  # G x D latent means, wave 0
    g_unit_growth: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))  # unit x D growth

    @property
    def unit_id(self) -> np.ndarray:
        return np.array(self.school_ids + self.district_ids, dtype=object)

    @property
    def unit_district(self) -> np.ndarray:
        return np.concatenate([self.school_district, np.arange(len(self.district_ids))])


def _units(
    model: _ItemModel,
    s_design: np.random.Generator,
    S: int,
    Dn: int,
    school_sd: np.ndarray,
    school_R: np.ndarray,
    growth_mean: np.ndarray,
    growth_sd: np.ndarray,
) -> _Network:
    """Phase 1: school and district ids, school names, school effects ``u`` and growth ``g``."""
    domains = model.domains
    D = len(domains)
    school_ids = [f"S{k + 1:0{max(2, len(str(S)))}d}" for k in range(S)]
    district_ids = [f"D{k + 1}" for k in range(Dn)]
    school_district = np.concatenate(
        [np.full(len(c), k) for k, c in enumerate(np.array_split(np.arange(S), Dn))]
    ).astype(int)
    names = _school_names(s_design, S)
    cov_school = np.outer(school_sd, school_sd) * school_R
    u = s_design.multivariate_normal(np.zeros(D), cov_school, size=S, method="cholesky")
    g = growth_mean + growth_sd * s_design.standard_normal((S, D))
    role_gap = {
        "teacher": np.zeros(D),
        "leader": np.array([_LEADER_GAP.get(d, _FALLBACK["leader"]) for d in domains]),
        "district": np.array([_DISTRICT_GAP.get(d, _FALLBACK["district"]) for d in domains]),
    }
    return _Network(school_ids, district_ids, school_district, names, u, g, cov_school, role_gap)


def _groups(
    net: _Network,
    model: _ItemModel,
    s_design: np.random.Generator,
    T: int,
    respondents_per_school: int,
    leader_share: float,
    district_staff_per_district: int,
    growth_mean: np.ndarray,
) -> None:
    """Phase 2: respondents per (unit, role) group and wave, and each group's latent mean."""
    S, Dn, D = len(net.school_ids), len(net.district_ids), len(model.domains)
    # district offices: the mean of their schools
    u_d = np.array(
        [
            net.u[net.school_district == k].mean(axis=0) if (net.school_district == k).any() else np.zeros(D)
            for k in range(Dn)
        ]
    ).reshape(Dn, D)
    g_d = np.array(
        [
            net.g[net.school_district == k].mean(axis=0) if (net.school_district == k).any() else growth_mean
            for k in range(Dn)
        ]
    ).reshape(Dn, D)
    size = s_design.uniform(0.75, 1.25, S)
    n_school = np.maximum(
        3, np.round(respondents_per_school * size[:, None] * s_design.uniform(0.9, 1.1, (S, T)))
    ).astype(int)
    if leader_share > 0:
        base = max(1, int(round(leader_share * respondents_per_school)))
        n_lead = base + s_design.integers(-1, 2, (S, T))
        n_lead = np.clip(n_lead, 1, n_school - 1).astype(int)
    else:
        n_lead = np.zeros((S, T), int)
    if district_staff_per_district > 0:
        n_dist = np.maximum(1, district_staff_per_district + s_design.integers(-1, 2, (Dn, T)))
    else:
        n_dist = np.zeros((Dn, T), int)
    net.n_teach, net.n_lead, net.n_dist = n_school - n_lead, n_lead, n_dist
    net.g_unit = np.concatenate([np.arange(S), np.arange(S), S + np.arange(Dn)])
    net.g_role = np.array(["teacher"] * S + ["leader"] * S + ["district"] * Dn, dtype=object)
    net.n_group = np.concatenate([net.n_teach, n_lead, n_dist], axis=0)
    gap = np.vstack([net.role_gap[r] for r in net.g_role])  # G x D
    net.m_group = model.mu + np.vstack([net.u, u_d])[net.g_unit] + gap
    net.g_unit_growth = np.vstack([net.g, g_d])


def _persons(
    n_group: np.ndarray, s_resp: np.random.Generator, linked_share: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray, int, int]:
    """Phase 3: response rows as (group, person, wave); later waves re-survey a linked share.

    Returns ``grp, person, wave_ix`` (one entry per response row), the number of persons and
    the number of linked rows.
    """
    G, T = n_group.shape
    rows_group, rows_person, rows_wave = [], [], []
    n_persons = 0
    prev_group = prev_person = None
    linked_count = 0
    for t in range(T):
        n_t = n_group[:, t]
        if t == 0 or prev_group is None or prev_person is None:
            grp = np.repeat(np.arange(G), n_t)
            person = n_persons + np.arange(len(grp))
            n_persons += len(grp)
        else:
            n_prev = np.bincount(prev_group, minlength=G)
            n_link = np.minimum(np.round(linked_share * n_prev).astype(int), n_t)
            keys = s_resp.random(len(prev_group))
            order = np.lexsort((keys, prev_group))
            starts = np.concatenate([[0], np.cumsum(n_prev)[:-1]])
            rank = np.empty(len(order), int)
            rank[order] = np.arange(len(order)) - starts[prev_group[order]]
            linked = rank < n_link[prev_group]
            linked_count += int(linked.sum())
            n_new = n_t - n_link
            new_grp = np.repeat(np.arange(G), n_new)
            new_person = n_persons + np.arange(len(new_grp))
            n_persons += len(new_grp)
            grp = np.concatenate([prev_group[linked], new_grp])
            person = np.concatenate([prev_person[linked], new_person])
        rows_group.append(grp)
        rows_person.append(person)
        rows_wave.append(np.full(len(grp), t))
        prev_group, prev_person = grp, person
    return (
        np.concatenate(rows_group),
        np.concatenate(rows_person),
        np.concatenate(rows_wave),
        n_persons,
        linked_count,
    )


@dataclass
class _Quality:
    """Phase 4's output: the answers as stored, Don't-know cells and the data-quality truth."""

    stored: np.ndarray
    dk: np.ndarray
    straight: np.ndarray
    partial: np.ndarray
    n_dom_answered: np.ndarray
    dur: np.ndarray


def _contaminate(
    model: _ItemModel,
    s_contam: np.random.Generator,
    x: np.ndarray,
    asked: np.ndarray,
    role_ix: np.ndarray,
    missing_rate: float,
    straightliner_rate: float,
    partial_rate: float,
) -> _Quality:
    """Phase 4: reverse keys as ticked, straight-lining, partial responses, MCAR gaps, Don't know, speed."""
    N: int = x.shape[0]
    J: int = x.shape[1]
    D = len(model.domains)
    straight = s_contam.random(N) < straightliner_rate
    partial = (s_contam.random(N) < partial_rate) & ~straight
    n_dom_answered = s_contam.integers(1, min(2, D - 1) + 1 if D > 1 else 2, N)
    sl_value = s_contam.choice(np.array([3, 4, 5]), size=N, p=[0.25, 0.5, 0.25])
    miss = s_contam.random((N, J)) < missing_rate
    speed_other = s_contam.random(N) < 0.012
    sl_speed = s_contam.random(N) < 0.6
    dur = np.exp(np.log(480.0) + 0.40 * s_contam.standard_normal(N))
    dur_fast = s_contam.uniform(45, 118, N)
    dur_sl = np.exp(np.log(210.0) + 0.30 * s_contam.standard_normal(N))

    stored = np.where(model.reverse[None, :], model.lo + model.hi - x, x)
    stored[straight] = np.where(asked[straight], sl_value[straight, None], np.nan)
    late = model.dom[None, :] >= n_dom_answered[:, None]
    stored[partial[:, None] & late] = np.nan
    stored[miss & ~straight[:, None] & ~partial[:, None]] = np.nan
    dk = np.zeros((N, J), bool)
    if model.dk_code is not None and model.dk_rate is not None:  # set together
        # its own stream, spawned without advancing s_contam, so 1.0.0 studies are unchanged
        s_dk = s_contam.spawn(1)[0]
        dk = (s_dk.random((N, J)) < model.dk_rate[role_ix]) & asked & ~straight[:, None] & ~np.isnan(stored)
        stored[dk] = np.nan
    empty = np.isnan(stored).all(axis=1)  # never leave a row without any answer
    if empty.any():
        first = np.argmax(asked, axis=1)
        stored[empty, first[empty]] = np.where(
            model.reverse[first[empty]], model.lo + model.hi - x[empty, first[empty]], x[empty, first[empty]]
        )
        dk[empty, first[empty]] = False
    dur = np.where(partial, dur * n_dom_answered / D, dur)
    dur = np.where(straight, np.where(sl_speed, dur_fast, dur_sl), dur)
    speeder_only = speed_other & ~straight
    dur = np.where(speeder_only, dur_fast, dur)
    return _Quality(stored, dk, straight, partial, n_dom_answered, np.round(dur).astype(int))


def _response_table(
    inst: Instrument,
    model: _ItemModel,
    net: _Network,
    q: _Quality,
    pid: np.ndarray,
    grp: np.ndarray,
    person: np.ndarray,
    wave_ix: np.ndarray,
    waves: tuple[str, ...],
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Phase 5: the responses table (sorted by wave, school, role, id) and its Don't-know frame."""
    resp = pd.DataFrame(
        {
            "respondent_id": pid[person],
            "school": net.unit_id[net.g_unit[grp]],
            "district": np.array(net.district_ids, dtype=object)[net.unit_district[net.g_unit[grp]]],
            "role": net.g_role[grp],
            "wave": np.array(waves, dtype=object)[wave_ix],
        }
    )
    item_frame = pd.DataFrame(q.stored, columns=model.ids).round().astype("Int64")
    resp = pd.concat([resp, item_frame], axis=1)
    resp["duration_sec"] = pd.array(q.dur, dtype="Int64")
    dk_frame = pd.DataFrame(q.dk, columns=model.ids)
    if model.dk_code is not None:
        resp["n_dont_know"] = q.dk.sum(axis=1).astype("int64")
    role_order = {r: k for k, r in enumerate(model.roles)}
    resp["_w"] = wave_ix
    resp["_r"] = resp["role"].map(role_order)
    resp = resp.sort_values(["_w", "school", "_r", "respondent_id"], kind="mergesort")
    dk_frame = dk_frame.loc[resp.index].reset_index(drop=True)
    resp = resp.drop(columns=["_w", "_r"]).reset_index(drop=True)
    resp.attrs["instrument_version"] = inst.version
    return resp, dk_frame


def _roster_table(
    model: _ItemModel, net: _Network, s_roster: np.random.Generator, waves: tuple[str, ...]
) -> tuple[pd.DataFrame, int, float]:
    """Phase 6: invited staff per unit, role and wave; one school gets a low rate at the last wave."""
    G, T = net.n_group.shape
    S = len(net.school_ids)
    inv = np.empty((G, T), int)
    for t in range(T):
        n = net.n_group[:, t]
        rate = s_roster.uniform(0.60, 0.93, G)
        extra = s_roster.integers(0, 2, G)
        extra_d = s_roster.integers(0, 3, G)
        inv[:, t] = np.where(
            net.g_role == "teacher",
            np.ceil(n / rate),
            np.where(net.g_role == "leader", n + extra, n + extra_d),
        )
    low_school = int(s_roster.integers(0, S))
    low_rate = float(s_roster.uniform(0.38, 0.46))
    inv[low_school, T - 1] = int(math.ceil(net.n_group[low_school, T - 1] / low_rate))
    role_order = {r: k for k, r in enumerate(model.roles)}
    roster = pd.DataFrame(
        {
            "school": np.repeat(net.unit_id[net.g_unit], T),
            "district": np.repeat(np.array(net.district_ids, dtype=object)[net.unit_district[net.g_unit]], T),
            "role": np.repeat(net.g_role, T),
            "wave": np.tile(np.array(waves, dtype=object), G),
            "invited": inv.reshape(-1),
            "_w": np.tile(np.arange(T), G),
            "_r": np.repeat([role_order[r] for r in net.g_role], T),
            "_n": net.n_group.reshape(-1),
        }
    )
    keep = roster["_n"] > 0
    roster = roster[keep].sort_values(["_w", "school", "_r"], kind="mergesort")
    return roster.drop(columns=["_w", "_r", "_n"]).reset_index(drop=True), low_school, low_rate


def _expected_truth(model: _ItemModel, net: _Network, waves: tuple[str, ...]) -> dict[str, Any]:
    """Phase 7: true expected domain scores per school, district office and network, role and wave."""
    S, Dn, T = len(net.school_ids), len(net.district_ids), len(waves)
    domains = model.domains
    D = len(domains)
    G = net.n_group.shape[0]
    exp = {}  # (role, t) -> G x D expected scores (only that role's groups meaningful)
    for t in range(T):
        m_t = net.m_group + t * net.g_unit_growth[net.g_unit]
        for r in ("teacher", "leader", "district"):
            exp[(r, t)] = model.expected_scores(m_t, r)
    school_truth = []
    for s in range(S):
        for t in range(T):
            nt, nl = int(net.n_teach[s, t]), int(net.n_lead[s, t])
            et = exp[("teacher", t)][s]
            el = exp[("leader", t)][S + s]
            for d in range(D):
                allm = (nt * et[d] + nl * el[d]) / max(nt + nl, 1)
                school_truth.append(
                    {
                        "school": net.school_ids[s],
                        "wave": waves[t],
                        "domain": domains[d],
                        "teacher": et[d],
                        "leader": el[d],
                        "all": allm,
                        "n_teacher": nt,
                        "n_leader": nl,
                    }
                )
    district_truth = []
    for k in range(Dn):
        for t in range(T):
            ed = exp[("district", t)][2 * S + k]
            for d in range(D):
                district_truth.append(
                    {
                        "district": net.district_ids[k],
                        "wave": waves[t],
                        "domain": domains[d],
                        "district_staff": ed[d],
                        "n": int(net.n_dist[k, t]),
                    }
                )
    network = []
    for t in range(T):
        for r, rows in (("teacher", slice(0, S)), ("leader", slice(S, 2 * S)), ("district", slice(2 * S, G))):
            vals = exp[(r, t)][rows]
            for d in range(D):
                network.append(
                    {
                        "wave": waves[t],
                        "role": r,
                        "domain": domains[d],
                        "mean": float(vals[:, d].mean()) if len(vals) else None,
                    }
                )
    return {
        "teach_base": exp[("teacher", 0)][:S],
        "lead_base": exp[("leader", 0)][S : 2 * S],
        "school_truth": school_truth,
        "district_truth": district_truth,
        "network": network,
    }


def _survey(
    inst: Instrument,
    model: _ItemModel,
    streams: tuple[np.random.Generator, ...],
    *,
    n_schools: int,
    n_districts: int,
    respondents_per_school: int,
    leader_share: float,
    district_staff_per_district: int,
    waves: tuple[str, ...],
    missing_rate: float,
    straightliner_rate: float,
    partial_rate: float,
    growth_mean: np.ndarray,
    growth_sd: np.ndarray,
    linked_share: float,
    school_sd: np.ndarray,
    school_R: np.ndarray,
    resp_R: np.ndarray,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, dict[str, Any]]:
    """The survey part of a study, phase by phase: units, groups, persons, answers, quality, tables, truth."""
    s_design, s_resp, s_items, s_contam, s_ids, s_roster = streams
    D = len(model.domains)
    net = _units(model, s_design, n_schools, n_districts, school_sd, school_R, growth_mean, growth_sd)
    _groups(
        net,
        model,
        s_design,
        len(waves),
        respondents_per_school,
        leader_share,
        district_staff_per_district,
        growth_mean,
    )
    grp, person, wave_ix, n_persons, linked_count = _persons(net.n_group, s_resp, linked_share)
    cov_resp = np.outer(model.resp_sd, model.resp_sd) * resp_R
    e = s_resp.multivariate_normal(np.zeros(D), cov_resp, size=n_persons, method="cholesky")
    theta = net.m_group[grp] + wave_ix[:, None] * net.g_unit_growth[net.g_unit][grp] + e[person]
    x = model.draw(theta, s_items).astype(float)  # true keying
    role_ix = np.array([model.roles.index(r) for r in net.g_role])[grp]
    asked = model.asked[role_ix]
    x[~asked] = np.nan
    q = _contaminate(model, s_contam, x, asked, role_ix, missing_rate, straightliner_rate, partial_rate)
    pid = _ids(s_ids, n_persons)
    resp, dk_frame = _response_table(inst, model, net, q, pid, grp, person, wave_ix, waves)
    roster, low_school, low_rate = _roster_table(model, net, s_roster, waves)
    schools = pd.DataFrame(
        {
            "school": net.school_ids,
            "district": [net.district_ids[k] for k in net.school_district],
            "name": net.names,
        }
    )
    truth_parts = {
        "school_ids": net.school_ids,
        "district_ids": net.district_ids,
        "names": net.names,
        "school_district": net.school_district,
        "u": net.u,
        "g": net.g,
        "cov_school": net.cov_school,
        "cov_resp": cov_resp,
        "role_gap": net.role_gap,
        **_expected_truth(model, net, waves),
        "straight": q.straight,
        "partial": q.partial,
        "speeders": (q.dur < 120),
        "pid_rows": pid[person],
        "wave_rows": np.array(waves, dtype=object)[wave_ix],
        "n_dom_answered": q.n_dom_answered,
        "linked_count": linked_count,
        "n_persons": n_persons,
        "low_school": net.school_ids[low_school],
        "low_rate": low_rate,
        "n_rows": len(x),
        "dont_know": dk_frame if model.dk_code is not None else None,
    }
    return resp, roster, schools, truth_parts


# --------------------------------------------------------------------------- interview part
_OPENERS = [
    "",
    "",
    "",
    "Honestly? ",
    "Good question. ",
    "It's mixed. ",
    "I'll be straight with you. ",
    "Where do I start. ",
    "Let me think about that. ",
    "Okay. ",
]
_LEADER_OPENERS = [
    "From the office you see it differently. ",
    "As a principal I notice this. ",
    "I'd say this from the leadership side. ",
]
_PEOPLE = [
    ("Ms. Okafor", "she", "her"),
    ("Mr. Delgado", "he", "his"),
    ("Mrs. Lindqvist", "she", "her"),
    ("Dr. Banerjee", "she", "her"),
    ("Ms. Tran", "she", "her"),
    ("Mr. Haddad", "he", "his"),
    ("Dan Whitfield", "he", "his"),
    ("Priya Raman", "she", "her"),
    ("Coach Morales", "he", "his"),
]
_NAMES = [p[0] for p in _PEOPLE]
_CLOSERS = {
    "pos": [
        "",
        "",
        "",
        "",
        " That's why people stay here.",
        " It makes a real difference.",
        " I wish every school had that.",
        " Honestly, it's the best part of the job.",
    ],
    "neg": [
        "",
        "",
        "",
        "",
        " It wears you down.",
        " That's just the reality right now.",
        " I don't see that changing soon.",
        " People are tired.",
    ],
}
_SUBJECTS = ["science", "math", "engineering", "computer science", "biology", "chemistry", "physics"]
_DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]
_PARTNERS = [
    "the university",
    "the science center",
    "the partnership",
    "the state STEM network",
    "a local engineering firm",
]

# Sentences written for this sample. "pos" = an asset told about the code; "neg" = the code
# discussed as missing or blocked. BARRIER codes are only "neg", ENABLER codes only "pos".
_TEXT: dict[str, dict[str, list[str]]] = {
    "EX-COACH": {
        "pos": [
            "Our {subj} coach comes in every other week and actually models the lesson with my kids.",
            "{name} coaches three of us, and {she} always brings something I can use the next day.",
            "Having a specialist I can text when a lab goes sideways has changed how brave I am.",
        ],
        "neg": [
            "We had a coach for a year, then the funding went and nobody replaced her.",
            "The coach is spread over six schools, so we see her maybe twice a semester.",
        ],
    },
    "EX-CONTENT": {
        "pos": [
            "If you want to know how to get kids arguing from evidence, you go to {name}.",
            "We have two people on the {subj} team who really know their content cold.",
            "{name} taught me more about teaching {subj} in one planning period than my whole credential did.",
        ],
        "neg": [
            "Half our {subj} classes are covered by people teaching outside their field this year.",
            "Nobody on staff really has the {subj} background, so we lean on the textbook.",
        ],
    },
    "EX-EXTERNAL": {
        "pos": [
            "{name} worked as a lab tech for years, and {she} uses that in every unit {she} plans.",
            "We bring in people from {partner} and the kids see what the work really looks like.",
            "One of our teachers came from industry and rebuilt the engineering unit around real specs.",
        ],
        "neg": ["There's expertise out there in the community, but we've never figured out how to tap it."],
    },
    "EX-HIDDEN": {
        "pos": [],
        "neg": [
            "I'm the only {subj} person in the building, so nobody really knows what I do.",
            "{name} does amazing things in {her} room, but it stays behind {her} door.",
            "There's a lot of skill on this staff that never gets seen because we never watch each other teach.",
        ],
    },
    "EX-SHARE": {
        "pos": [
            "{name} ran a couple of after-school sessions on lab routines and now the whole team uses them.",
            "When I was stuck on the {subj} unit, a colleague co-planned it with me over two lunches.",
            "We take turns leading a short demo at team meetings, something that worked in our own rooms.",
        ],
        "neg": [
            "People are generous one-on-one, but there's no way for what they know to spread.",
            "The good ideas stay in whoever's room they started in.",
        ],
    },
    "LM-EQUITY": {
        "pos": [
            "We stopped sorting kids out of the advanced {subj} track, and more of them are sticking with it.",
            "The expectation here is that every kid does the real lab, not a watered-down worksheet.",
            "We look at who is signing up for {subj} electives and go recruit the kids who aren't.",
        ],
        "neg": [
            "Some colleagues still say certain kids just aren't {subj} kids.",
            "The rigorous classes are still mostly the same group of students every year.",
        ],
    },
    "LM-EVIDENCE": {
        "pos": [
            "We spread the student notebooks out on a table and saw "
            "right away that nobody had taught them to write a claim.",
            "After the unit test we sit down with the results and decide what to reteach.",
            "We look at student work every {day}, and it actually changes what we do the next week.",
        ],
        "neg": [
            "We collect a lot of data, but nobody ever sits down and asks what it means for teaching.",
            "The benchmark results come back months later, too late to do anything with.",
        ],
    },
    "LM-GROWTH": {
        "pos": [
            "Every summer I pick one thing I was weak on and work on it before school starts.",
            "People here talk about their practice as something that can always get better.",
            "I joined the {subj} study group because I wanted someone to push my thinking.",
        ],
        "neg": ["Some of the veterans feel they've seen it all and don't need another workshop."],
    },
    "LM-NOVICE": {
        "pos": [
            "When I started, nobody made me feel silly for asking how the lab ordering worked.",
            "New teachers get paired with someone and it's normal to ask questions in team meetings.",
            "{name} took me under {her} wing my first year and answered a hundred questions.",
        ],
        "neg": [
            "As a first-year teacher I didn't want to look like I didn't know what I was doing, so I didn't ask.",
            "New people are kind of left to sink or swim.",
        ],
    },
    "LM-RISK": {
        "pos": [
            "My first try at a design challenge was chaos, and I told the team so we could fix it together.",
            "We're allowed to try something new and have it flop, and nobody holds it against you.",
            "Last spring I tried a whole unit as a project, and my principal just asked what I learned.",
        ],
        "neg": [
            "With the test coming, nobody wants to try something that might not work.",
            "If a lesson goes badly during a walkthrough, it ends up on your evaluation.",
        ],
    },
    "CN-AUTONOMY": {
        "pos": [
            "Nobody checks my lesson plans line by line; they trust me to know my students.",
            "We get to decide how to pace the {subj} units as a team.",
            "I have room to adapt the curriculum when my class needs something different.",
        ],
        "neg": [
            "Every lesson has to follow the pacing guide to the day, no matter what the kids need.",
            "We're monitored so closely it feels like they don't think we're professionals.",
        ],
    },
    "CN-LEADROLE": {
        "pos": [
            "I teach four periods and spend the fifth helping other teachers set up the {subj} labs.",
            "{name} leads our team and still has {her} own classes, which is why people listen to her.",
            "Being a teacher leader here doesn't mean you have to leave the classroom.",
        ],
        "neg": [
            "The only way to lead here is to become an administrator and leave the kids.",
            "I'd love a leadership role, but there's no such thing for someone who wants to keep teaching.",
        ],
    },
    "CN-RECOG": {
        "pos": [
            "When {name} got the state award, the principal announced it at assembly.",
            "Leadership actually notices when you put in the extra work, and says so.",
            "They featured our {subj} fair in the district newsletter with the teachers' names on it.",
        ],
        "neg": [
            "You could do something amazing and nobody outside your room would ever know.",
            "The only time anyone mentions your work is when test scores come out.",
        ],
    },
    "CN-VOICE": {
        "pos": [
            "They asked the {subj} team which kits to buy, and that's what showed up.",
            "Teachers sit on the committee that plans our PD, and it shows.",
            "Our input on the new schedule was actually used, which surprised a lot of people.",
        ],
        "neg": [
            "Decisions get made and then we're told about them in a staff email.",
            "We fill out the surveys, but nothing ever changes because of them.",
        ],
    },
    "OS-COHERENT": {
        "pos": [
            "This year the PD followed our {subj} units, so each session fed into the next week's lessons.",
            "It's the same focus all year instead of a new topic every month, and that makes a difference.",
            "The workshops with {partner} build on each other, so you can actually go deep.",
        ],
        "neg": [
            "PD is a different topic every time, and none of it connects to what I teach.",
            "We had a one-day workshop on inquiry and then never heard about it again.",
        ],
    },
    "OS-CROSS": {
        "pos": [
            "Once a month the {subj} teachers from our schools meet and work through a real lesson.",
            "The cross-school coach group is the best PD I get all year.",
            "Our principals meet with the other schools in the district, and the ideas come back to us.",
        ],
        "neg": [
            "We never see the other schools, even the one down the road teaching the same course.",
            "There's no structure to work with teachers from other schools, so it just doesn't happen.",
        ],
    },
    "OS-DATA": {
        "pos": [
            "We have a simple routine: every {day} we share the quick-check results and plan from them.",
            "There's a feedback form after every PD, and they actually changed the next session because of it.",
            "We agreed with {partner} on what data we'd share and when, and it's worked well.",
        ],
        "neg": [
            "Data goes up to the district and nothing ever comes back down.",
            "We don't have any real routine for looking at results together.",
        ],
    },
    "OS-PLC": {
        "pos": [
            "We run a lesson study cycle each semester: plan together, one of us teaches, the rest observe.",
            "Our PLC actually talks about teaching, not just logistics.",
            "We do peer observations twice a semester and debrief the same afternoon.",
        ],
        "neg": [
            "Our PLC time mostly goes to entering grades and announcements.",
            "The PLC exists on paper, but we haven't met properly since October.",
        ],
    },
    "OS-SCHED": {
        "pos": [
            "On {day} afternoons the kids leave early and every team gets ninety minutes together.",
            "Our schedule gives the {subj} team a common planning period, which is rare.",
            "Leadership protected our collaboration time even when testing season came around.",
        ],
        "neg": [
            "There's no common planning time, so we end up collaborating in the hallway.",
            "Our planning periods never line up, so the team can't meet during the day.",
        ],
    },
    "BAR-MANDATE": {
        "neg": [
            "We found out by email that every class would give the same quiz each quarter, no reason given.",
            "The district rolls out a new requirement and we're expected to just comply.",
            "The new {subj} curriculum was chosen without a single teacher in the room.",
            "It comes down from above, and nobody explains why we're doing it.",
        ]
    },
    "BAR-MEETINGS": {
        "neg": [
            "Our department meeting is forty minutes of announcements and never about lessons.",
            "Some weeks I have four meetings after school, and most of them could be an email.",
            "By the time the staff meeting gets to anything about teaching, people have checked out.",
            "It's meeting after meeting, and you leave more tired than you came in.",
        ]
    },
    "BAR-OVERLOAD": {
        "neg": [
            "This year alone we have three new programs, and none of them talk to each other.",
            "Every year there's a new initiative, and the old one just quietly disappears.",
            "We're asked to do {n} different things well, and you end up doing none of them well.",
            "Initiative fatigue is real here; people roll their eyes when a new one is announced.",
        ]
    },
    "BAR-TIME": {
        "neg": [
            "By the time I finish the attendance reports and the data forms, there's nothing left for planning.",
            "There's so much busy work that the important stuff gets squeezed out.",
            "I spend my planning period on paperwork that doesn't help a single student.",
            "Time is the thing. We just don't have it.",
        ]
    },
    "BAR-TURNOVER": {
        "neg": [
            "We've had {n} principals in six years, so every plan gets started over.",
            "Half the {subj} department is new this year, and we lost a lot of what we'd built.",
            "The {subj} position sat empty until November, with a sub covering it.",
            "People leave just when they're getting good, and we start from scratch again.",
        ]
    },
    "ENA-BACKING": {
        "pos": [
            "When a parent complained about the outdoor lab, the principal came to the meeting and defended it.",
            "Our principal has our backs when we try something new, and she says so in public.",
            "The assistant principal took lunch duty so our team could observe each other.",
        ]
    },
    "ENA-NETWORK": {
        "pos": [
            "I text the other two {subj} teachers in the cluster all the time; we swap labs every week.",
            "Knowing teachers at other schools makes this job a lot less lonely.",
            "We got to know the team at the other middle school, and now we share units.",
        ]
    },
    "ENA-PARTNER": {
        "pos": [
            "Through {partner} we borrow equipment we could never "
            "afford, and there is a summer institute for our staff.",
            "The partnership pays for subs so we can go and learn together, which matters a lot.",
            "Working with {partner} brought in coaching we couldn't have paid for ourselves.",
        ]
    },
    "ENA-TRUST": {
        "pos": [
            "I can tell my team a lesson flopped because nobody will use it against me.",
            "There's real trust between the teachers and the office here, and it took years to build.",
            "We trust each other enough to disagree in meetings and still be fine afterward.",
        ]
    },
}

# Instrument 2.0.0 codes: some reuse a 1.0.0 code's sentences (same content, new id), the rest are new.
_TEXT_ALIAS = {
    "EX-PD": "OS-COHERENT",
    "OS-LEADROLE": "CN-LEADROLE",
    "EX-ISOLATED": "EX-HIDDEN",
    "CN-TRUST": "ENA-TRUST",
}
_TEXT.update(
    {
        "OS-OBSERVE": {
            "pos": [
                "I spent my planning period in {name}'s room watching "
                "how {she} runs stations, and tried it the next week.",
                "We visit each other's {subj} classes twice a semester and talk about it the same day.",
            ],
            "neg": [
                "In nine years nobody has ever watched me teach except for my evaluation.",
                "Going into someone else's room would feel like spying here.",
            ],
        },
        "OS-IMPACT": {
            "pos": [
                "After our team rebuilt the {subj} unit together, my "
                "students' lab reports finally had evidence in them.",
                "What we planned together last month is why my kids can explain their reasoning now.",
            ],
            "neg": [
                "We meet every week, but honestly nothing in my classroom is different because of it.",
                "The team time is pleasant, but it doesn't change what happens with the kids.",
            ],
        },
        "OS-COORD": {
            "pos": [
                "The district coach and the {partner} team plan together now, so I hear one message instead of two.",
                "Someone finally mapped all the coaching we get, and the overlaps were cut.",
            ],
            "neg": [
                "Three different coaches come through, and each one tells me something else.",
                "The district PD and the {partner} workshops contradict each other half the time.",
            ],
        },
        "OS-RESOURCE": {
            "pos": [
                "The middle schools pool their robotics kits, so each of us gets a full set for six weeks.",
                "We borrow the high school's microscopes for the cell unit, and they use our sensors.",
            ],
            "neg": [
                "Every school buys its own equipment, and most of it sits in a closet.",
                "We could never afford the lab materials the {subj} unit needs.",
            ],
        },
        "OS-HISTORY": {
            "pos": [
                "The last partner listened before it planned anything, so people are open to trying again.",
                "We worked with {partner} before, and the teachers who were part of it still use what they learned.",
            ],
            "neg": [
                "The last partnership ran for a year and then vanished, so people are wary.",
                "Outside groups come in with a plan for us and leave when the grant ends.",
            ],
        },
        "BAR-PRESSURE": {
            "neg": [
                "With the state test in April, nobody will risk a two-week design project in March.",
                "The pacing guide leaves no room to try anything that takes longer than a day.",
                "Scores are all anyone asks about, so we stick to what we know works on the test.",
            ]
        },
        "BAR-BLAME": {
            "neg": [
                "If a lesson flops, it ends up in my evaluation conversation, so I play it safe.",
                "People hide it when something goes wrong, because it gets held against you.",
                "You don't want to be the one whose experiment failed in front of everyone.",
            ]
        },
    }
)
for _new, _old in _TEXT_ALIAS.items():
    _TEXT.setdefault(_new, _TEXT[_old])
_TEXT.setdefault("CN-TRUST", {})
_TEXT["CN-TRUST"] = {
    **_TEXT["CN-TRUST"],
    "neg": [
        "People here don't count on each other to follow through, so everyone does everything alone.",
        "When the office promises something, we assume it won't happen.",
    ],
}

_PII_SENTENCES = [
    "If you want the schedule, email Dan Whitfield at dan.whitfield@{dom}.example.org and he'll send it.",
    "You can call Ms. Okafor on (555) 014-2398, she runs the lab calendar.",
    "Priya Raman set the whole thing up; her number is 555-0172 if you need to follow up.",
    "Write to mr.delgado@{dom}.example.org and ask for the PLC notes.",
]


def _sentence(code: str, valence: str, name: str, rng: np.random.Generator) -> str:
    tmpl = _TEXT.get(code, {}).get(valence) or []
    if not tmpl:
        gen = (
            f"We talked a lot about {name.lower()}, and it's one of the things that works here."
            if valence == "pos"
            else f"{name} is something we struggle with here."
        )
        return gen
    return tmpl[int(rng.integers(len(tmpl)))]


@dataclass
class _Codebook:
    """The codebook as the interview generator uses it: groups, names, fixed valences and code pools."""

    all_codes: list[str]
    domains: list[str]
    code_group: dict[str, str]
    names: dict[str, str]
    by_group: dict[str, list[str]]
    fixed: dict[str, str]
    asset_codes: dict[str, list[str]]
    neg_codes: dict[str, list[str]]
    record_valence: bool
    barriers: list[str]
    enablers: list[str]


def _has_text(code: str, val: str) -> bool:
    """Whether ``code`` has sentences of valence ``val`` (a code without templates has generic ones)."""
    t = _TEXT.get(code)
    return t is None or bool(t.get(val))


def _codebook_pools(inst: Instrument) -> _Codebook:
    """The instrument's codebook sorted into the pools excerpts draw from: asset, barrier and enabler codes."""
    cb = inst.codebook.reset_index(drop=True)
    domains = list(inst.domains["id"])
    code_group = dict(zip(cb["id"], cb["group"]))
    by_group: dict[str, list[str]] = {}
    for c, gr in zip(cb["id"], cb["group"]):
        by_group.setdefault(gr, []).append(c)
    fixed = dict(zip(cb["id"], cb["valence"])) if "valence" in cb.columns else {}
    # a code that always records one valence (2.0.0) is used only in excerpts of that valence
    asset_codes = {
        d: [c for c in by_group.get(d, []) if _has_text(c, "pos") and fixed.get(c) != "barrier"]
        for d in domains
    }
    neg_codes = {
        d: [c for c in by_group.get(d, []) if _has_text(c, "neg") and fixed.get(c) != "strength"]
        for d in domains
    }
    barriers = [c for c, gr in code_group.items() if gr not in domains and gr.upper().startswith("BAR")]
    enablers = [c for c, gr in code_group.items() if gr not in domains and not gr.upper().startswith("BAR")]
    if not barriers:
        barriers = [c for d in domains for c in neg_codes[d]]
    if not enablers:
        enablers = [c for d in domains for c in asset_codes[d]]
    return _Codebook(
        all_codes=list(cb["id"]),
        domains=domains,
        code_group=code_group,
        names=dict(zip(cb["id"], cb["name"])),
        by_group=by_group,
        fixed=fixed,
        asset_codes=asset_codes,
        neg_codes=neg_codes,
        record_valence=any(v in ("strength", "barrier") for v in fixed.values()),
        barriers=barriers,
        enablers=enablers,
    )


def _pick(rng: np.random.Generator, lst: list) -> Any:
    """One element of ``lst``, drawn uniformly."""
    return lst[int(rng.integers(len(lst)))]


def _codings(
    inst: Instrument,
    rng: np.random.Generator,
    *,
    school_ids,
    school_district,
    teach_base,
    n_interviews,
    double_coded_share,
):
    """The interview part of a study, phase by phase: excerpts, personal details, exemplary quotes, coders."""
    cbk = _codebook_pools(inst)
    sd = teach_base.std(axis=0)
    z = np.where(sd > 0, (teach_base - teach_base.mean(axis=0)) / np.where(sd > 0, sd, 1), 0.0)
    excerpts = _draw_excerpts(cbk, rng, school_ids, z, n_interviews)
    n = len(excerpts)
    width = max(3, len(str(n)))
    for i, ex in enumerate(excerpts):
        ex["excerpt_id"] = f"E{i + 1:0{width}d}"
    pii_idx = _add_personal_details(excerpts, rng)
    # exemplary quotes: about 1 in 8, more likely for richer (multi-code) excerpts
    for ex in excerpts:
        p = 0.08 + 0.10 * (len(ex["codes"]) - 1)
        ex["exemplary"] = bool(rng.random() < p)
    rows, n_double, n_flip = _coding_rows(cbk, rng, excerpts, double_coded_share)
    cols = ["excerpt_id", "interview_id", "school", "role", "coder", "code", "text", "exemplary"]
    if cbk.record_valence:
        cols.append("valence")
    cod = pd.DataFrame(rows, columns=cols)
    cod = cod.sort_values(["excerpt_id", "coder", "code"], kind="mergesort").reset_index(drop=True)
    cod["exemplary"] = cod["exemplary"].astype(bool)
    cod.attrs["instrument_version"] = inst.version
    info = _codings_info(cod, excerpts, pii_idx, n_interviews, n_double, n_flip, cbk.record_valence)
    return cod, info


def _draw_excerpts(
    cbk: _Codebook, rng: np.random.Generator, school_ids, z: np.ndarray, n_interviews: int
) -> list[dict[str, Any]]:
    """Every interview's excerpts (two interviews per school, round robin), before their ids."""
    S = len(school_ids)
    excerpts = []  # dicts: interview, school, role, codes(list, coder_a), text
    for k in range(n_interviews):
        s = (k // 2) % S
        role = "teacher" if k % 2 == 0 else "leader"
        iid = f"INT{k + 1:0{max(2, len(str(n_interviews)))}d}"
        n_ex = int(rng.integers(6, 10))
        for _ in range(n_ex):
            focus_domain = rng.random() < 0.75
            d = int(rng.integers(len(cbk.domains)))
            logit = 0.3 + 1.6 * z[s, d] + (0.5 if role == "leader" else 0.0)
            asset = rng.random() < 1 / (1 + math.exp(-logit))
            if asset:
                codes, parts = _asset_codes(cbk, rng, cbk.domains[d], focus_domain)
            else:
                codes, parts = _barrier_codes(cbk, rng, cbk.domains[d], focus_domain)
            excerpts.append(
                {
                    "interview_id": iid,
                    "school": school_ids[s],
                    "role": role,
                    "codes": codes,
                    "text": _excerpt_text(rng, role, parts, asset),
                    "asset": bool(asset),
                }
            )
    return excerpts


def _asset_codes(
    cbk: _Codebook, rng: np.random.Generator, domain: str, focus_domain: bool
) -> tuple[list[str], list[str]]:
    """The codes and sentences of an asset excerpt: a domain or enabler code, sometimes a second one."""
    codes, parts = [], []
    if focus_domain and cbk.asset_codes[domain]:
        c1 = _pick(rng, cbk.asset_codes[domain])
    else:
        c1 = _pick(rng, cbk.enablers)
    codes.append(c1)
    parts.append(_sentence(c1, "pos", cbk.names[c1], rng))
    if rng.random() < 0.5:
        pool = (
            cbk.enablers
            if rng.random() < 0.6 or cbk.code_group[c1] not in cbk.domains
            else [c for c in cbk.asset_codes[cbk.code_group[c1]] if c != c1]
        )
        pool = [c for c in pool if c not in codes]
        if pool:
            c2 = _pick(rng, pool)
            codes.append(c2)
            parts.append(_sentence(c2, "pos", cbk.names[c2], rng))
    return codes, parts


def _barrier_codes(
    cbk: _Codebook, rng: np.random.Generator, domain: str, focus_domain: bool
) -> tuple[list[str], list[str]]:
    """The codes and sentences of a barrier excerpt: a barrier code, often the domain told as a gap."""
    codes, parts = [], []
    c1 = _pick(rng, cbk.barriers)
    codes.append(c1)
    parts.append(_sentence(c1, "neg", cbk.names[c1], rng))
    neg = cbk.neg_codes[domain]
    if rng.random() < 0.6 and focus_domain and neg:
        c2 = _pick(rng, [c for c in neg if c not in codes] or neg)
        if c2 not in codes:
            codes.append(c2)
            parts.append(_sentence(c2, "neg", cbk.names[c2], rng))
    if rng.random() < 0.15:
        pool = [c for c in cbk.barriers if c not in codes]
        if pool:
            c3 = _pick(rng, pool)
            codes.append(c3)
            parts.append(_sentence(c3, "neg", cbk.names[c3], rng))
    return codes, parts


def _excerpt_text(rng: np.random.Generator, role: str, parts: list[str], asset: bool) -> str:
    """An excerpt's text: an opener, its sentences and a closer, with the template slots filled in."""
    opener = _pick(rng, _LEADER_OPENERS) if role == "leader" and rng.random() < 0.25 else _pick(rng, _OPENERS)
    person = _PEOPLE[int(rng.integers(len(_PEOPLE)))]
    slots = {
        "subj": _pick(rng, _SUBJECTS),
        "name": person[0],
        "she": person[1],
        "her": person[2],
        "day": _pick(rng, _DAYS),
        "partner": _pick(rng, _PARTNERS),
        "n": int(rng.integers(3, 6)),
    }
    text = opener + " ".join(parts) + _pick(rng, _CLOSERS["pos" if asset else "neg"])
    text = text.format(**slots)
    return text[0].upper() + text[1:]


def _add_personal_details(excerpts: list[dict[str, Any]], rng: np.random.Generator) -> list[int]:
    """Add the invented personal details of the redaction examples to a few excerpts; their indices."""
    n = len(excerpts)
    pii_idx = sorted(rng.choice(n, size=min(len(_PII_SENTENCES), n), replace=False).tolist()) if n else []
    for k, i in enumerate(pii_idx):
        dom = excerpts[i]["school"].lower() + "-schools"
        excerpts[i]["text"] += " " + _PII_SENTENCES[k].format(dom=dom)
    return pii_idx


def _coding_rows(
    cbk: _Codebook, rng: np.random.Generator, excerpts: list[dict[str, Any]], double_coded_share: float
) -> tuple[list[dict[str, Any]], int, int]:
    """Coder a's rows for every excerpt and coder b's for a random share; the number double-coded and flipped."""
    # second coder: double-codes a fixed share with realistic disagreement
    n = len(excerpts)
    n_double = int(round(double_coded_share * n))
    double = set(rng.choice(n, size=n_double, replace=False).tolist()) if n_double else set()
    rows = []
    n_flip = 0
    for i, ex in enumerate(excerpts):
        base = {k: ex[k] for k in ("excerpt_id", "interview_id", "school", "role", "text", "exemplary")}
        base["valence"] = "strength" if ex["asset"] else "barrier"
        for c in ex["codes"]:
            rows.append({**base, "coder": "coder_a", "code": c})
        if i in double:
            b_codes = _coder_b_codes(cbk, rng, ex["codes"])
            for c in dict.fromkeys(b_codes):
                val = base["valence"]
                if cbk.fixed.get(c) in ("strength", "barrier"):
                    val = cbk.fixed[c]
                elif cbk.record_valence and rng.random() < 0.06:  # coder b reads the excerpt the other way
                    val = "barrier" if val == "strength" else "strength"
                    n_flip += 1
                rows.append({**base, "coder": "coder_b", "code": c, "valence": val})
    return rows, n_double, n_flip


def _coder_b_codes(cbk: _Codebook, rng: np.random.Generator, a_codes: list[str]) -> list[str]:
    """Coder b's codes of an excerpt coder a coded ``a_codes``: some dropped or swapped, sometimes one extra."""
    b_codes = []
    for c in a_codes:
        if rng.random() < 0.13:  # coder b does not apply this code ...
            if rng.random() < 0.6:  # ... and often uses a neighbouring one instead
                sib = [x for x in cbk.by_group[cbk.code_group[c]] if x != c and x not in a_codes]
                if sib:
                    b_codes.append(_pick(rng, sib))
        else:
            b_codes.append(c)
    if rng.random() < 0.12:  # an extra code coder a did not use
        extra = [x for x in cbk.all_codes if x not in b_codes]
        b_codes.append(_pick(rng, extra))
    if not b_codes:
        b_codes = [a_codes[0]]
    return b_codes


def _codings_info(
    cod: pd.DataFrame,
    excerpts: list[dict[str, Any]],
    pii_idx: list[int],
    n_interviews: int,
    n_double: int,
    n_flip: int,
    record_valence: bool,
) -> dict[str, Any]:
    """Truth's ``codings``: the counts drawn and the coding model's probabilities."""
    n = len(excerpts)
    used_names = sorted({nm for nm in _NAMES if any(nm in ex["text"] for ex in excerpts)})
    info: dict[str, Any] = {
        "n_interviews": n_interviews,
        "n_excerpts": n,
        "n_double_coded": n_double,
        "double_coded_share": n_double / n if n else 0.0,
        "coder_b_drop_probability": 0.13,
        "coder_b_substitute_given_drop": 0.6,
        "coder_b_extra_code_probability": 0.12,
        "asset_logit": "0.3 + 1.6 * z(school teacher baseline true mean in the domain) + 0.5 [leader interview]",
        "asset_share": float(np.mean([ex["asset"] for ex in excerpts])) if n else 0.0,
        "pii": {"excerpts": [excerpts[i]["excerpt_id"] for i in pii_idx], "names": used_names},
        "n_exemplary": int(sum(ex["exemplary"] for ex in excerpts)),
    }
    if record_valence:
        info["valence"] = {
            "rule": "strength for every coding of an asset excerpt, barrier for a barrier excerpt; "
            "coder_b records the other valence on 6% of topic codes of double-coded excerpts",
            "coder_b_flip_probability": 0.06,
            "n_coder_b_flips": n_flip,
            "n_strength_codings": int((cod["valence"] == "strength").sum()),
            "n_barrier_codings": int((cod["valence"] == "barrier").sum()),
        }
    return info


# --------------------------------------------------------------------------- public API
def simulate_study(
    seed: int = 2026,
    n_schools: int = 12,
    n_districts: int = 3,
    respondents_per_school: int = 25,
    leader_share: float = 0.12,
    district_staff_per_district: int = 4,
    waves: tuple[str, ...] = ("baseline", "followup"),
    missing_rate: float = 0.03,
    straightliner_rate: float = 0.02,
    partial_rate: float = 0.03,
    growth: Any = None,
    linked_share: float = 0.6,
    n_interviews: int = 24,
    double_coded_share: float = 0.35,
    instrument: Instrument | str | Path | None = None,
) -> Study:
    """Simulate a whole Asset Inventory study from a documented latent model.

    Survey answers come from a multilevel latent model (school effects, correlated
    domains, a leader-teacher gap, school growth between waves) and a normal-ogive
    graded response model for the items (Samejima, 1969); see the module docstring
    and ``docs/sample_data.md`` for the formulas and the true parameter values.
    Everything is vectorised, so large studies (thousands of schools) are fast.

    Parameters
    ----------
    seed : int
        Seed for ``numpy.random.default_rng``; the same seed gives the same study.
    n_schools, n_districts : int
        Number of schools (ids ``S01``...) and districts (``D1``...); schools are split
        into contiguous, near-equal blocks per district.
    respondents_per_school : int
        Average number of respondents (teachers + leaders) per school and wave; each
        school has its own size factor (0.75-1.25).
    leader_share : float
        Expected share of leaders among a school's respondents (at least one leader
        per school when positive; with 25 respondents that is 2-4 leaders).
    district_staff_per_district : int
        District staff respondents per district and wave (+-1). They are reported with
        ``school`` equal to the district id and ``role == "district"``.
    waves : tuple of str
        Wave ids, first = baseline. Growth ``g`` accrues per wave step.
    missing_rate : float
        Share of item answers left blank completely at random (among respondents who
        are neither straight-liners nor partial responders, items asked of their role).
    straightliner_rate : float
        Share of respondents ticking one answer for every item (most are also speeders).
    partial_rate : float
        Share of respondents answering only the first 1-2 domains.
    growth : None, float or dict
        Mean school growth per wave step on the latent 1-5 metric: ``None`` = the
        defaults (EX 0.00, LM 0.15, CN 0.10, OS 0.25), a number for every domain, or
        ``{domain: mean}`` / ``{domain: (mean, sd)}``.
    linked_share : float
        Share of a wave's respondents who answer again at the next wave under the same
        id (a linked panel); the others are new ids.
    n_interviews : int
        Number of interviews; two per school (teacher group, leader), round robin.
    double_coded_share : float
        Share of excerpts also coded by ``coder_b``.
    instrument : Instrument, path or None
        The instrument (default: the bundled one).

    Returns
    -------
    Study
        ``responses``, ``roster``, ``schools``, ``codings`` and ``truth``.

    Examples
    --------
    >>> st = simulate_study(seed=1, n_schools=4, n_districts=2)
    >>> sorted(st.responses["wave"].unique())
    ['baseline', 'followup']
    >>> st.schools["school"].tolist()
    ['S01', 'S02', 'S03', 'S04']
    >>> set(st.codings["coder"]) == {"coder_a", "coder_b"}
    True
    >>> simulate_study(seed=1, n_schools=4).responses.equals(simulate_study(seed=1, n_schools=4).responses)
    True

    References
    ----------
    Samejima, F. (1969). Estimation of latent ability using a response pattern of graded
    scores. *Psychometrika Monograph Supplement*, 34(4, Pt. 2), No. 17.
    """
    design: dict[str, Any] = {
        "n_schools": n_schools,
        "n_districts": n_districts,
        "respondents_per_school": respondents_per_school,
        "leader_share": leader_share,
        "district_staff_per_district": district_staff_per_district,
        "waves": list(waves),
        "missing_rate": missing_rate,
        "straightliner_rate": straightliner_rate,
        "partial_rate": partial_rate,
        "linked_share": linked_share,
        "n_interviews": n_interviews,
        "double_coded_share": double_coded_share,
    }
    _check_design(design)
    inst = resolve(instrument)
    par = _true_params(inst, growth)

    master = np.random.default_rng(seed)
    (s_design, s_item_par, s_resp, s_items, s_contam, s_ids, s_roster, s_cod, s_mc) = master.spawn(9)
    model = _ItemModel(inst, s_item_par, par.mu, par.resp_sd)
    streams = (s_design, s_resp, s_items, s_contam, s_ids, s_roster)
    resp, roster, schools, tp = _draw_survey(inst, model, streams, par, design)
    mc = _monte_carlo_truth(model, tp, par.mu, s_mc, n_schools)
    codings, cinfo = _codings(
        inst,
        s_cod,
        school_ids=tp["school_ids"],
        school_district=tp["school_district"],
        teach_base=tp["teach_base"],
        n_interviews=n_interviews,
        double_coded_share=double_coded_share,
    )
    truth = _study_truth(seed, inst, design, par, model, tp, mc, cinfo)
    if tp["dont_know"] is not None:
        truth["dont_know"] = _dont_know_truth(tp["dont_know"], resp, model)
    truth = _r(truth)
    return Study(
        responses=resp,
        roster=roster,
        schools=schools,
        codings=codings,
        truth=truth,
        dont_know=tp["dont_know"],
    )


def _check_design(design: dict[str, Any]) -> None:
    """Raise ValueError for study design arguments the generator cannot draw."""
    n_schools, n_districts = design["n_schools"], design["n_districts"]
    if n_schools < 1 or n_districts < 1 or n_districts > n_schools:
        raise ValueError("need n_schools >= n_districts >= 1")
    if design["respondents_per_school"] < 2:
        raise ValueError("respondents_per_school must be at least 2")
    waves = design["waves"]
    if len(waves) < 1 or len(set(waves)) != len(waves):
        raise ValueError("waves must be distinct wave ids")
    for nm in (
        "leader_share",
        "missing_rate",
        "straightliner_rate",
        "partial_rate",
        "linked_share",
        "double_coded_share",
    ):
        v = design[nm]
        if not 0 <= v <= 1:
            raise ValueError(f"{nm} must be between 0 and 1, got {v}")


@dataclass
class _TrueParams:
    """The true domain parameters of a study: means, SDs, correlation matrices and growth."""

    domains: list[str]
    mu: np.ndarray
    school_sd: np.ndarray
    resp_sd: np.ndarray
    school_R: np.ndarray
    resp_R: np.ndarray
    growth_mean: np.ndarray
    growth_sd: np.ndarray


def _true_params(inst: Instrument, growth: Any) -> _TrueParams:
    """The true parameters of the instrument's domains (the tables above, or the fallback values)."""
    domains = list(inst.domains["id"])
    growth_mean, growth_sd = _growth_params(domains, growth)
    return _TrueParams(
        domains=domains,
        mu=np.array([_MU.get(d, _FALLBACK["mu"]) for d in domains]),
        school_sd=np.array([_SCHOOL_SD.get(d, _FALLBACK["school_sd"]) for d in domains]),
        resp_sd=np.array([_RESP_SD.get(d, _FALLBACK["resp_sd"]) for d in domains]),
        school_R=_cor_matrix(domains, _SCHOOL_COR, _FALLBACK["school_cor"]),
        resp_R=_cor_matrix(domains, _RESP_COR, _FALLBACK["resp_cor"]),
        growth_mean=growth_mean,
        growth_sd=growth_sd,
    )


def _draw_survey(
    inst: Instrument,
    model: _ItemModel,
    streams: tuple[np.random.Generator, ...],
    par: _TrueParams,
    design: dict[str, Any],
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, dict[str, Any]]:
    """Draw the survey part of the study (responses, roster, schools) from the design and parameters."""
    return _survey(
        inst,
        model,
        streams,
        n_schools=design["n_schools"],
        n_districts=design["n_districts"],
        respondents_per_school=design["respondents_per_school"],
        leader_share=design["leader_share"],
        district_staff_per_district=design["district_staff_per_district"],
        waves=tuple(design["waves"]),
        missing_rate=design["missing_rate"],
        straightliner_rate=design["straightliner_rate"],
        partial_rate=design["partial_rate"],
        growth_mean=par.growth_mean,
        growth_sd=par.growth_sd,
        linked_share=design["linked_share"],
        school_sd=par.school_sd,
        school_R=par.school_R,
        resp_R=par.resp_R,
    )


def _monte_carlo_truth(
    model: _ItemModel, tp: dict[str, Any], mu: np.ndarray, rng: np.random.Generator, n_schools: int
) -> dict[str, Any]:
    """Monte-Carlo truth: score correlations, alpha and ICC(1) of clean baseline teacher answers."""
    # teachers at baseline, schools equally weighted, clean answers
    domains = model.domains
    D = len(domains)
    s_of = rng.integers(0, n_schools, _MC_N)
    e = rng.multivariate_normal(np.zeros(D), tp["cov_resp"], size=_MC_N, method="cholesky")
    theta = mu + tp["u"][s_of] + e
    xm = model.draw(theta, rng).astype(float)
    # the teacher form's items (every item for 1.0.0, where all roles see all items)
    tmask = (
        model.asked[model.roles.index("teacher")]
        if "teacher" in model.roles
        else np.ones(len(model.ids), bool)
    )
    xm[:, ~tmask] = np.nan
    sc = model.scores(xm)
    between = tp["teach_base"].var(axis=0)
    return {
        "score_cor": np.corrcoef(sc, rowvar=False),
        "alphas": {domains[d]: _alpha(xm[:, (model.dom == d) & tmask]) for d in range(D)},
        "icc1": {domains[d]: float(between[d] / sc[:, d].var()) for d in range(D)},
    }


def _mat(m: np.ndarray, domains: list[str]) -> dict[str, dict[str, float]]:
    """A domains x domains matrix as ``{row domain: {column domain: value}}``."""
    D = len(domains)
    return {domains[i]: {domains[j]: float(m[i, j]) for j in range(D)} for i in range(D)}


def _cor(c: np.ndarray) -> np.ndarray:
    """The correlation matrix of a covariance matrix."""
    s = np.sqrt(np.diag(c))
    return c / np.outer(s, s)


def _flagged(tp: dict[str, Any], waves: list[str]) -> dict[str, list[dict[str, Any]]]:
    """The respondents of each data-quality problem, by wave and id: truth's ``data_quality``."""
    pid, wave = tp["pid_rows"], tp["wave_rows"]
    flagged = {
        "straightliners": [
            {"respondent_id": a, "wave": w} for a, w in zip(pid[tp["straight"]], wave[tp["straight"]])
        ],
        "partial": [
            {"respondent_id": a, "wave": w, "domains_answered": int(k)}
            for a, w, k in zip(pid[tp["partial"]], wave[tp["partial"]], tp["n_dom_answered"][tp["partial"]])
        ],
        "speeders": [
            {"respondent_id": a, "wave": w} for a, w in zip(pid[tp["speeders"]], wave[tp["speeders"]])
        ],
    }
    for flagged_rows in flagged.values():
        flagged_rows.sort(key=lambda r: (list(waves).index(r["wave"]), r["respondent_id"]))
    return flagged


def _design_truth(design: dict[str, Any], tp: dict[str, Any]) -> dict[str, Any]:
    """Truth's ``design``: the arguments, the counts drawn and the low-response example."""
    return {
        **design,
        "n_rows": int(tp["n_rows"]),
        "n_persons": int(tp["n_persons"]),
        "n_linked": int(tp["linked_count"]),
        "low_response_example": {
            "school": tp["low_school"],
            "role": "teacher",
            "wave": list(design["waves"])[-1],
            "target_rate": tp["low_rate"],
        },
    }


def _model_truth(par: _TrueParams, model: _ItemModel, tp: dict[str, Any], total_sd: np.ndarray) -> dict:
    """Truth's ``model``: the latent model's parameters and every item's parameters."""
    domains = par.domains
    loads = model.std_loadings(total_sd)
    return {
        "domains": domains,
        "mu": dict(zip(domains, par.mu.tolist())),
        "school_sd": dict(zip(domains, par.school_sd.tolist())),
        "school_cor": _mat(par.school_R, domains),
        "resp_sd": dict(zip(domains, par.resp_sd.tolist())),
        "resp_cor": _mat(par.resp_R, domains),
        "role_offset": {r: dict(zip(domains, v.tolist())) for r, v in tp["role_gap"].items()},
        "growth_mean": dict(zip(domains, par.growth_mean.tolist())),
        "growth_sd": dict(zip(domains, par.growth_sd.tolist())),
        "district_staff": "u and g of a district office = mean over the district's schools",
        "item_model": "y* = mu_d + b_j + a_j (theta_d - mu_d) + psi_j z; x = k for k-.5 <= y* < k+.5, "
        "clipped to the scale; reverse-keyed items stored as (min+max) - x",
        "items": [
            {
                "id": model.ids[j],
                "domain": domains[model.dom[j]],
                "reverse": bool(model.reverse[j]),
                "a": float(model.a[j]),
                "psi": float(model.psi[j]),
                "b": float(model.b[j]),
                "std_loading": float(loads[j]),
            }
            for j in range(len(model.ids))
        ],
    }


def _schools_truth(domains: list[str], tp: dict[str, Any], n_schools: int) -> list[dict[str, Any]]:
    """Truth's ``schools``: each school's district, name, effects ``u`` and growth ``g``."""
    return [
        {
            "school": tp["school_ids"][s],
            "district": tp["district_ids"][tp["school_district"][s]],
            "name": tp["names"][s],
            "u": dict(zip(domains, tp["u"][s].tolist())),
            "growth": dict(zip(domains, tp["g"][s].tolist())),
        }
        for s in range(n_schools)
    ]


def _study_truth(
    seed: int,
    inst: Instrument,
    design: dict[str, Any],
    par: _TrueParams,
    model: _ItemModel,
    tp: dict[str, Any],
    mc: dict[str, Any],
    cinfo: dict[str, Any],
) -> dict[str, Any]:
    """The study's truth (before rounding), section by section, in the order of ``truth.json``'s keys."""
    domains = par.domains
    total_cov = tp["cov_school"] + tp["cov_resp"]
    total_sd = np.sqrt(np.diag(total_cov))
    gap_score = (tp["lead_base"] - tp["teach_base"]).mean(axis=0)
    return {
        "generator": f"assetinv.simulate {GENERATOR_VERSION}",
        "seed": int(seed),
        "instrument_version": inst.version,
        "design": _design_truth(design, tp),
        "model": _model_truth(par, model, tp, total_sd),
        "schools": _schools_truth(domains, tp, design["n_schools"]),
        "school_means": tp["school_truth"],
        "district_means": tp["district_truth"],
        "network_means": tp["network"],
        "leader_teacher_gap": dict(zip(domains, gap_score.tolist())),
        "correlations": {
            "definition": (
                "score: correlation of observed domain scores (item means, no missing data) "
                f"of baseline teachers pooled over the study's schools, Monte-Carlo n={_MC_N}; "
                "latent_within: Sigma_resp; latent_total: Sigma_school + Sigma_resp"
            ),
            "score": _mat(mc["score_cor"], domains),
            "latent_within": _mat(par.resp_R, domains),
            "latent_total": _mat(_cor(total_cov), domains),
        },
        "reliability": {
            "alpha": mc["alphas"],
            "definition": "Cronbach's alpha of each domain's items, baseline teachers, "
            f"Monte-Carlo n={_MC_N}",
        },
        "icc1": {
            "values": mc["icc1"],
            "definition": "variance of true teacher baseline school means / variance of teacher "
            "baseline domain scores (Monte-Carlo, schools equally weighted)",
        },
        "data_quality": _flagged(tp, design["waves"]),
        "codings": cinfo,
    }


def _dont_know_truth(dkf: pd.DataFrame, resp: pd.DataFrame, model: _ItemModel) -> dict[str, Any]:
    """Truth's ``dont_know``: the code, the rule that drew it and its share of asked items per role."""
    roles_ = resp["role"].astype(str)
    return {
        "code": int(cast(int, model.dk_code)),  # a Don't-know frame implies a code
        "rule": (
            f"each asked, answered item of a non-straight-lining respondent is replaced by Don't know with "
            f"probability {_DK_BASE} + role term {_DK_ROLE} + {_DK_LEADER_FREQ} for leaders on frequency "
            f"and count items + {_DK_PAST} on the items about earlier partnerships"
        ),
        "n_cells": int(dkf.to_numpy().sum()),
        "share_of_asked_by_role": {
            r: float(
                dkf[roles_ == r].to_numpy().sum()
                / max(1, int(model.asked[model.roles.index(r)].sum()) * int((roles_ == r).sum()))
            )
            for r in model.roles
            if (roles_ == r).any()
        },
    }


def _instrument_entry(inst: Instrument) -> str:
    """The ``instrument:`` line of study.yaml: a bundled version by its number, else the file."""
    from .instrument import _VERSION_FILES, _bundled_path

    bundled = _VERSION_FILES.get(inst.version)
    if bundled and inst.source and Path(inst.source).resolve() == _bundled_path(inst.version).resolve():
        return f'instrument: "{inst.version}"  # a bundled instrument version (or the path of a YAML file)\n'
    if inst.source:
        return f"instrument: {json.dumps(str(inst.source))}\n"
    return "instrument: null  # the bundled default instrument\n"


def _study_yaml(seed: int, waves: tuple[str, ...], instrument_line: str) -> str:
    return (
        "# Study configuration for the simulated sample (written by assetinv.simulate).\n"
        "# File names are relative to this file.\n"
        f"title: Asset Inventory sample network (simulated, seed {seed})\n"
        "simulated: true  # invented data: every report page says so in a banner\n"
        "responses: responses.csv\n"
        "roster: roster.csv\n"
        "schools: schools.csv\n"
        "codings: codings.csv\n" + instrument_line + "min_n: 5\n"
        "min_response_rate: 0.5\n"
        f"seed: {seed}\n"
        f"baseline: {waves[0]}\n"
        f"followup: {waves[-1]}\n"
    )


def _fmt(x: float, nd: int = 2) -> str:
    return f"{x:.{nd}f}"


def _truth_md(st: Study, inst: Instrument) -> str:
    """TRUTH.md: the generating model and the true values of a study, section by section."""
    t = st.truth
    m = t["model"]
    L = [
        *_md_intro(t),
        *_md_design(t, inst),
        *_md_latent_model(m),
        *_md_item_model(m),
        *_md_true_values(t),
        *_md_school_tables(t),
        *_md_codings(t),
        *_md_dont_know(t),
        *_md_reference(),
    ]
    return "\n".join(L) + "\n"


def _md_intro(t: dict[str, Any]) -> list[str]:
    """The title and the generator line of TRUTH.md."""
    L: list[str] = []
    a = L.append
    a("# TRUTH: how this sample was generated\n")
    a(
        f"Written by `{t['generator']}` with seed {t['seed']} (instrument version {t['instrument_version']}). "
        "Everything here is also in `truth.json` (machine-readable, 6 decimals). "
        "The data are **simulated**: the schools, people and quotes are invented.\n"
    )
    return L


def _md_district_items(inst: Instrument) -> str:
    """TRUTH.md's sentence on the items district staff answer, read from the instrument."""
    if "district" not in inst.roles:
        return ""
    asked = [("district" in tuple(rs)) for rs in inst.items["roles"]]
    if all(asked):
        return "District staff answer every item."
    if "district" not in inst.forms:  # 1.0.0: one form, some items' roles leave district staff out
        ids = ", ".join(f"`{i}`" for i, a in zip(inst.items["id"], asked) if not a)
        return (
            f"District staff are not asked the items whose `roles` exclude them ({ids}), "
            "so those cells are always blank."
        )
    doms = [d for d in inst.domain_ids if not inst.asked(d, "district")]
    names = _and_list([inst.domain_short(d)[:1].lower() + inst.domain_short(d)[1:] for d in doms])
    ids = ", ".join(f"`{d}`" for d in doms)
    skipped = f" and are not asked the {names} domain{'s' * (len(doms) > 1)} ({ids})" if doms else ""
    return (
        f"District staff answer only the district form ({sum(asked)} of the {len(asked)} items){skipped}, "
        "so their cells for the other items are always blank."
    )


def _and_list(words: list[str]) -> str:
    """``a``, ``a and b``, ``a, b and c`` (empty for no words)."""
    return " and ".join(words) if len(words) < 3 else f"{', '.join(words[:-1])} and {words[-1]}"


def _md_design(t: dict[str, Any], inst: Instrument) -> list[str]:
    """TRUTH.md's Design section: sizes, roles, data-quality problems and the roster."""
    L: list[str] = []
    a = L.append
    a("## Design\n")
    d = t["design"]
    a(
        f"- {d['n_schools']} schools in {d['n_districts']} districts, waves {', '.join(d['waves'])} "
        f"(a year apart); about {d['respondents_per_school']} respondents per school and wave "
        f"({d['n_rows']} response rows from {d['n_persons']} people; {d['n_linked']} follow-up rows "
        f"are the same person as at the previous wave: a linked panel share of {d['linked_share']})."
    )
    a(
        f"- Leaders make up about {d['leader_share']:.0%} of a school's respondents (2-4 per school), "
        f"and about {d['district_staff_per_district']} district staff per district answer each wave. "
        "District staff are recorded with `school` = the district id (e.g. `D1`) and `role` = "
        f"`district`: they are reported at district level only. {_md_district_items(inst)}".rstrip()
    )
    a(
        f"- Data-quality problems: {d['missing_rate']:.0%} of answers missing completely at random "
        f"(among respondents who are neither straight-liners nor partial), {d['straightliner_rate']:.0%} "
        f"straight-liners (the same answer everywhere, including the reverse-keyed items), "
        f"{d['partial_rate']:.0%} partial responses (only the first 1-2 domains answered), and speeders "
        "(`duration_sec` < 120; most straight-liners plus about 1% of others). Their ids are listed in "
        "`truth.json` under `data_quality`."
    )
    lr = d["low_response_example"]
    a(
        f"- Roster: teacher response rates drawn from 60-93%, leaders and district staff nearly all "
        f"respond; {lr['school']} teachers at {lr['wave']} have a low rate (about {lr['target_rate']:.0%}) "
        "as a suppression example.\n"
    )
    return L


def _md_latent_model(m: dict[str, Any]) -> list[str]:
    """TRUTH.md's Latent model section: the formula, the parameter table and both correlation tables."""
    doms = m["domains"]
    L: list[str] = []
    a = L.append
    a("## Latent model\n")
    a("For respondent *i* of school *s*, domain *d*, wave *t* (0 = baseline, 1 = follow-up):\n")
    a(
        "```\ntheta[i,d,t] = mu[d] + u[s,d] + gamma[role,d] + t * g[s,d] + e[i,d]\n"
        "u[s,.] ~ MVN(0, Sigma_school)      e[i,.] ~ MVN(0, Sigma_resp)      "
        "g[s,d] ~ N(growth_mean[d], growth_sd[d])\n```\n"
    )
    a(
        "A linked respondent keeps the same `e` in both waves. District staff use the mean `u` and `g` of "
        "their district's schools.\n"
    )
    a(
        "| domain | mu | school SD | respondent SD | leader offset | district offset | growth mean | growth SD |"
    )
    a("|---|---|---|---|---|---|---|---|")
    for k in doms:
        a(
            f"| {k} | {_fmt(m['mu'][k])} | {_fmt(m['school_sd'][k])} | {_fmt(m['resp_sd'][k])} | "
            f"{_fmt(m['role_offset']['leader'][k])} | {_fmt(m['role_offset']['district'][k])} | "
            f"{_fmt(m['growth_mean'][k])} | {_fmt(m['growth_sd'][k])} |"
        )
    a("")
    for title, key in (
        ("School-effect correlations (Sigma_school)", "school_cor"),
        ("Respondent-effect correlations (Sigma_resp)", "resp_cor"),
    ):
        a(f"{title}:\n")
        a("| | " + " | ".join(doms) + " |")
        a("|---|" + "---|" * len(doms))
        for r in doms:
            a(f"| {r} | " + " | ".join(_fmt(m[key][r][c]) for c in doms) + " |")
        a("")
    return L


def _md_item_model(m: dict[str, Any]) -> list[str]:
    """TRUTH.md's Item model section: the graded response model and the item parameter table."""
    L: list[str] = []
    a = L.append
    a("## Item model (graded response, Samejima 1969)\n")
    a(
        "```\ny*[i,j] = mu[d] + b[j] + a[j] * (theta[i,d] - mu[d]) + psi[j] * z,   z ~ N(0,1)\n"
        "x[i,j]  = k  where  k - 0.5 <= y* < k + 0.5, clipped to 1..5\n"
        "stored  = 6 - x for reverse-keyed items (as the respondent marks them)\n```\n"
    )
    a(
        "This is a normal-ogive graded response model with discrimination a/psi and thresholds at "
        "1.5, 2.5, 3.5, 4.5. `std loading` is the standardized loading of y* on theta "
        "(theta SD including the school effect). Reverse-keyed items have 20% more noise.\n"
    )
    a("| item | domain | reverse | a | psi | b | std loading |")
    a("|---|---|---|---|---|---|---|")
    for it in m["items"]:
        a(
            f"| {it['id']} | {it['domain']} | {'yes' if it['reverse'] else ''} | {_fmt(it['a'], 3)} | "
            f"{_fmt(it['psi'], 3)} | {_fmt(it['b'], 3)} | {_fmt(it['std_loading'])} |"
        )
    a("")
    return L


def _md_true_values(t: dict[str, Any]) -> list[str]:
    """The start of TRUTH.md's True values section: alpha, ICC(1), the gap and score correlations."""
    doms = t["model"]["domains"]
    L: list[str] = []
    a = L.append
    a("## True values on the 1-5 score metric\n")
    a(
        "The true mean of a group is the expected domain score (mean of the domain's items after "
        "re-reversing) of a respondent drawn from it, computed analytically from the model: "
        "`E[x_j] = 1 + sum_k Phi((mu_d + b_j + a_j (m_d - mu_d) - k - 0.5) / sqrt(psi_j^2 + a_j^2 sd_d^2))`. "
        "`all` weights teachers and leaders by their numbers in that school and wave (as an observed "
        "school mean does). Data-quality problems are not part of the truth.\n"
    )
    a(
        "Cronbach's alpha (true, Monte-Carlo): "
        + ", ".join(f"{k} {_fmt(v)}" for k, v in t["reliability"]["alpha"].items())
        + ".  "
    )
    a(
        "ICC(1) of teacher domain scores (true, this study's schools): "
        + ", ".join(f"{k} {_fmt(v)}" for k, v in t["icc1"]["values"].items())
        + ".  "
    )
    a(
        "Network leader minus teacher gap at baseline: "
        + ", ".join(f"{k} {v:+.2f}" for k, v in t["leader_teacher_gap"].items())
        + ".\n"
    )
    a(f"Correlations of observed domain scores ({t['correlations']['definition']}):\n")
    a("| | " + " | ".join(doms) + " |")
    a("|---|" + "---|" * len(doms))
    for r in doms:
        a(f"| {r} | " + " | ".join(_fmt(t["correlations"]["score"][r][c]) for c in doms) + " |")
    a("")
    return L


def _md_school_tables(t: dict[str, Any]) -> list[str]:
    """The end of TRUTH.md's True values section: true school means per wave and school growth."""
    doms = t["model"]["domains"]
    waves = t["design"]["waves"]
    L: list[str] = []
    a = L.append
    a("True school means (all respondents; teachers in brackets), per wave:\n")
    a("| school | wave | " + " | ".join(doms) + " |")
    a("|---|---|" + "---|" * len(doms))
    sm = {(r["school"], r["wave"], r["domain"]): r for r in t["school_means"]}
    for sch in [x["school"] for x in t["schools"]]:
        for w in waves:
            a(
                f"| {sch} | {w} | "
                + " | ".join(
                    f"{_fmt(sm[(sch, w, k)]['all'])} ({_fmt(sm[(sch, w, k)]['teacher'])})" for k in doms
                )
                + " |"
            )
    a("")
    a("True school growth on the latent metric (g, per wave step):\n")
    a("| school | name | district | " + " | ".join(doms) + " |")
    a("|---|---|---|" + "---|" * len(doms))
    for s in t["schools"]:
        a(
            f"| {s['school']} | {s['name']} | {s['district']} | "
            + " | ".join(f"{s['growth'][k]:+.2f}" for k in doms)
            + " |"
        )
    a("")
    return L


def _md_codings(t: dict[str, Any]) -> list[str]:
    """TRUTH.md's Interviews and coding section."""
    L: list[str] = []
    a = L.append
    c = t["codings"]
    a("## Interviews and coding\n")
    a(
        f"- {c['n_interviews']} interviews (a teacher group and a leader per school), {c['n_excerpts']} "
        f"excerpts of 1-3 codes each from the instrument codebook; excerpts were written from "
        "templates in the voice of teachers and leaders."
    )
    a(
        f"- Asset versus barrier: an excerpt about a domain is an asset with probability "
        f"logistic({c['asset_logit']}); otherwise it carries a BARRIER code (and often the domain code "
        f"told as a gap). Share of asset excerpts: {c['asset_share']:.0%}."
    )
    a(
        f"- `coder_a` codes every excerpt; `coder_b` double-codes {c['n_double_coded']} "
        f"({c['double_coded_share']:.0%}). For each of coder a's codes coder b drops it with probability "
        f"{c['coder_b_drop_probability']} (using a code of the same group instead with probability "
        f"{c['coder_b_substitute_given_drop']}), and adds an extra code with probability "
        f"{c['coder_b_extra_code_probability']}."
    )
    a(f"- {c['n_exemplary']} excerpts are flagged `exemplary`.")
    if c.get("valence"):
        v = c["valence"]
        a(
            f"- Valence (column `valence`): {v['rule']}. Codings: {v['n_strength_codings']} strength, "
            f"{v['n_barrier_codings']} barrier; coder b recorded the other valence {v['n_coder_b_flips']} times."
        )
    a(
        f"- Personal details for redaction tests (invented; 555 numbers and example.org addresses) are in "
        f"excerpts {', '.join(c['pii']['excerpts'])}; personal names used: {', '.join(c['pii']['names'])}.\n"
    )
    return L


def _md_dont_know(t: dict[str, Any]) -> list[str]:
    """TRUTH.md's Don't know section (none when the instrument has no Don't-know code)."""
    L: list[str] = []
    a = L.append
    if t.get("dont_know"):
        dk = t["dont_know"]
        a("## Don't know / Not applicable\n")
        a(
            f"- Code {dk['code']} in `responses.csv` (read as missing by `read_responses`, counted in "
            f"`n_dont_know`). Rule: {dk['rule']}."
        )
        a(
            f"- {dk['n_cells']} answers are Don't know; share of the items asked of each role: "
            + ", ".join(f"{r} {x:.1%}" for r, x in dk["share_of_asked_by_role"].items())
            + "."
        )
        a(
            "- Don't know is drawn independently of the latent scores, so dropping it as missing does not bias "
            "the true means above; choosing the midpoint instead (as 1.0.0 forced) would pull every school toward 3.\n"
        )
    return L


def _md_reference() -> list[str]:
    """TRUTH.md's Reference section."""
    L: list[str] = []
    a = L.append
    a("## Reference\n")
    a(
        "Samejima, F. (1969). Estimation of latent ability using a response pattern of graded scores. "
        "*Psychometrika Monograph Supplement*, 34(4, Pt. 2), No. 17."
    )
    return L


def write_sample(folder, seed: int = 2026, **kwargs) -> list[Path]:
    """Simulate a study and write it to ``folder``, byte-identically for the same arguments.

    Parameters
    ----------
    folder : str or Path
        Output folder (created if needed).
    seed : int
        Seed passed to :func:`simulate_study`.
    **kwargs
        Any other argument of :func:`simulate_study`.

    Returns
    -------
    list of Path
        ``responses.csv, roster.csv, schools.csv, codings.csv, study.yaml, truth.json, TRUTH.md``.

    Examples
    --------
    >>> import tempfile
    >>> out = write_sample(tempfile.mkdtemp(), seed=3, n_schools=3, n_districts=1)
    >>> [p.name for p in out]
    ['responses.csv', 'roster.csv', 'schools.csv', 'codings.csv', 'study.yaml', 'truth.json', 'TRUTH.md']

    References
    ----------
    See :func:`simulate_study`.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    kwargs["instrument"] = resolve(kwargs.get("instrument"))
    st = simulate_study(seed=seed, **kwargs)
    waves = tuple(st.truth["design"]["waves"])
    out = []

    def csv(df: pd.DataFrame, name: str) -> None:
        p = folder / name
        df.to_csv(p, index=False, lineterminator="\n", encoding="utf-8")
        out.append(p)

    resp = st.responses.drop(columns=["n_dont_know"], errors="ignore")
    if st.dont_know is not None:  # the export holds the Don't-know code, as a survey tool writes it
        code = int(st.truth["dont_know"]["code"])
        for c in st.dont_know.columns:
            resp[c] = resp[c].mask(st.dont_know[c].to_numpy(), code)
    csv(resp, "responses.csv")
    csv(st.roster, "roster.csv")
    csv(st.schools, "schools.csv")
    csv(st.codings, "codings.csv")
    p = folder / "study.yaml"
    p.write_text(
        _study_yaml(seed, waves, _instrument_entry(kwargs["instrument"])), encoding="utf-8", newline="\n"
    )
    out.append(p)
    p = folder / "truth.json"
    p.write_text(
        json.dumps(st.truth, indent=1, sort_keys=True, ensure_ascii=False) + "\n",
        encoding="utf-8",
        newline="\n",
    )
    out.append(p)
    p = folder / "TRUTH.md"
    p.write_text(_truth_md(st, kwargs["instrument"]), encoding="utf-8", newline="\n")
    out.append(p)
    return out
