"""assetinv.io (under construction)."""
__all__: list[str] = []
