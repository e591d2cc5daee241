"""The command line: the same services the window calls, headless.

Every user error is one line on stderr naming the file, view, column or item, with exit code 2;
nothing is half-written.
"""
from __future__ import annotations

import argparse
import json
import logging
import os
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager, redirect_stdout
from pathlib import Path

from app import __version__

log = logging.getLogger("app.cli")


def _store(args):
    from app.store.db import Store
    return Store(args.store)


def cmd_demo_data(args) -> int:
    from app.demo import family, generator
    from app.domain.routing import RoutingError
    from app.services.progress import TerminalProgress
    if args.plant < 0:
        raise RoutingError(f"--plant {args.plant}: a plant of the family is 0 (the classic demo plant) or more")
    if args.items < 1:
        raise RoutingError(f"--items {args.items}: a plant needs at least one item")
    plant = family.generate_member(args.plant, args.items, args.seed, TerminalProgress())
    out = generator.write(plant, Path(args.out))
    ceiling = (f"; rule routings (the ceiling, for 'evaluate --ceiling') in "
               f"{out / (generator.RULE_ROUTINGS + '.csv') if out.is_dir() else str(out) + ' table ' + generator.RULE_ROUTINGS}")
    encoding = f", CSV in {'CP949' if plant.encoding == 'cp949' else 'UTF-8 with BOM'}" if out.is_dir() else ""
    print(f"demo plant {args.plant} written to {args.out}: {plant.items.height:,} items, "
          f"{plant.routings.height:,} routing operations, {plant.results.height:,} work results{encoding}{ceiling}")
    if args.describe:
        print("\n".join(plant.description))
    return 0


def cmd_import(args) -> int:
    from app.services.importing import import_source
    from app.services.progress import TerminalProgress
    names = {"items": args.items_view, "routings": args.routing_view, "results": args.results_view}
    store, user = _signed_in(args)
    report = import_source(store, args.source, names, TerminalProgress(), user=user,
                           allow_shrink=args.allow_shrink)
    for w in report.warnings:
        print(f"warning: {w}", file=sys.stderr)
    print(f"imported {report.source}: " + ", ".join(f"{k} {v:,}" for k, v in report.counts.items()))
    return 0


def cmd_train(args) -> int:
    from app.ml.features import WEIGHT_PRESETS, EncoderParams
    from app.services import models
    from app.services.progress import TerminalProgress
    weights = dict(WEIGHT_PRESETS[args.preset])
    weights.update(_parse_weights(args.weight))
    store, user = _signed_in(args)
    version = models.train(store, EncoderParams(weights=weights), TerminalProgress(), user=user,
                           activate=not args.no_activate)
    print(version)
    return 0


def cmd_models(args) -> int:
    from app.services import models
    store = _store(args)
    if args.activate:
        store, user = _signed_in(args, store)
        models.activate(store, args.activate, user=user)
        print(f"activated {args.activate}")
        return 0
    if args.rollback:
        store, user = _signed_in(args, store)
        print(f"rolled back to {models.rollback(store, user=user)}")
        return 0
    rows = models.list_models(store)
    if args.json:
        print(json.dumps(rows, default=str, ensure_ascii=False, indent=1))
        return 0
    if not rows:
        print("no model trained yet; run 'routing-ml train'")
    for m in rows:
        met = (m.get("metrics") or {}).get("methods", {}).get("model", {})
        top1 = f"top-1 {met['top1_exact']:.1%}" if met else "not evaluated"
        print(f"{'*' if m['active'] else ' '} {m['version']}  {m['created_at']:%Y-%m-%d %H:%M}  "
              f"{m['created_by'] or '':<12} items {m['summary']['indexed_items']:,}  {top1}")
    return 0


def cmd_predict(args) -> int:
    from app.ml.model import PredictOptions
    from app.services.prediction import predict_items, read_codes_file
    codes = list(args.item or [])
    if args.items_file:
        codes += read_codes_file(args.items_file)
    if not codes:
        raise SystemExit("routing-ml predict: give --item CODE or --items-file FILE")
    opts = PredictOptions(top_k=args.top_k, candidates=args.candidates, threshold=args.threshold)
    store, user = _signed_in(args)
    batch = predict_items(store, codes, opts, args.model, user=user)
    if args.json:
        print(json.dumps(batch.to_json(), ensure_ascii=False, indent=1))
    else:
        _print_batch(batch)
    for e in batch.errors:
        print(f"error: {e['message']}", file=sys.stderr)
    return 0 if batch.predictions or not batch.errors else 2


