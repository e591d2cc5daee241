"""The Mapping & Export tab (models.py: table models; one module per panel; tab.py assembles them)."""
