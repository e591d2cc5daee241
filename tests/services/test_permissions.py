"""The permission matrix: every service call that acts, changes something or reveals the trail or the
roles, with every role. Allowed: the work runs. Refused: PermissionDenied naming the action and the
role it needs, nothing done, and the refusal in the audit trail. Plus the refusals a user meets."""
from __future__ import annotations

import importlib
import inspect
import pkgutil

import pytest
from sqlalchemy import select

import app.services
from app.domain.access import PermissionDenied, User, role_rank
from app.services import audit, models
from app.services.audit import AuditFilter
from app.services.permissions import ACTIONS
from app.store.db import audit_event

# What the issue gives each role: engineer (predict, edit, save), approver (also approve or reject),
# admin (also import, train, activate and roll back models, settings, roles, the audit trail).
POLICY = {
    "predict": "engineer", "routing.save": "engineer",
    "routing.approve": "approver", "routing.reject": "approver", "export.routings": "engineer",
    "profile.edit": "admin",
    "data.import": "admin", "model.train": "admin", "model.evaluate": "admin", "model.activate": "admin",
    "model.rollback": "admin", "settings.change": "admin", "roles.read": "admin", "roles.set": "admin",
    "audit.read": "admin", "audit.export": "admin", "audit.verify": "admin", "audit.checkpoint": "admin",
}

# Public services that take the store but are not role-checked, and why.
UNCHECKED = {
    "audit.record": "writes the trail itself (every check records through it)",
    "audit.events_of": "the model history's own read of the trail, inside checked services",
    "catalog.search_items": "reads the item master to browse it",
    "catalog.item_details": "reads one item of the item master",
    "catalog.item_codes": "lists the item master's codes",
    "stores.is_open": "says whether a store was opened, without touching it",
    "drafts.upload": "saves through routings.save_routing, which is checked",
    "drafts.forget": "forgets a file on this PC",
    "drafts.draft_key": "names a draft's file",
    "drafts.pending": "lists the files on this PC",
    "first_start.needs_demo": "asks whether the store is empty",
    "first_start.build_demo": "runs import and train, which are checked",
    "identity.sign_in": "is how a user gets a role",
    "identity.signed_in_user": "signs the OS user in",
    "models.load_training_data": "reads the store's copy of the views, inside checked services",
    "models.new_version": "names a version, inside train",
    "models.list_models": "lists the registry",
    "models.active_version": "names the active version",
    "models.active_model_change": "names the active version and who activated it, once it changed",
    "models.activation_history": "reads the history, inside rollback",
    "models.rollback_target": "names the version a rollback would activate",
    "models.save_metrics": "stores an evaluation's figures, inside evaluate",
    "evaluation.stored_rule_routings": "reads a demo plant's rule routings the import kept, inside evaluate",
    "models.load": "loads a model for prediction, inside checked services",
    "quality.quality_report": "reads the store's copy of the views",
    "roles.role_source": "reads where roles come from (needed to sign in)",
    "roles.resolve": "finds a user's role at sign-in",
    "routings.load_saved": "reads a saved routing",
    "routings.list_saved": "lists saved routings",
    "routings.check_new_item_code": "reads the item master and saved routings to vet a code, before a checked save",
    "routings.find_saved": "finds saved routings to export, inside the checked export",
    "routings.find_saved_rows": "the same saved routings as the store's rows, read inside the checked export",
    "site_settings.get": "reads a shared setting",
    "site_settings.store_id": "names the store",
    "audit_seal.checkpoint_dir": "names the checkpoint folder",
    "permissions.check": "is the check itself",
    "audit.update_text_index": "keeps the trail's text index current, revealing nothing",
    "roles.role_source_checked": "reads where roles come from and whether that setting counts",
    "roles.recheck": "reads a signed-in user's role again, inside the check",
    "roles.sign_unsigned": "signs what the trail already vouches for, at an admin's sign-in",
    "site_settings.signed": "reads a shared setting with its signature",
    "trust.store_signers": "reads the store's list of signer keys",
    "trust.trust": "names the keys whose signatures count",
    "trust.own_key": "reads (or makes) the user's own key in their keyring",
    "trust.register": "lists a key made for a checked action (checkpoint, role change)",
    "trust.signing_key": "gets the key a checked action signs with",
}


