"""Deterministic synthetic demo plants (items, routings, shop-floor results) and their writers."""
from app.demo.family import DEVELOPMENT, HELD_OUT, generate_member, plant_seed
from app.demo.generator import RULE_ROUTINGS, DemoPlant, generate, write, write_csv, write_sqlite

__all__ = ["DEVELOPMENT", "HELD_OUT", "RULE_ROUTINGS", "DemoPlant", "generate", "generate_member", "plant_seed",
           "write", "write_csv", "write_sqlite"]
