"""assetinv.agreement (under construction)."""
__all__: list[str] = []