def _print_batch(batch) -> None:
    print(f"model {batch.model_version}")
    for p in batch.predictions:
        print(f"\n=== {p.ITEM_CD} ===")
        for w in p.warnings:
            print(f"  ! {w}")
        print("  similar items:")
        for s in p.similar_items:
            print(f"    {s.ITEM_CD:<16} {s.similarity:6.3f}  {s.PART_TYPE:<14} {'; '.join(s.matching)}")
        for c in p.candidates:
            total = sum(o.SETUP_TIME + o.RUN_TIME for o in c.operations)
            if c.repaired:
                print(f"  candidate {c.rank}: score {c.score:.3f}, the routing of {', '.join(c.based_on[:3])}"
                      f"{' …' if len(c.based_on) > 3 else ''} with the operations the learned rules add or drop")
            else:
                print(f"  candidate {c.rank}: score {c.score:.3f}, from {len(c.support_items)} item(s): "
                      f"{', '.join(c.support_items[:5])}{' …' if len(c.support_items) > 5 else ''}")
            for o in c.operations:
                print(f"    {o.PROC_SEQ:>4} {o.JOB_CD:<7} {o.JOB_NM:<10} {o.RES_CD:<9} {o.INSIDE_FLAG} "
                      f"setup {o.SETUP_TIME:8.2f}  run {o.RUN_TIME:8.3f} [{o.RUN_TIME_P10:.3f}–{o.RUN_TIME_P90:.3f}] "
                      f"min/pc  n={o.SAMPLE_COUNT:<4} {o.TIME_SOURCE}{'  ! ' + o.WARNING if o.WARNING else ''}")
                if o.REASON:
                    print(f"           why: {o.REASON}")
            print(f"    total setup + run for one piece: {total:.2f} min")


def cmd_evaluate(args) -> int:
    from app.ml.features import WEIGHT_PRESETS, EncoderParams
    from app.services.evaluation import evaluate
    from app.services.progress import TerminalProgress
    params = None
    if args.weight or args.preset:
        weights = dict(WEIGHT_PRESETS[args.preset or "balanced"])
        weights.update(_parse_weights(args.weight))
        params = EncoderParams(weights=weights)
    store, user = _signed_in(args)
    result = evaluate(store, args.holdout, args.seed, args.max_items, params=params,
                      progress=TerminalProgress(), user=user, ceiling=args.ceiling)
    if args.json:
        print(json.dumps(result, indent=1, ensure_ascii=False))
    else:
        print(format_evaluation(result))
    return 0


EVALUATION_COLUMNS = (("top1_exact", "top-1 exact"), ("top3_hit", "top-3 hit"), ("levenshtein", "Levenshtein sim."),
                      ("edit_distance", "edit distance"), ("jaccard", "op-set Jaccard"), ("run_mdape", "run MdAPE"),
                      ("run_within_25", "run ±25 %"), ("setup_mdape", "setup MdAPE"),
                      ("setup_within_25", "setup ±25 %"), ("lot10_mdape", "lot-10 total MdAPE"),
                      ("lot10_within_25", "lot-10 ±25 %"))


def format_evaluation(result: dict) -> str:
    """Every method (the ceiling too, when known) by every metric, as a Markdown table."""
    from app.ml.evaluate import CEILING, METHOD_LABELS, format_metric
    head = ("| method | " + " | ".join(label for _, label in EVALUATION_COLUMNS) + " |\n"
            + "|---" * (len(EVALUATION_COLUMNS) + 1) + "|")
    lines = [f"held out {result['evaluated_items']:,} routed items (stratified by PART_TYPE, "
             f"holdout {result['holdout']:.0%}, seed {result['seed']}); trained on {result['train_items']:,}", "", head]
    for m, r in result["methods"].items():
        lines.append(f"| {METHOD_LABELS.get(m, m)} | "
                     + " | ".join(format_metric(k, r.get(k)) for k, _ in EVALUATION_COLUMNS) + " |")
    lines.append("")
    lines.append("model ahead of all three baselines on every sequence metric: "
                 + ("yes" if result["model_beats_baselines"] else "NO"))
    if CEILING in result["methods"]:
        lines.append(f"plant's ceiling (rule routings from {result.get('ceiling_source', '?')}, "
                     f"{result['methods'][CEILING].get('items', 0):,} items): top-1 "
                     f"{result['methods'][CEILING]['top1_exact']:.1%}; the model is "
                     f"{result['gap_to_ceiling'] * 100:.1f} points below it")
    else:
        lines.append("plant's ceiling: not known (only a demo plant's rule routings tell it; see --ceiling)")
    return "\n".join(lines)


def _parse_weights(pairs: list[str] | None) -> dict[str, float]:
    from app.domain.routing import RoutingError
    from app.ml.features import GROUPS
    out = {}
    for pair in pairs or []:
        name, _, value = pair.partition("=")
        if name not in GROUPS:
            raise RoutingError(f"--weight {pair}: unknown attribute group {name!r} (known: {', '.join(GROUPS)})")
        try:
            out[name] = float(value)
        except ValueError:
            raise RoutingError(f"--weight {pair}: {value!r} is not a number") from None
    return out


# ---- identity, roles, approvals and the audit trail -------------------------------------------
def _signed_in(args, store=None):
    """The store and this process's OS user, signed in (recorded) as the window would."""
    from app.services.identity import sign_in
    store = store or _store(args)
    return store, sign_in(store, via="cli")


