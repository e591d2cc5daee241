"""Routing ML: proposes routings for new items from similar items and shop-floor results."""
__version__ = "0.1.0"
