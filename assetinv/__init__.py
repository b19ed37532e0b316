"""assetinv: analyse an Asset Inventory of schools entering a STEM
professional-learning partnership.

The flow has one module per stage::

    instrument -> io -> reliability -> scoring -> qualitative -> reports

and every public function is available flat from ``assetinv``.
"""
from __future__ import annotations

from ._version import __version__  # noqa: F401

from .errors import DataError, Problem  # noqa: F401
from .privacy import MIN_INTERVIEWS, MIN_N, complementary_suppress, suppress  # noqa: F401
from .privacy import *  # noqa: F401,F403
from .disclosure import *  # noqa: F401,F403
from .instrument import *  # noqa: F401,F403
from .io import *  # noqa: F401,F403
from .crosswalk import *  # noqa: F401,F403
from .simulate import *  # noqa: F401,F403
from .reliability import *  # noqa: F401,F403
from .agreement import *  # noqa: F401,F403
from .scoring import *  # noqa: F401,F403
from .supports import *  # noqa: F401,F403
from .pilot import *  # noqa: F401,F403
from .qualitative import *  # noqa: F401,F403
from .figures import *  # noqa: F401,F403
from .item_detail import *  # noqa: F401,F403
from .crosswalk_qda import *  # noqa: F401,F403
from .structure import *  # noqa: F401,F403
from .study_check import *  # noqa: F401,F403
from .ids import *  # noqa: F401,F403
from .redaction import *  # noqa: F401,F403
from .safe_input import *  # noqa: F401,F403
from .safe_tables import *  # noqa: F401,F403
from .outdir import *  # noqa: F401,F403
from .ordinal import *  # noqa: F401,F403
from .planning import *  # noqa: F401,F403
