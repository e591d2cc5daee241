"""Deterministic synthetic demo plant (items, routings, shop-floor results) and its writers."""
from app.demo.generator import DemoPlant, generate, write, write_csv, write_sqlite

__all__ = ["DemoPlant", "generate", "write", "write_csv", "write_sqlite"]
