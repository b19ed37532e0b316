"""assetinv: analyse an Asset Inventory of schools entering a STEM professional-learning partnership.

The layers import one way (see docs/design.md)::

    instrument -> io -> analyses -> report -> cli

and every public function is available flat from ``assetinv``, e.g. ``assetinv.alpha``. Names are
loaded lazily: ``import assetinv`` itself imports no pandas, matplotlib or statsmodels; the first use of
a name imports the one submodule that defines it.

>>> import assetinv
>>> assetinv.MIN_N, assetinv.alpha.__module__
(5, 'assetinv.reliability')

To publish a new name: add it to its module's ``__all__``, to that module's tuple in ``_PUBLIC`` below and
to ``__all__`` (``tests/test_public_api.py`` lists any name that is missing from either).
"""

import importlib as _importlib
import importlib.util as _importlib_util
from typing import Any as _Any

from ._version import __version__ as __version__

# Compact lists (a line per module, not a line per name), kept so by the formatter:
# fmt: off
__all__ = [
    # errors
    "DataError", "Problem",
    # config
    "StudyConfig",
    # privacy
    "MIN_INTERVIEWS", "MIN_N", "MIN_RESPONSE_RATE", "band_count", "complementary_suppress",
    "generalise_roles", "interview_site_reasons", "suppress",
    # instrument
    "Instrument", "Scale", "load_instrument", "resolve", "available_versions", "VALENCES",
    # io
    "read_responses", "read_roster", "read_schools", "read_config", "validate_file", "data_quality",
    "response_files", "looks_missing",
    # crosswalk
    "Crosswalk", "Proposal", "draft_crosswalk",
    # crosswalk_qda
    "CONFIDENT_MARGIN", "CONFIDENT_NAME", "CONFIDENT_SCORE", "CodingsDraft", "draft_codings_crosswalk",
    "is_codings_file", "write_codings_draft",
    # simulate
    "Study", "simulate_study", "write_sample",
    # reliability
    "ReliabilityWarning", "AlphaResult", "OmegaResult", "GroupReliability", "InstrumentReliability", "alpha",
    "alpha_by_group", "omega_total", "group_reliability", "rwg", "rwg_j", "instrument_reliability",
    "DEFAULT_THRESHOLDS",
    # agreement
    "AgreementWarning", "krippendorff_alpha", "cohen_kappa", "gwet_ac1", "percent_agreement", "bootstrap_ci",
    # structure
    "CFAResult", "CFAWarning", "cfa", "domain_invariance", "invariance", "invariance_caution",
    "invariance_sentences",
    # ordinal
    "OrdinalReliability", "PolychoricResult", "domain_ordinal_reliability", "ordinal_reliability", "polychoric",
    # planning
    "SurveyPlan", "detectable_change", "plan_survey", "respondents_needed",
    # pilot
    "pilot_item_review", "dont_know_mask",
    # scoring
    "score_domains", "percent_favourable", "summarize", "asset_profile", "perception_gaps",
    "perception_gaps_with_fallback", "change_over_time", "load_playbook", "recommend", "STATUSES",
    # items
    "item_profile",
    # supports
    "WHO_ACTS",
    # item_detail
    "item_distributions",
    # redaction
    "redact", "read_redact_names", "NAME_ALLOWLIST", "NOT_LONE_NAMES", "SENTENCE_STARTERS", "PHONE_REGIONS",
    # qualitative
    "CODING_COLUMNS", "NO_CODE", "read_codings", "validate_codings", "check_codings", "read_qdpx",
    "write_qdpx", "read_qdc", "write_qdc", "code_tallies", "cooccurrence", "coder_agreement", "disagreements",
    "exemplar_quotes", "joint_display",
    # disclosure
    "RELEASE_LEDGER", "SECONDARY_REASON", "AuditResult", "audit_ledger", "build_ledger", "compare_releases",
    "count_bounds", "ledger_cells", "protect_publication", "release_ledger",
    # study_check
    "Finding", "StudyCheck", "print_findings", "validate_study",
    # ids
    "ID_COLUMNS", "id_sort_key", "natural_key",
    # safe_input
    "MAX_UNCOMPRESSED_BYTES", "MAX_COMPRESSION_RATIO", "SafeZip", "resolve_external_source",
    # safe_tables
    "FORMULA_TRIGGERS", "neutralise_cell", "neutralise_frame", "append_safe_row",
    # outdir
    "MANIFEST_NAME", "Terminated", "school_file_names", "read_manifest", "check_out", "make_temp", "commit",
    "remove_own_temps", "terminate_as_interrupt",
    # figures
    "heatmap_network", "school_profile_plot", "change_plot", "gap_plot", "item_distribution_plot",
    "joint_display_figure", "STATUS_STYLE", "ReportFigure",
]

