"""Collection rules for the whole repository (the README's command passes ``--doctest-modules``).

The doctests are those of the package; ``notebooks/`` is collected only for its ``.ipynb`` files (nbmake):
a notebook's paired ``.py`` source must not be imported as a module, which would run it.
"""
collect_ignore_glob = ["notebooks/*.py", "notebooks/**/*.py"]