def parse_time(value: str, now=None):
    """A time typed on the command line, as the trail's UTC: `today`, `yesterday`, `30m`, `12h`, `7d`,
    or a local date / date and time (2026-12-01, "2026-12-01 14:30")."""
    from datetime import datetime, timedelta

    from app.domain.routing import RoutingError
    from app.services.audit import to_utc
    now = now or datetime.now()
    v = value.strip().lower()
    if v in ("today", "yesterday"):
        day = now.replace(hour=0, minute=0, second=0, microsecond=0)
        return to_utc(day - timedelta(days=1 if v == "yesterday" else 0))
    m = re.fullmatch(r"(\d+)\s*([mhd])", v)
    if m:
        n, unit = int(m.group(1)), {"m": "minutes", "h": "hours", "d": "days"}[m.group(2)]
        return to_utc(now - timedelta(**{unit: n}))
    try:
        return to_utc(datetime.fromisoformat(value.strip()))
    except ValueError:
        raise RoutingError(f"time {value!r}: write today, yesterday, 30m, 12h, 7d, 2026-12-01 or "
                           f"\"2026-12-01 14:30\"") from None


def _audit_filter(args):
    from app.services.audit import AuditFilter
    return AuditFilter(since=parse_time(args.since) if args.since else None,
                       until=parse_time(args.until) if args.until else None,
                       user=args.user or "", action=args.action or "", outcome=args.outcome or "",
                       text=args.text or "")


def _event_json(e) -> dict:
    from app.services.audit import to_local
    return {"seq": e.seq, "at_utc": e.at.isoformat(timespec="seconds") + "Z",
            "at_local": to_local(e.at).isoformat(sep=" ", timespec="seconds"), "user": e.user_name,
            "role": e.role, "machine": e.host, "action": e.action, "target": e.target, "outcome": e.outcome,
            "detail": e.detail, "hash": e.hash}


def cmd_audit_list(args) -> int:
    from app.services import audit
    store, user = _signed_in(args)
    events = audit.query(store, _audit_filter(args), limit=args.limit, user=user)
    if args.json:
        print(json.dumps([_event_json(e) for e in events], ensure_ascii=False, indent=1))
        return 0
    if not events:
        print("no events match")
    for e in events:
        d = _event_json(e)
        detail = json.dumps(e.detail, ensure_ascii=False) if e.detail else ""
        print(f"{e.seq:>8}  {d['at_local']}  {e.user_name} ({e.role or 'no role'})  {e.host}  {e.action}  "
              f"{e.target}  {e.outcome}  {detail}".rstrip())
    return 0


def cmd_audit_export(args) -> int:
    from app.services import audit
    from app.services.progress import TerminalProgress
    store, user = _signed_in(args)
    result = audit.export(store, args.out, _audit_filter(args), user=user, progress=TerminalProgress())
    print(f"{audit.events(result.rows)} written to {result.path}")
    for cp in result.checkpoints:
        print(f"checkpoint {cp}")
    if result.checkpoint_error:
        print(f"warning: no checkpoint: {result.checkpoint_error}", file=sys.stderr)
    return 0


def cmd_audit_verify(args) -> int:
    from app.services import audit_seal
    from app.services.progress import TerminalProgress
    store, user = _signed_in(args)
    result = audit_seal.verify(store, Path(args.checkpoint) if args.checkpoint else None, user=user,
                               progress=TerminalProgress())
    print(result.summary())
    if result.sealed_legacy_rows:
        print(f"{result.sealed_legacy_rows:,} events from before the chain were sealed when the store was upgraded: "
              f"they are proven unchanged since then")
    for problem in result.problems[1:20]:
        print(f"  also: {problem.message}")
    for w in result.warnings:
        print(f"warning: {w}", file=sys.stderr)
    for cp in result.checkpoint_written:
        print(f"checkpoint {cp}")
    return 0 if result.intact else 3


def cmd_audit_checkpoint(args) -> int:
    from app.services import audit_seal
    store, user = _signed_in(args)
    for cp in audit_seal.write_checkpoint(store, user=user, folder=Path(args.folder) if args.folder else None):
        print(cp)
    return 0


def cmd_audit_key(args) -> int:
    """This user's signing key for the store, to pin (made if there is none yet); needs no role."""
    from app.domain.access import User
    from app.services import trust
    from app.services.identity import machine_name, os_account
    store = _store(args)
    account, login = os_account()
    me = User(account, "", machine_name(), login)
    key = trust.own_key(store, me, create=True, register_it=False)
    pins = trust.load_pins()
    fp = trust.fingerprint(trust.public_raw(key))
    print(f"{trust.public_text(key)}  # {account} on {me.host}, key {fp}")
    state = (f"pinned in {pins.origin}" if fp in pins.keys else
             f"not pinned (pinned: {len(pins.keys)} key(s) in {pins.origin})" if pins.pinned else "no key is pinned on this PC")
    print(f"{state}; to pin it, IT adds the first word of the line above to {trust.PINS_VALUE} under "
          f"HKLM\\Software\\RoutingML (or {trust.PINS_FILE} in the program folder): docs/deploy.md", file=sys.stderr)
    return 0


