"""scripts/bench --family: the whole user path on members of the family of demo plants.

For each plant: `demo-data --plant N` (three CSV views in the plant's encoding, and its rule
routings), `import`, `train`, `evaluate --json --ceiling` -- each a child process of the command line,
as a user would type them -- then one table per plant (method x metric, the ceiling included) and a
summary: top-1 of every method, the gap of the model to the ceiling, and whether the model is
ahead of the plain kNN vote and the single nearest item on every metric.

    scripts/bench --family dev            # members 1-10 (development)
    scripts/bench --family held-out       # members 21-25: report an engine on these only
    scripts/bench --family 1,4,7-9 --items 8000 --max-items 2000 --json family.json
"""
from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HEADLINE = ("top1_exact", "top3_hit", "levenshtein", "edit_distance", "jaccard", "run_mdape", "setup_mdape",
            "lot10_mdape")


def parse_members(text: str) -> list[int]:
    """`dev`, `held-out`, or a list such as `1,4,7-9`."""
    from app.demo.family import DEVELOPMENT, HELD_OUT
    aliases = {"dev": list(DEVELOPMENT), "development": list(DEVELOPMENT), "held-out": list(HELD_OUT),
               "heldout": list(HELD_OUT)}
    if text.strip().lower() in aliases:
        return aliases[text.strip().lower()]
    out: list[int] = []
    for part in text.split(","):
        part = part.strip()
        if not part:
            continue
        lo, sep, hi = part.partition("-")
        try:
            out += list(range(int(lo), int(hi) + 1)) if sep else [int(lo)]
        except ValueError:
            raise SystemExit(f"bench --family {text}: {part!r} is not a plant number or range (e.g. 1,4,7-9)") from None
    if not out:
        raise SystemExit(f"bench --family {text}: no plant named")
    return out


def _cli(args: list[str], env: dict) -> str:
    proc = subprocess.run([sys.executable, "-m", "app", *args], env=env, capture_output=True, text=True,
                          encoding="utf-8")
    if proc.returncode != 0:
        raise SystemExit(f"bench --family: routing-ml {' '.join(args)} failed:\n{proc.stderr.strip()}")
    return proc.stdout


def run_plant(member: int, items: int, max_items: int, holdout: float, workdir: Path, env: dict) -> dict:
    """demo-data, import, train and evaluate one member through the command line; the evaluation's JSON."""
    from app.demo.generator import RULE_ROUTINGS
    folder = workdir / f"plant{member}"
    store = workdir / f"plant{member}.sqlite"
    t0 = time.perf_counter()
    _cli(["demo-data", "--plant", str(member), "--items", str(items), "--out", str(folder)], env)
    _cli(["import", "--source", str(folder), "--store", str(store)], env)
    t1 = time.perf_counter()
    _cli(["train", "--store", str(store)], env)
    t2 = time.perf_counter()
    out = _cli(["evaluate", "--store", str(store), "--json", "--max-items", str(max_items), "--holdout",
                str(holdout), "--ceiling", str(folder / f"{RULE_ROUTINGS}.csv")], env)
    result = json.loads(out)
    result["plant"] = member
    result["seconds"] = {"generate_import": t1 - t0, "train": t2 - t1, "evaluate": time.perf_counter() - t2}
    return result


def ahead_everywhere(result: dict, over=("knn_vote", "nearest_item")) -> bool:
    from app.ml.evaluate import LOWER_IS_BETTER
    m = result["methods"]
    return all((m["model"][k] < m[o][k]) if k in LOWER_IS_BETTER else (m["model"][k] > m[o][k])
               for o in over for k in HEADLINE)


def summary(results: list[dict]) -> str:
    """The family table: per plant the top-1 of each method and the ceiling, then every metric's mean."""
    from app.ml.evaluate import CEILING, METHOD_LABELS, METHODS, format_metric
    lines = ["| plant | items held out | model top-1 | kNN vote top-1 | nearest item top-1 | part type top-1 "
             "| ceiling top-1 | gap to ceiling | model ahead of kNN and nearest on every metric |",
             "|---|---|---|---|---|---|---|---|---|"]
    for r in results:
        m = r["methods"]
        ceiling = m.get(CEILING, {}).get("top1_exact")
        gap = r.get("gap_to_ceiling")
        lines.append(f"| {r['plant']} | {r['evaluated_items']:,} | " + " | ".join(
            format_metric("top1_exact", m[k]["top1_exact"]) for k in METHODS)
            + f" | {format_metric('top1_exact', ceiling)} | {'–' if gap is None else f'{gap * 100:+.1f} pts'} | "
            + ("yes" if ahead_everywhere(r) else "NO") + " |")
    from app.cli import EVALUATION_COLUMNS
    label = dict(EVALUATION_COLUMNS)
    lines += ["", f"mean over {len(results)} plant(s):", "",
              "| method | " + " | ".join(label[k] for k in HEADLINE) + " |", "|---" * (len(HEADLINE) + 1) + "|"]
    for method in (*METHODS, CEILING):
        rows = [r["methods"][method] for r in results if method in r["methods"]]
        if not rows:
            continue
        means = []
        for k in HEADLINE:
            vals = [row[k] for row in rows if row.get(k) is not None and not math.isnan(row[k])]
            means.append(format_metric(k, sum(vals) / len(vals)) if vals else "–")
        lines.append(f"| {METHOD_LABELS[method]} | " + " | ".join(means) + " |")
    gaps = [r["gap_to_ceiling"] for r in results if r.get("gap_to_ceiling") is not None]
    if gaps:
        lines += ["", f"model's gap to the ceiling on top-1: mean {sum(gaps) / len(gaps) * 100:.1f} pts, "
                      f"largest {max(gaps) * 100:.1f} pts; ahead of kNN and nearest item on every metric on "
                      f"{sum(ahead_everywhere(r) for r in results)} of {len(results)} plant(s)"]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    from app.cli import format_evaluation
    ap = argparse.ArgumentParser(prog="scripts/bench --family")
    ap.add_argument("--family", required=True, metavar="PLANTS", help="dev, held-out, or e.g. 1,4,7-9")
    ap.add_argument("--items", type=int, default=8000, help="items per plant (about 10 %% are new)")
    ap.add_argument("--max-items", type=int, default=2000, help="held-out items evaluated per plant")
    ap.add_argument("--holdout", type=float, default=0.2)
    ap.add_argument("--workdir", help="keep the plants and stores here (default: a temporary folder)")
    ap.add_argument("--json", metavar="FILE", help="also write every plant's evaluation as JSON")
    args = ap.parse_args(argv)
    members = parse_members(args.family)
    env = dict(os.environ)
    env.pop("ROUTING_ML_STORE", None)
    results = []
    with tempfile.TemporaryDirectory(prefix="routing-ml-family-") as tmp:
        workdir = Path(args.workdir) if args.workdir else Path(tmp)
        workdir.mkdir(parents=True, exist_ok=True)
        for member in members:
            r = run_plant(member, args.items, args.max_items, args.holdout, workdir, env)
            results.append(r)
            secs = r["seconds"]
            print(f"\n## plant {member}  (generate + import {secs['generate_import']:.0f} s, "
                  f"train {secs['train']:.0f} s, evaluate {secs['evaluate']:.0f} s)\n")
            print(format_evaluation(r), flush=True)
    print("\n## the family\n")
    print(summary(results))
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1, ensure_ascii=False), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
