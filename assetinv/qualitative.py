"""assetinv.qualitative (under construction)."""
__all__: list[str] = []
