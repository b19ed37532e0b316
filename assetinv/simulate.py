"""assetinv.simulate (under construction)."""
__all__: list[str] = []
