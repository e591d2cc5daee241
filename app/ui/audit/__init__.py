"""The Audit tab (admins only): the trail filtered and paged in the database, a detail pane, export
and Verify. `tab.py` assembles the panels; `models.py` holds the paged table model."""