def cmd_roles_bind_password(args) -> int:
    """Keep the directory's service-account password in this Windows user's keyring on this PC."""
    import getpass

    from app.domain.access import User
    from app.domain.routing import RoutingError
    from app.services import audit, credentials, roles
    from app.services.identity import machine_name, os_account
    store = _store(args)
    source = roles.role_source(store)
    cfg = source.directory
    if source.kind != "directory" or cfg is None or cfg.bind != "simple":
        raise RoutingError("roles in this store do not come from a directory with a service account (simple "
                           "bind); nothing to keep")
    password = getpass.getpass(f"password of {cfg.bind_user}: ") if sys.stdin.isatty() else sys.stdin.readline()
    password = password.rstrip("\r\n")
    if not password:
        raise RoutingError("no password given; nothing was kept")
    from app.services import directory
    directory.lookup(cfg, "routing-ml-bind-check", password)   # a wrong password or server is said now
    credentials.set_secret(credentials.ldap_key(cfg.server, cfg.bind_user), password)
    account, login = os_account()
    audit.record(store, "settings.change", "directory bind password",
                 {"to": {"bind_user": cfg.bind_user, "server": cfg.server}, "kept": "in this user's keyring on this PC"},
                 User(account, "", machine_name(), login), log_if_locked=True)
    print(f"the password of {cfg.bind_user} is kept in the OS keyring of {account} on {machine_name()}")
    return 0


def cmd_roles_list(args) -> int:
    from app.services import roles
    store, user = _signed_in(args)
    rows = roles.list_roles(store, user=user)
    source = roles.role_source(store)
    if args.json:
        print(json.dumps([{"user": r.user_name, "role": r.role, "source": r.source, "granted_by": r.granted_by,
                           "granted_at": str(r.granted_at or ""), "expires_at": str(r.expires_at or ""),
                           "groups": r.groups, "counts": not r.problem, "problem": r.problem} for r in rows],
                         ensure_ascii=False, indent=1))
        return 0
    print(f"role source: {source.kind}; users not listed: {source.default_role or 'no role'}")
    for r in rows:
        extra = f"granted by {r.granted_by} {r.granted_at:%Y-%m-%d %H:%M}" if r.source == "store" and r.granted_at \
            else f"from the directory, cached until {r.expires_at:%Y-%m-%d %H:%M} UTC" if r.expires_at else ""
        print(f"{r.user_name:<28} {r.role or 'no role':<9} {extra}"
              f"{'  DOES NOT COUNT: ' + r.problem if r.problem else ''}")
    return 0


def cmd_roles_set(args) -> int:
    from app.services import roles
    store, user = _signed_in(args)
    done = roles.set_role(store, args.user, args.role, user=user)
    print(f"{done.user_name} is now {done.role}")
    return 0


def cmd_routings(args) -> int:
    from app.services import routings
    store, user = _signed_in(args)
    if args.action == "list":
        rows = routings.list_saved(store)
        for r in rows:
            if args.status and r.status != args.status:
                continue
            review = f"  {r.reviewed_by}: {r.review_comment}" if r.reviewed_by and r.review_comment else ""
            print(f"{r.ITEM_CD:<16} {r.status:<10} rev {r.revision:<3} {r.updated_by} {r.updated_at:%Y-%m-%d %H:%M}"
                  f"{review}")
        return 0
    if not args.item:
        raise SystemExit(f"routing-ml routings {args.action}: name the item (ITEM_CD)")
    fn = routings.approve if args.action == "approve" else routings.reject
    saved = fn(store, args.item, args.comment or "", user=user)
    print(f"routing of {saved.ITEM_CD} {saved.status} (revision {saved.revision})")
    return 0

def cmd_export(args) -> int:
    from app.services.export import selection as sel
    from app.services.export.profiles import load_profile
    from app.services.export.service import ExportOptions, ExportTarget, export
    from app.services.progress import TerminalProgress
    store, user = _signed_in(args)
    profile = load_profile(store, args.profile).profile   # a wrong name fails before any prediction
    target = ExportTarget(args.format, args.out, schema=args.schema, create_tables=args.create_tables)
    if args.saved:
        flt = sel.SavedFilter(tuple(args.status or ()), _parse_day(args.since, "--since"),
                              _parse_day(args.until, "--until", end=True), args.saved_by, args.approved_only)
        selection = sel.from_saved(store, flt)
    else:
        from app.services.prediction import predict_items, read_codes_file
        codes = list(args.items or [])
        if args.items_file:
            codes += read_codes_file(args.items_file)
        if not codes:
            from app.domain.routing import RoutingError
            raise RoutingError("export: the items file names no item code" if args.items_file
                               else "export: give --items CODE …, --items-file FILE or --saved")
        selection = sel.from_batch(predict_items(store, codes, progress=TerminalProgress(), user=user), user=user)
    result = export(store, profile, selection, target,
                    ExportOptions(replace=args.replace, dry_run=args.dry_run, skip_invalid=args.skip_invalid),
                    user=user, progress=TerminalProgress())
    if args.json:
        print(json.dumps(result.to_json(), ensure_ascii=False, indent=1))
        return 0
    _print_export(result)
    return 0


