"""The shared first cell of the tutorial notebooks: display options, the study, its config and instrument.

Every notebook in ``notebooks/`` starts with the same few steps: set pandas' display options so tables are
readable, find the study (the bundled sample, or the folder holding your own ``study.yaml``), read its
configuration and load the instrument it names. :func:`setup` does them in one call, so a notebook's first
code cell holds one line of set-up and the narrative stays with the analysis. Like the rest of the
notebooks' code, it computes no statistics.

References
----------
``notebooks/README.md`` (the notebooks and how to run them); ``docs/input_layout.md`` (``study.yaml``).
"""
from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

import pandas as pd

from .instrument import Instrument, load_instrument
from .io import read_config
from .report import default_data_dir

__all__ = ["Study", "set_display", "setup"]

#: The pandas display options the notebooks use (wide tables, long text cells such as quotes and readings).
DISPLAY_OPTIONS = {"display.max_columns": 30, "display.max_colwidth": 120, "display.width": 160}


class Study(NamedTuple):
    """What a notebook needs to start: the study folder, its config and instrument, the minimum group size.

    A named tuple, so a notebook may write ``data_dir, config, instrument, MIN_N = setup()``.
    """

    data_dir: Path
    config: dict
    instrument: Instrument
    min_n: int


def set_display() -> None:
    """Set pandas' display options for notebook tables (:data:`DISPLAY_OPTIONS`).

    Returns
    -------
    None

    Examples
    --------
    >>> set_display()
    >>> pd.get_option("display.max_colwidth")
    120
    """
    for key, value in DISPLAY_OPTIONS.items():
        pd.set_option(key, value)


def setup(data_dir: str | Path | None = None, *, quiet: bool = False) -> Study:
    """Set the display options, read the study's ``study.yaml`` and load its instrument.

    Parameters
    ----------
    data_dir : str, Path or None
        The folder holding your ``study.yaml``. ``None`` (the default) uses the bundled sample data, found
        from any working directory (:func:`assetinv.report.default_data_dir`).
    quiet : bool
        Do not print the study's title and instrument line.

    Returns
    -------
    Study
        ``data_dir`` (a ``Path``), ``config`` (as :func:`assetinv.read_config` returns it, file paths
        resolved against ``data_dir``), ``instrument`` (the one the config names; the bundled default when it
        names none) and ``min_n`` (the smallest group whose numbers may be shown).

    Raises
    ------
    DataError
        When the folder has no ``study.yaml`` or the file is not valid (from :func:`assetinv.read_config`).

    Examples
    --------
    >>> data_dir, config, instrument, MIN_N = setup(quiet=True)
    >>> (data_dir / "study.yaml").exists(), MIN_N == config["min_n"]
    (True, True)
    """
    set_display()
    folder = default_data_dir() if data_dir is None else Path(data_dir)
    config = read_config(folder / "study.yaml")
    instrument = load_instrument(config["instrument"])
    min_n = int(config["min_n"])
    if not quiet:
        print(config["title"])
        print(f"instrument {instrument.name} v{instrument.version}; suppression minimum {min_n} respondents")
    return Study(folder, config, instrument, min_n)