#: Submodule (relative, dotted for a subpackage) -> the public names it defines, in ``__all__``'s order.
_PUBLIC: dict[str, tuple[str, ...]] = {
    "errors": ("DataError", "Problem",),
    "config": ("StudyConfig",),
    "privacy": ("MIN_INTERVIEWS", "MIN_N", "MIN_RESPONSE_RATE", "band_count", "complementary_suppress",
                "generalise_roles", "interview_site_reasons", "suppress",),
    "instrument": ("Instrument", "Scale", "load_instrument", "resolve", "available_versions", "VALENCES",),
    "io": ("read_responses", "read_roster", "read_schools", "read_config", "validate_file", "data_quality",
           "response_files", "looks_missing",),
    "crosswalk": ("Crosswalk", "Proposal", "draft_crosswalk",),
    "crosswalk_qda": ("CONFIDENT_MARGIN", "CONFIDENT_NAME", "CONFIDENT_SCORE", "CodingsDraft",
                      "draft_codings_crosswalk", "is_codings_file", "write_codings_draft",),
    "simulate": ("Study", "simulate_study", "write_sample",),
    "reliability": ("ReliabilityWarning", "AlphaResult", "OmegaResult", "GroupReliability",
                    "InstrumentReliability", "alpha", "alpha_by_group", "omega_total", "group_reliability",
                    "rwg", "rwg_j", "instrument_reliability", "DEFAULT_THRESHOLDS",),
    "agreement": ("AgreementWarning", "krippendorff_alpha", "cohen_kappa", "gwet_ac1", "percent_agreement",
                  "bootstrap_ci",),
    "structure": ("CFAResult", "CFAWarning", "cfa", "domain_invariance", "invariance", "invariance_caution",
                  "invariance_sentences",),
    "ordinal": ("OrdinalReliability", "PolychoricResult", "domain_ordinal_reliability", "ordinal_reliability",
                "polychoric",),
    "planning": ("SurveyPlan", "detectable_change", "plan_survey", "respondents_needed",),
    "pilot": ("pilot_item_review", "dont_know_mask",),
    "scoring": ("score_domains", "percent_favourable", "summarize", "asset_profile", "perception_gaps",
                "perception_gaps_with_fallback", "change_over_time", "load_playbook", "recommend", "STATUSES",),
    "items": ("item_profile",),
    "supports": ("WHO_ACTS",),
    "item_detail": ("item_distributions",),
    "redaction": ("redact", "read_redact_names", "NAME_ALLOWLIST", "NOT_LONE_NAMES", "SENTENCE_STARTERS",
                  "PHONE_REGIONS",),
    "qualitative": ("CODING_COLUMNS", "NO_CODE", "read_codings", "validate_codings", "check_codings",
                    "read_qdpx", "write_qdpx", "read_qdc", "write_qdc", "code_tallies", "cooccurrence",
                    "coder_agreement", "disagreements", "exemplar_quotes", "joint_display",),
    "disclosure": ("RELEASE_LEDGER", "SECONDARY_REASON", "AuditResult", "audit_ledger", "build_ledger",
                   "compare_releases", "count_bounds", "ledger_cells", "protect_publication",
                   "release_ledger",),
    "study_check": ("Finding", "StudyCheck", "print_findings", "validate_study",),
    "ids": ("ID_COLUMNS", "id_sort_key", "natural_key",),
    "safe_input": ("MAX_UNCOMPRESSED_BYTES", "MAX_COMPRESSION_RATIO", "SafeZip", "resolve_external_source",),
    "safe_tables": ("FORMULA_TRIGGERS", "neutralise_cell", "neutralise_frame", "append_safe_row",),
    "outdir": ("MANIFEST_NAME", "Terminated", "school_file_names", "read_manifest", "check_out", "make_temp",
               "commit", "remove_own_temps", "terminate_as_interrupt",),
    "figures": ("heatmap_network", "school_profile_plot", "change_plot", "gap_plot", "item_distribution_plot",
                "joint_display_figure", "STATUS_STYLE", "ReportFigure",),
}
# fmt: on

#: Public name -> the submodule that defines it (what ``__getattr__`` imports).
_SOURCE: dict[str, str] = {name: module for module, names in _PUBLIC.items() for name in names}


def __getattr__(name: str) -> _Any:
    """Import the submodule that defines ``name`` on first use (PEP 562).

    Submodules themselves (``assetinv.reports``) are imported on first attribute access too.
    """
    module = _SOURCE.get(name)
    if module is not None:
        value = getattr(_importlib.import_module(f".{module}", __name__), name)
        globals()[name] = value  # later look-ups skip __getattr__
        return value
    if not name.startswith("__") and _importlib_util.find_spec(f"{__name__}.{name}") is not None:
        return _importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    """The public API and ``__version__``, for ``dir(assetinv)`` and tab completion."""
    return sorted([*__all__, "__version__"])