def _print_export(result) -> None:
    head = "dry run, nothing written — would write" if result.dry_run else "exported"
    print(f"{head} {result.routings:,} routing(s) through profile {result.profile} to {result.target}:")
    for table, rows in result.written.items():
        print(f"  {table:<24} {rows:>9,} rows")
    for f in result.files:
        print(f"  file {f}")
    if result.replaced:
        print(f"  replaced {len(result.replaced):,} routing(s) the target held already")
    if result.warning_count:
        print(f"  {result.warning_count:,} warning(s), e.g. {result.warnings[0].describe()}")
    for s in result.skipped:
        print(f"  left out {s.ITEM_CD}{'/' + s.ROUT_NO if s.ROUT_NO else ''}: {s.reason}")
    if result.dry_run:
        for table, rows in result.first_rows.items():
            if not rows:
                continue
            print(f"\n  first rows of {table}:")
            filled = [c for c in rows[0] if any(r[c] != "" for r in rows)]
            print("    " + " | ".join(filled))
            for r in rows:
                print("    " + " | ".join(r[c] for c in filled))


def _parse_day(text: str | None, flag: str, end: bool = False):
    from datetime import datetime, timedelta

    from app.domain.routing import RoutingError
    if not text:
        return None
    try:
        day = datetime.strptime(text, "%Y-%m-%d")
    except ValueError:
        raise RoutingError(f"{flag} {text}: write the date as YYYY-MM-DD") from None
    return day + timedelta(days=1) - timedelta(microseconds=1) if end else day


def cmd_profiles(args) -> int:
    from app.services.export import profiles as prof
    store, user = _signed_in(args)
    if args.action == "list":
        for sp in prof.list_profiles(store):
            counts = ", ".join(f"{t.name} {len(t.columns)}" for t in sp.profile.tables)
            print(f"{sp.profile.name:<16} rev {sp.revision:<3} {sp.updated_by or '':<12} "
                  f"{sp.updated_at:%Y-%m-%d %H:%M}  {counts}")
        return 0
    if args.action == "show":
        print(prof.load_profile(store, _one(args, "show NAME")).profile.dumps(), end="")
        return 0
    if args.action == "import":
        saved = prof.import_profile(store, _one(args, "import FILE"), user=user, replace=args.replace)
        print(f"imported profile {saved.profile.name} (revision {saved.revision})")
        return 0
    if args.action == "export":
        if len(args.names) != 2:
            from app.domain.routing import RoutingError
            raise RoutingError("profiles export: give the profile's NAME and the FILE to write")
        path = prof.export_profile(store, args.names[0], args.names[1])
        print(f"wrote profile {args.names[0]} to {path}")
        return 0
    return 2


def _one(args, usage: str) -> str:
    from app.domain.routing import RoutingError
    if len(args.names) != 1:
        raise RoutingError(f"profiles {usage}: give exactly one")
    return args.names[0]


def cmd_screenshot(args) -> int:
    from app.ui.screenshot import SIZE, parse_size, take_screenshots
    size = parse_size(args.size) if args.size else SIZE
    def clipped(text: str) -> None:
        print(f"cut off: {text}", file=sys.stderr)

    for path in take_screenshots(Path(args.out), store_url=args.store, language=args.language, size=size,
                                 on_clipped=clipped):
        print(path)
    return 0


def cmd_store_schema(args) -> int:
    """The SQL that creates a new store on a server kind, for a database administrator."""
    from app.store.migrate import offline_sql
    sys.stdout.write(offline_sql(args.server))
    return 0


def cmd_gui(args) -> int:
    from app.ui.main import run_gui
    return run_gui(store_url=getattr(args, "store", None))


