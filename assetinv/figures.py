"""assetinv.figures (under construction)."""
__all__: list[str] = []
