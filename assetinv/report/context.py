"""The inputs of a report run: :class:`ReportContext` and reading a study folder.

:func:`read_study` reads ``study.yaml`` and every file it names once;
:func:`assetinv.report.pipeline.load_context` then runs the analyses into the
same context. Nothing here renders or analyses anything.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import pandas as pd

from ..checksums import file_sha256
from ..errors import DataError, Problem
from ..ids import natural_key
from ..instrument import load_instrument
from ..io import read_config, read_responses, read_roster, read_schools, response_files
from ..outdir import school_file_names
from ..privacy import MIN_N
from ..qualitative import read_codings
from ..simulate import write_sample

__all__ = ["ReportContext", "default_data_dir", "read_study", "resolve_inputs", "school_file_name"]

SAMPLE_SEED = 2026


@dataclass
class ReportContext:
    """Everything a report needs, loaded and computed once per run.

    Attributes
    ----------
    data_dir : Path
        Folder holding the inputs.
    config : dict
        The study config (``study.yaml``) as read by :func:`assetinv.io.read_config`.
    min_n : int
        Suppression minimum in force.
    seed : int or None
        Seed recorded in the config (provenance).
    instrument : Instrument
        The survey instrument.
    schools : DataFrame
        ``school, district, name`` sorted by school.
    responses, roster, codings : DataFrame
        The tidy inputs (``codings`` may be empty when there are no interviews).
    inputs : list of dict
        ``file``, ``sha256`` and ``bytes`` of every input file.
    tables : dict of str to DataFrame
        Every table shown in any report, network-wide and tidy (one row per
        school x domain x ...). School reports show slices of these. Written to
        ``tables/<name>.csv`` and one XLSX sheet each.
    results : dict
        Other computed objects (figures inputs, texts) keyed by name.
    """

    data_dir: Path
    config: dict
    min_n: int
    seed: int | None
    instrument: Any
    schools: pd.DataFrame
    responses: pd.DataFrame
    roster: pd.DataFrame
    codings: pd.DataFrame
    inputs: list[dict]
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    results: dict[str, Any] = field(default_factory=dict)
    config_file: str | None = None

    @property
    def school_ids(self) -> list[str]:
        """The study's school ids in natural order (S2 before S10)."""
        key = ("_school_ids", id(self.schools), len(self.schools))
        found = self.results.get("_school_ids")
        if found is None or found[0] != key:
            found = self.results["_school_ids"] = (
                key,
                sorted(self.schools["school"].astype(str), key=natural_key),
            )
        return list(found[1])

    def _school_column(self, column: str) -> dict[str, str]:
        """``{school id: value}`` of one column of the schools file (first row of an id; blanks left out).

        Built once per context and kept in ``results`` (a lookup per call would cost a scan of every school,
        which grows with the square of the network in the pages that name every school).
        """
        key = f"_schools_{column}"
        stamp = (id(self.schools), len(self.schools))
        cached = self.results.get(key)
        if cached is not None and cached[0] == stamp:
            return cached[1]
        found: dict[str, str | None] = {}
        if column in self.schools:
            for sid, value in zip(self.schools["school"].astype(str), self.schools[column]):
                if sid not in found:
                    found[sid] = None if pd.isna(value) else str(value)
        named = {k: v for k, v in found.items() if v is not None}
        self.results[key] = (stamp, named)
        return named

    def school_name(self, school: str) -> str:
        """The school's name (its id when the schools file gives none)."""
        return self._school_column("name").get(str(school), str(school))

    def school_district(self, school: str) -> str | None:
        """The school's district id, or None."""
        return self._school_column("district").get(str(school))


def school_file_name(ctx: ReportContext, school: str) -> str:
    """The report file name (without ``.html``) of a school: unique among the study's ids (:mod:`assetinv.outdir`)."""
    names = ctx.results.get("_school_files")
    if names is None:
        names = ctx.results["_school_files"] = school_file_names(ctx.school_ids)
    return names[str(school)]


@lru_cache(maxsize=1)
def _simulated_sample_dir() -> Path:
    folder = Path(tempfile.mkdtemp(prefix="assetinv-sample-"))
    write_sample(folder, seed=SAMPLE_SEED)
    return folder


def default_data_dir() -> Path:
    """The bundled sample data folder, found from any working directory.

    Looks for ``data/study.yaml`` at the root of the source tree the package
    is installed from (``Path(assetinv.__file__).parents[1] / "data"``); when
    absent (e.g. a wheel install), simulates the sample (seed 2026) into a
    temporary folder once per process.

    Returns
    -------
    Path
        A folder holding ``study.yaml`` and the files it names.

    Examples
    --------
    >>> (default_data_dir() / "study.yaml").exists()
    True
    """
    repo_data = Path(__file__).resolve().parents[2] / "data"
    if (repo_data / "study.yaml").is_file():
        return repo_data
    return _simulated_sample_dir()


