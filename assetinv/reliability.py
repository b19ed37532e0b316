"""assetinv.reliability (under construction)."""
__all__: list[str] = []
