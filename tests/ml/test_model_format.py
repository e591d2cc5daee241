"""A model written by an older or newer version of the program is refused when it is loaded, with a
message saying what to do, not a KeyError at the first prediction."""
from __future__ import annotations

import pytest
from old_models import rewrite_as_newer, rewrite_as_older

from app.ml.model import MODEL_FORMAT
from app.ml.registry import ModelError
from app.services import models
from app.services.prediction import predict_items


def _an_item_without_routing(store) -> str:
    routed = set(store.routed_item_codes().to_list())
    return next(c for c in store.item_codes() if c not in routed)


def test_a_new_model_names_its_format(trained_store):
    assert models.load(trained_store).info["model_format"] == MODEL_FORMAT


def test_a_model_of_an_older_version_says_to_retrain_it(trained_store):
    version = models.active_version(trained_store)
    rewrite_as_older(trained_store.models_dir / version)
    models._cache.clear()
    expected = (f"model {version} was trained by an older version of Routing ML; retrain it in the Training tab "
                f"or with `routing-ml train`")
    with pytest.raises(ModelError) as err:
        predict_items(trained_store, [_an_item_without_routing(trained_store)])
    assert str(err.value) == expected
    with pytest.raises(ModelError, match="older version"):   # nor can it be activated again
        models.activate(trained_store, version)
    models.train(trained_store)                            # retraining, as the message says, mends it
    assert predict_items(trained_store, [_an_item_without_routing(trained_store)]).predictions


def test_a_model_of_a_newer_version_says_so(trained_store):
    version = models.active_version(trained_store)
    rewrite_as_newer(trained_store.models_dir / version, MODEL_FORMAT + 1)
    models._cache.clear()
    with pytest.raises(ModelError, match=rf"model {version} was trained by a newer version of Routing ML "
                                         rf"\(model format {MODEL_FORMAT + 1}"):
        models.load(trained_store)


def test_a_model_folder_of_a_newer_layout_says_so(trained_store):
    import json
    version = models.active_version(trained_store)
    manifest = trained_store.models_dir / version / "manifest.json"
    data = json.loads(manifest.read_text(encoding="utf-8"))
    manifest.write_text(json.dumps(dict(data, format="routing-ml-model/7")), encoding="utf-8")
    models._cache.clear()
    with pytest.raises(ModelError, match=f"model {version} was trained by a newer version of Routing ML"):
        models.load(trained_store)