def resolve_inputs(data: str | os.PathLike | None, config: str | os.PathLike | None) -> tuple[Path, Path]:
    """Return (data_dir, config_path) or raise DataError naming what is missing."""
    if data is None and config is None:
        data_dir = default_data_dir()
    elif data is None:
        data_dir = Path(config).resolve().parent  # type: ignore[arg-type]
    else:
        data_dir = Path(data)
    config_path = Path(config) if config is not None else data_dir / "study.yaml"
    checks = (
        (
            data_dir.exists(),
            data_dir,
            "the data folder does not exist",
            "pass --data with the folder holding study.yaml, responses.csv, roster.csv, schools.csv "
            "(and codings.csv), or omit --data to use the bundled sample",
        ),
        (data_dir.is_dir(), data_dir, "is not a folder", "pass --data a folder"),
        (
            config_path.is_file(),
            config_path,
            "the study config is missing",
            "add study.yaml to the data folder (see docs/reports.md; `assetinv simulate FOLDER` "
            "writes an example) or pass --config",
        ),
    )
    for ok, path, message, fix in checks:
        if not ok:
            raise DataError(Problem(file=str(path), message=message, fix=fix))
    return data_dir.resolve(), config_path.resolve()


def read_study(
    data_dir: str | os.PathLike | None = None,
    *,
    min_n: int | None = None,
    config: str | os.PathLike | None = None,
) -> ReportContext:
    """Read the study config and every input file once (no analysis yet).

    Parameters
    ----------
    data_dir : path, optional
        Folder with ``study.yaml`` and the files it names (default: the bundled
        sample, see :func:`default_data_dir`).
    min_n : int, optional
        Suppression minimum (default: the config's ``min_n``, else 5).
    config : path, optional
        Study config YAML (default ``data_dir/study.yaml``).

    Returns
    -------
    ReportContext
        With the tidy inputs and their checksums; ``tables`` and ``results``
        are still empty (:func:`assetinv.report.pipeline.load_context` fills them).

    Raises
    ------
    DataError
        When a file is missing or invalid (the message names file, row, column
        and fix).

    Examples
    --------
    >>> ctx = read_study()
    >>> ctx.school_ids[:2]
    ['S01', 'S02']
    """
    data_path, config_path = resolve_inputs(data_dir, config)
    cfg = read_config(config_path)
    instrument = load_instrument(cfg.get("instrument"))
    missing = [k for k in ("responses", "roster", "schools") if cfg.get(k) is None]
    if missing:
        raise DataError(
            [
                Problem(
                    file=str(config_path),
                    message=f"no {k} file: '{k}' is not set and {k}.csv is not in {config_path.parent}",
                    fix=f"add {k}.csv to the data folder or set '{k}: FILE' in study.yaml",
                    column=k,
                )
                for k in missing
            ]
        )
    responses = read_responses(cfg["responses"], instrument)
    roster = read_roster(cfg["roster"], instrument)
    schools = read_schools(cfg["schools"])
    if cfg.get("codings") is not None:
        codings = read_codings(
            cfg["codings"],
            instrument,
            allow_external=cfg.get("codings_allow_external"),
            **(cfg.get("codings_crosswalk") or {}),
        )
    else:
        codings = pd.DataFrame(
            columns=["excerpt_id", "interview_id", "school", "role", "coder", "code", "text"]
        )
    n_min = int(min_n if min_n is not None else (cfg.get("min_n") or MIN_N))
    if n_min < 1:
        raise DataError(
            Problem(file="--min-n", message=f"must be at least 1 (got {n_min})", fix="e.g. --min-n 5")
        )
    folder = Path(cfg["folder"])
    inputs = []
    for key in ("responses", "roster", "schools", "codings", "instrument"):
        val = cfg.get(key)
        if val is None:
            continue
        bundled = key == "instrument" and isinstance(val, str)  # a bundled version: record the bundled file
        if bundled:
            val = instrument.source
        for pth in response_files(val) if key == "responses" else [Path(val)]:
            try:
                name = str(pth.resolve().relative_to(folder)).replace(os.sep, "/")
            except ValueError:
                name = f"assetinv/data/{pth.name} (bundled)" if bundled else pth.name
            inputs.append(
                {"role": key, "file": name, "sha256": file_sha256(pth), "bytes": pth.stat().st_size}
            )
    inputs.append(
        {
            "role": "config",
            "file": config_path.name,
            "sha256": file_sha256(config_path),
            "bytes": config_path.stat().st_size,
        }
    )
    return ReportContext(
        data_dir=data_path,
        config=cfg,
        min_n=n_min,
        seed=cfg.get("seed"),
        instrument=instrument,
        schools=schools,
        responses=responses,
        roster=roster,
        codings=codings,
        inputs=inputs,
        config_file=config_path.name,
    )
