"""assetinv.instrument (under construction)."""
__all__: list[str] = []