def build_parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="routing-ml", description="Routing ML — routings for new items from "
                                 "similar items and shop-floor results. Without a command, opens the window.")
    ap.add_argument("--version", action="version", version=f"routing-ml {__version__}")
    ap.add_argument("--self-test", action="store_true", help="check that this installation starts, finds its "
                    "files and predicts (offscreen); exit 0 when it does, 1 naming what failed")
    ap.add_argument("--store", help="store: a SQLite file or SQLAlchemy URL (default: ROUTING_ML_STORE or the "
                    "user's data folder)")
    ap.add_argument("--start-time", action="store_true", help="open the window offscreen on an empty "
                    "temporary store, print how long after the process started it appeared (with the CPU "
                    "time and the load) and exit; scripts/bench --start runs it")
    sub = ap.add_subparsers(dest="command")

    def store_arg(p):
        p.add_argument("--store", default=argparse.SUPPRESS, help="store file or SQLAlchemy URL")

    def out_arg(p):
        p.add_argument("--out", dest="out_file", metavar="FILE",
                       help="write the output to FILE (UTF-8) instead of the screen; replaced only when complete")

    p = sub.add_parser("store-schema", help="print the SQL that creates a new store's tables (for a database "
                       "administrator who creates them instead of the program)")
    p.add_argument("--server", choices=["mssql", "postgresql", "sqlite"], default="mssql")
    p.set_defaults(func=cmd_store_schema)

    p = sub.add_parser("demo-data", help="write a synthetic seal plant as the three ERP views")
    p.add_argument("--items", type=int, default=20000)
    p.add_argument("--plant", type=int, default=0, metavar="N",
                   help="member N of the family of demo plants (0, the default, is the classic demo plant; "
                        "README: development members 1-10, held-out members 21-25)")
    p.add_argument("--seed", type=int, default=None,
                   help="other items of the same plant (default: plant 0 uses 7, member N its own seed)")
    p.add_argument("--describe", action="store_true", help="print the plant's rules (not for held-out members "
                                                             "while developing)")
    p.add_argument("--out", required=True, help="a .sqlite file or a folder for CSV files")
    p.set_defaults(func=cmd_demo_data)

    p = sub.add_parser("import", help="copy a source's three views into the store")
    p.add_argument("--source", required=True, help="SQLite file, CSV/XLSX folder, .mdb/.accdb, or mssql+pyodbc:// URL")
    p.add_argument("--items-view")
    p.add_argument("--routing-view")
    p.add_argument("--results-view")
    p.add_argument("--allow-shrink", action="store_true",
                   help="accept a view with fewer than half the rows of the store's copy")
    store_arg(p)
    p.set_defaults(func=cmd_import)

    p = sub.add_parser("train", help="train a new model version (and activate it)")
    p.add_argument("--preset", default="balanced", choices=["balanced", "geometry", "equal"])
    p.add_argument("--weight", action="append", metavar="GROUP=W", help="override one attribute group's weight")
    p.add_argument("--no-activate", action="store_true")
    store_arg(p)
    p.set_defaults(func=cmd_train)

    p = sub.add_parser("models", help="list model versions; activate or roll back")
    g = p.add_mutually_exclusive_group()
    g.add_argument("--activate", metavar="VERSION")
    g.add_argument("--rollback", action="store_true")
    p.add_argument("--json", action="store_true")
    out_arg(p)
    store_arg(p)
    p.set_defaults(func=cmd_models)

    p = sub.add_parser("predict", help="predict routings for items")
    p.add_argument("--item", nargs="+", metavar="CODE")
    p.add_argument("--items-file", metavar="FILE", help="a text or CSV file of item codes (first column)")
    # 15 = app.ml.model.PredictOptions.top_k, as the window: the learned rules were trained with it
    # (a test keeps the two equal; importing the model here would slow every command's start)
    p.add_argument("--top-k", type=int, default=15, help="similar items to draw on (default %(default)s)")
    p.add_argument("--candidates", type=int, default=5)
    p.add_argument("--threshold", type=float, default=0.0)
    p.add_argument("--model", metavar="VERSION")
    p.add_argument("--json", action="store_true")
    out_arg(p)
    store_arg(p)
    p.set_defaults(func=cmd_predict)

    p = sub.add_parser("evaluate", help="hold items out and score the model against baselines")
    p.add_argument("--holdout", type=float, default=0.2)
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--max-items", type=int, default=3000, help="evaluate at most this many held-out items")
    p.add_argument("--preset", choices=["balanced", "geometry", "equal"])
    p.add_argument("--weight", action="append", metavar="GROUP=W")
    p.add_argument("--ceiling", metavar="FILE",
                   help="a demo plant's rule routings (DEMO_RULE_ROUTINGS.csv, its folder or SQLite file) to score "
                        "the plant's ceiling; default: those the last import brought along")
    p.add_argument("--json", action="store_true")
    out_arg(p)
    store_arg(p)
    p.set_defaults(func=cmd_evaluate)

    def filter_args(p):
        p.add_argument("--since", metavar="T", help="today, yesterday, 30m, 12h, 7d, or a local date/time")
        p.add_argument("--until", metavar="T")
        p.add_argument("--user", metavar="U", help="an account exactly as recorded (e.g. KSM\\kim)")
        p.add_argument("--action", metavar="A", help="an action, or a family ending in '.' (model.)")
        p.add_argument("--outcome", choices=["ok", "denied", "failed"])
        p.add_argument("--text", metavar="X", help="text in the target, details or machine name")

    p = sub.add_parser("audit", help="the audit trail (admins): list, export, verify, checkpoint")
    asub = p.add_subparsers(dest="audit_command", required=True)
    a = asub.add_parser("list", help="the newest events, filtered")
    filter_args(a)
    a.add_argument("--limit", type=int, default=200)
    a.add_argument("--json", action="store_true")
    out_arg(a)
    store_arg(a)
    a.set_defaults(func=cmd_audit_list)
    a = asub.add_parser("export", help="write the (filtered) events to .csv or .xlsx, with a signed checkpoint")
    a.add_argument("--out", required=True, metavar="FILE")
    filter_args(a)
    store_arg(a)
    a.set_defaults(func=cmd_audit_export)
    a = asub.add_parser("verify", help="check the chain; exit 0 intact, 3 broken (naming the first bad row)")
    a.add_argument("--checkpoint", metavar="FILE", help="a checkpoint file or folder (default: the checkpoint folder)")
    store_arg(a)
    a.set_defaults(func=cmd_audit_verify)
    a = asub.add_parser("checkpoint", help="sign the chain's newest row into the checkpoint folder")
    a.add_argument("--folder", metavar="DIR")
    store_arg(a)
    a.set_defaults(func=cmd_audit_checkpoint)
    a = asub.add_parser("key", help="print this user's signing key for the store, for IT to pin (docs/deploy.md)")
    store_arg(a)
    a.set_defaults(func=cmd_audit_key)

    p = sub.add_parser("roles", help="users and their roles (admins)")
    rsub = p.add_subparsers(dest="roles_command", required=True)
    r = rsub.add_parser("list")
    r.add_argument("--json", action="store_true")
    out_arg(r)
    store_arg(r)
    r.set_defaults(func=cmd_roles_list)
    r = rsub.add_parser("set", help="give USER (as the OS names them, e.g. KSM\\kim) a role")
    r.add_argument("user", metavar="USER")
    r.add_argument("role", metavar="ROLE", choices=["engineer", "approver", "admin"])
    store_arg(r)
    r.set_defaults(func=cmd_roles_set)
    r = rsub.add_parser("bind-password", help="keep the directory service account's password in this user's "
                                              "keyring on this PC (read from the terminal or stdin)")
    store_arg(r)
    r.set_defaults(func=cmd_roles_bind_password)

    p = sub.add_parser("routings", help="saved routings: list, approve, reject (approvers)")
    p.add_argument("action", choices=["list", "approve", "reject"])
    p.add_argument("item", nargs="?", metavar="ITEM_CD")
    p.add_argument("--comment", metavar="C", help="why (required to reject)")
    p.add_argument("--status", choices=["draft", "submitted", "approved", "rejected"], help="list: only this status")
    store_arg(p)
    p.set_defaults(func=cmd_routings)

    p = sub.add_parser("export", help="write routings to the ERP's tables through a mapping profile")
    p.add_argument("--profile", default="ERP", help="mapping profile (default ERP; see 'routing-ml profiles list')")
    p.add_argument("--format", required=True, choices=["csv", "xlsx", "db"])
    p.add_argument("--out", required=True, metavar="PATH_OR_URL",
                   help="csv: a folder (one TABLE.csv per table); xlsx: a file; db: a .sqlite file, "
                        "postgresql://HOST/DB or mssql://SERVER/DB")
    g = p.add_mutually_exclusive_group(required=True)
    g.add_argument("--items", nargs="+", metavar="CODE", help="predict these items and export each top candidate")
    g.add_argument("--items-file", metavar="FILE", help="a text or CSV file of item codes (first column)")
    g.add_argument("--saved", action="store_true", help="export saved routings (see --status, --since …)")
    p.add_argument("--status", action="append", choices=["draft", "submitted", "approved"],
                   help="with --saved: only this status (repeat for several)")
    p.add_argument("--approved-only", action="store_true", help="with --saved: approved routings only")
    p.add_argument("--since", metavar="YYYY-MM-DD", help="with --saved: saved on or after this day")
    p.add_argument("--until", metavar="YYYY-MM-DD", help="with --saved: saved on or before this day")
    p.add_argument("--saved-by", metavar="USER", help="with --saved: saved by this user")
    p.add_argument("--replace", action="store_true", help="db: replace routings the target holds already "
                   "(same ITEM_CD and ROUT_NO), in the same transaction")
    p.add_argument("--dry-run", action="store_true", help="show per table the rows and the first rows; write nothing")
    p.add_argument("--skip-invalid", action="store_true",
                   help="write the valid routings and list the invalid ones (default: refuse all)")
    p.add_argument("--schema", help="db: the schema of the target tables (default: the login's, dbo on SQL Server)")
    p.add_argument("--create-tables", action="store_true",
                   help="db: make missing target tables with the profile's layout (staging tables)")
    p.add_argument("--json", action="store_true")
    store_arg(p)
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("profiles", help="mapping profiles: list, show, import or export as JSON")
    p.add_argument("action", choices=["list", "show", "import", "export"])
    p.add_argument("names", nargs="*", metavar="NAME_OR_FILE")
    p.add_argument("--replace", action="store_true", help="import: overwrite a profile of the same name")
    store_arg(p)
    p.set_defaults(func=cmd_profiles)

    p = sub.add_parser("screenshot", help="render every tab of the window to PNG files")
    p.add_argument("--out", required=True)
    p.add_argument("--language", choices=["en", "ko"], help="the pictures' language (default: the system's)")
    p.add_argument("--size", help="the window's size in logical pixels, WIDTHxHEIGHT (default 1600x980)")
    store_arg(p)
    p.set_defaults(func=cmd_screenshot)
    return ap


