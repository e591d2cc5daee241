"""The Prediction tab: choose or describe an item (or paste many), see similar items and candidate
routings, edit one as the engineer's own routing and save it. `tab.py` assembles the parts."""
from app.ui.prediction.tab import PredictionTab

__all__ = ["PredictionTab"]
