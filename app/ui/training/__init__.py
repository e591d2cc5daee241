"""The Training tab: the data and its quality, feature weights and training, the model registry and
each version's evaluation. `tab.py` assembles the panels; each panel is its own module."""
from app.ui.training.tab import TrainingTab

__all__ = ["TrainingTab"]