def utf8_when_redirected() -> None:
    """Standard output and error going to a file or pipe are written in UTF-8.

    Windows would use the console's code page there: cp1252 cannot hold Korean (an encoding error
    on English Windows) and cp949 is not what other programs expect. A console keeps its own
    encoding (Python writes to it as Unicode).
    """
    for stream, errors in ((sys.stdout, "strict"), (sys.stderr, "backslashreplace")):
        isatty = getattr(stream, "isatty", None)
        if stream is not None and hasattr(stream, "reconfigure") and not (isatty and isatty()):
            stream.reconfigure(encoding="utf-8", errors=errors)


@contextmanager
def output_to(path: str | None) -> Iterator[None]:
    """Print into `path` (UTF-8) instead of standard output; the file is replaced only when the
    command succeeds, so a failure leaves an earlier file as it was."""
    from app.domain.routing import RoutingError
    from app.files import FolderBusyError, rename_with_retries
    if not path:
        yield
        return
    target = Path(path).expanduser()
    if not target.parent.is_dir():
        raise RoutingError(f"--out {path}: the folder {target.parent} does not exist")
    if target.is_dir():
        raise RoutingError(f"--out {path}: that is a folder; name a file")
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "w", encoding="utf-8", newline="") as fh, redirect_stdout(fh):
            yield
        rename_with_retries(tmp, target, replace=True)
    except FolderBusyError:
        raise RoutingError(f"--out {path}: the file is open in another program (Excel?); close it and "
                           f"run the command again") from None
    except OSError as exc:
        raise RoutingError(f"--out {path}: cannot write the file: {exc.strerror or exc}") from None
    finally:
        tmp.unlink(missing_ok=True)


