"""pytest in notebooks/: run the .ipynb (nbmake); never import the jupytext .py sources as test modules."""
collect_ignore_glob = ["[0-9]*.py"]