def _services():
    for info in pkgutil.iter_modules(app.services.__path__):
        module = importlib.import_module(f"app.services.{info.name}")
        for name, fn in vars(module).items():
            if name.startswith("_") or not inspect.isfunction(fn) or fn.__module__ != module.__name__:
                continue
            if "store" in inspect.signature(fn).parameters:
                yield f"{info.name}.{name}", fn


CHECKED = sorted((name, fn) for name, fn in _services() if hasattr(fn, "required_action"))


def test_every_service_that_touches_the_store_is_checked_or_named_as_harmless():
    unknown = [name for name, fn in _services() if not hasattr(fn, "required_action") and name not in UNCHECKED]
    assert unknown == [], f"decide: @permissions.requires(...) or add to UNCHECKED with a reason: {unknown}"


def test_the_roles_need_what_the_issue_says():
    assert {a: r for a, (r, _) in ACTIONS.items()} == POLICY
    assert {fn.required_action for _, fn in CHECKED} <= set(POLICY)


@pytest.mark.parametrize("role", ["", "engineer", "approver", "admin"])
@pytest.mark.parametrize("name, service", CHECKED, ids=[n for n, _ in CHECKED])
def test_permission_matrix(name, service, role, empty_store, admin, monkeypatch):
    action = service.required_action
    needed = ACTIONS[action][0]
    user = User(f"KSM\\{role or 'temp'}", role, "PC-MATRIX")
    params = inspect.signature(service).parameters
    reached = []
    monkeypatch.setattr(service, "__wrapped__", lambda *a, **k: reached.append(a or k) or "done")
    kwargs = {p: "X" for p, spec in params.items() if spec.default is inspect.Parameter.empty and p != "store"}
    kwargs.update(store=empty_store, user=user)
    if role_rank(role) >= role_rank(needed):
        assert service(**kwargs) == "done" and reached
        return
    with pytest.raises(PermissionDenied) as refused:
        service(**kwargs)
    assert not reached
    assert f"(action {action})" in str(refused.value) and f"needs the {needed} role" in str(refused.value)
    with empty_store.engine.connect() as conn:   # not through audit.query, which this test may have stubbed
        denial = conn.execute(select(audit_event).where(audit_event.c.outcome == "denied")).one()
    assert (denial.user_name, denial.role, denial.action, denial.host) == (user.name, role, action, "PC-MATRIX")


def test_an_engineer_who_trains_is_refused_with_the_reason_and_it_is_recorded(trained_store, engineer, admin):
    before = models.list_models(trained_store)
    with pytest.raises(PermissionDenied, match=r"KSM\\kim \(engineer\) may not train a model: it needs the admin role"):
        models.train(trained_store, user=engineer)
    assert models.list_models(trained_store) == before
    (denial,) = audit.query(trained_store, AuditFilter(outcome="denied"), user=admin)
    assert (denial.user_name, denial.action, denial.host) == (engineer.name, "model.train", "PC-ENG-07")


def test_training_start_and_end_and_predictions_are_recorded(trained_store, admin, engineer):
    from app.services.prediction import predict_items
    version = models.train(trained_store, user=admin)
    actions = [(e.action, e.target) for e in audit.query(trained_store, AuditFilter(user=admin.name), user=admin)]
    assert actions[:3] == [("model.activate", version), ("model.train", version), ("model.train_start", "")]
    code = trained_store.item_codes()[0]
    batch = predict_items(trained_store, [code, "NO-SUCH"], user=engineer)
    (e,) = audit.query(trained_store, AuditFilter(action="predict"), user=admin)
    assert (e.user_name, e.target) == (engineer.name, "2 items")
    assert e.detail["model_version"] == batch.model_version == version and e.detail["items"] == [code, "NO-SUCH"]


def test_a_failed_import_is_recorded_as_failed(empty_store, admin, tmp_path):
    from app.domain.routing import RoutingError
    from app.services.importing import import_source
    with pytest.raises(RoutingError):
        import_source(empty_store, str(tmp_path / "missing.sqlite"), user=admin)
    (e,) = audit.query(empty_store, AuditFilter(action="data.import"), user=admin)
    assert e.outcome == "failed" and "missing.sqlite" in e.detail["error"]