def _one_line(exc: BaseException) -> str:
    """A message fit for one stderr line: a multi-line message's lines joined by "; "."""
    lines = [re.sub(r"^\s*[-•*]\s+", "", line).strip() for line in str(exc).splitlines()]  # bullets only
    text = ""
    for line in filter(None, lines):
        text += line if not text else (" " if text.endswith(":") else "; ") + line
    return text or type(exc).__name__


class UserNotices(logging.Handler):
    """Collects log records that carry a `user_notice` (an action went on without something, e.g.
    its audit event), to be said on stderr, each once and naming the log file, when the command
    succeeds (a failed command's one-line error is enough)."""

    def __init__(self, log_path: Path):
        super().__init__(logging.WARNING)
        self.log_path, self.notices = log_path, []

    def emit(self, record: logging.LogRecord) -> None:
        notice = getattr(record, "user_notice", None)
        if notice and notice not in self.notices:
            self.notices.append(notice)

    def say(self) -> None:
        for notice in self.notices:
            print(f"warning: {notice} ({self.log_path})", file=sys.stderr)


class WatchedOutput:
    """Standard output that remembers whether writing to it failed: the reader of a pipe went away
    (`routing-ml ... | head`), which Windows reports as EINVAL or EPIPE and Linux as EPIPE."""

    def __init__(self, stream):
        self._stream, self.failed = stream, False

    def write(self, text: str) -> int:
        try:
            return self._stream.write(text)
        except OSError:
            self.failed = True
            raise

    def flush(self) -> None:
        try:
            self._stream.flush()
        except OSError:
            self.failed = True
            raise

    def __getattr__(self, name: str):
        return getattr(self._stream, name)


def _quiet_after_closed_pipe(stdout) -> None:
    """The pipe's reader is gone: what is still buffered goes nowhere, so the interpreter's last
    flush at exit prints no 'Exception ignored … BrokenPipeError'."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):   # not a real file (a test's captured output)
        pass


def main(argv: list[str] | None = None) -> int:
    from app.domain.routing import RoutingError
    from app.logs import setup_logging
    from app.services.progress import Cancelled, end_progress_line

    log_path = setup_logging()
    notices = UserNotices(log_path)
    logging.getLogger("app").addHandler(notices)
    utf8_when_redirected()
    args = build_parser().parse_args(argv)
    if args.self_test:
        from app.selftest import main as self_test
        return self_test()
    if args.start_time:
        from app.selftest import start_time
        return start_time()
    func = getattr(args, "func", cmd_gui)
    real_stdout = sys.stdout
    watched = None
    if real_stdout is not None:      # None: the windowed RoutingML.exe, which has no console
        sys.stdout = watched = WatchedOutput(real_stdout)
    try:
        try:
            with output_to(getattr(args, "out_file", None)):
                code = func(args) or 0
            if sys.stdout is not None:
                sys.stdout.flush()   # here, not at exit: a closed pipe is then noticed below
            notices.say()
            return code
        finally:
            end_progress_line()
    except OSError as exc:
        if watched is None or not watched.failed:
            return _unexpected(exc, log_path)
        # The reader stopped reading (`| head`, `| Select-Object -First 5`): what it read is all it
        # wanted. Nothing is half-written (every change is one transaction), so exit 0, quietly.
        log.info("standard output closed by its reader (%s); output stopped there", exc)
        _quiet_after_closed_pipe(real_stdout)
        return 0
    except RoutingError as exc:
        log.warning("user error: %s", exc)
        print(f"routing-ml: {_one_line(exc)}", file=sys.stderr)
        return 2
    except Cancelled:
        print("routing-ml: cancelled; nothing was changed", file=sys.stderr)
        return 130
    except KeyboardInterrupt:
        print("routing-ml: interrupted; nothing was changed", file=sys.stderr)
        return 130
    except Exception as exc:  # never a traceback on the user's screen: it goes to the log
        return _unexpected(exc, log_path)
    finally:
        if watched is not None and sys.stdout is watched:
            sys.stdout = real_stdout
        logging.getLogger("app").removeHandler(notices)


def _unexpected(exc: BaseException, log_path: Path) -> int:
    log.error("unexpected error", exc_info=exc)
    print(f"routing-ml: unexpected error: {_one_line(exc)} (details in {log_path})", file=sys.stderr)
    return 1
