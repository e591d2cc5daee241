"""A family of synthetic plants, so that nothing is tuned to one demo plant.

Member 0 is the classic demo plant of `app.demo.generator`. Every other member N is drawn from
`plant_seed(N)`: its own part families (from a pool), job-code scheme, routing templates, rules
(thresholds on different dimensions, a yes/no flag, a word in either specification column naming
an outsourced treatment, an interaction of a material group and a size, bought-in items, a short
routing for one item account, an extra assembly step for one seal type), hidden engineers with
their own habits, noise and missing-value rates, and the encoding its CSV files are written in
(UTF-8 with BOM or CP949).

The rules read only what the item master shows (a missing value never meets a condition), and
the engineers are assigned at random, independent of every column. So each item's RULE routing
(written beside the views as DEMO_RULE_ROUTINGS) is the best any predictor can propose: scored
against the routings engineers really wrote, it is the plant's ceiling.

    plant = generate_member(3, 8000)
    write(plant, Path("plant3"))            # three views + DEMO_RULE_ROUTINGS.csv, in CP949 or UTF-8

Development and held-out members are listed in `DEVELOPMENT` and `HELD_OUT` (README, "The family
of demo plants"); an engine is reported only on the held-out ones.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import numpy as np
import polars as pl

from app.demo.generator import (
    DemoPlant, _choice, _conform, _datetime, _digits, _num_text, _pick, _random_codes, _report,
    _starts, generate,
)
from app.domain.schema import (
    INSIDE, ITEM_COLUMNS, ITEM_NUMERIC, OUTSIDE, RESULT_COLUMNS, RESULT_NUMERIC, ROUTING_COLUMNS,
    ROUTING_NUMERIC,
)

DEVELOPMENT = tuple(range(1, 11))          # members an engine may be developed and tuned on
HELD_OUT = tuple(range(21, 26))            # members it is reported on, never looked at while developing
DEFAULT_ITEMS = 8000                       # per member for the family check (about 10 % without routing)


def plant_seed(member: int) -> int:
    """The seed member N is drawn from (member 0, the classic demo plant, uses seed 7)."""
    if member < 0:
        raise ValueError("a plant member is 0 or more")
    return 7 if member == 0 else 1_000 + 7_919 * member


# --------------------------------------------------------------------------------------------
# the pools a member draws from
# --------------------------------------------------------------------------------------------

# key, English name, Korean name, category, setup min, run min/piece at OD 100, OD exponent, mnemonic
OPERATIONS = [
    ("incoming", "INCOMING INSPECTION", "수입검사", "Q", 5, 1.5, 0.3, "IQC"),
    ("cut", "SAWING", "절단", "A", 10, 3.0, 1.0, "SAW"),
    ("laser", "LASER CUTTING", "레이저 절단", "A", 15, 2.0, 1.0, "LSR"),
    ("coil", "SPRING COILING", "스프링 코일링", "A", 30, 0.4, 0.8, "COL"),
    ("mould", "MOULDING", "고무 가류성형", "A", 40, 1.5, 0.8, "MLD"),
    ("trim", "TRIMMING", "트리밍", "A", 10, 0.5, 0.6, "TRM"),
    ("press", "PRESS FORMING", "프레스 성형", "A", 30, 1.2, 1.0, "PRS"),
    ("rough", "CNC ROUGH TURNING", "CNC 황삭", "A", 30, 12.0, 1.2, "TRR"),
    ("rough_h", "HEAVY CNC ROUGH TURNING", "대형 CNC 황삭", "A", 45, 15.0, 1.2, "TRRH"),
    ("heat", "HEAT TREATMENT", "열처리", "H", 20, 2.0, 0.8, "HTR"),
    ("finish", "CNC FINISH TURNING", "CNC 정삭", "A", 30, 10.0, 1.2, "TRF"),
    ("finish_h", "HEAVY CNC FINISH TURNING", "대형 CNC 정삭", "A", 45, 13.0, 1.2, "TRFH"),
    ("mill", "MACHINING CENTRE", "MCT 가공", "A", 40, 8.0, 1.0, "MCT"),
    ("drill", "DRILLING", "드릴 가공", "A", 15, 2.0, 0.6, "DRL"),
    ("midinsp", "IN-PROCESS INSPECTION", "중간검사", "Q", 5, 2.0, 0.5, "IPQ"),
    ("deburr", "DEBURRING", "디버링", "A", 5, 3.0, 0.8, "DBR"),
    ("weld", "WELDING", "용접", "C", 20, 15.0, 1.0, "WLD"),
    ("stress", "STRESS RELIEVING", "응력제거", "H", 30, 1.5, 0.6, "STR"),
    ("osp", "OUTSOURCED TREATMENT", "외주 처리", "H", 0, 0.0, 0.0, "OSP"),   # one per word rule
    ("grind", "GRINDING", "연삭", "B", 20, 6.0, 1.2, "GRD"),
    ("grind_h", "HEAVY GRINDING", "대형 연삭", "B", 30, 8.0, 1.2, "GRDH"),
    ("lap", "LAPPING", "래핑", "B", 15, 8.0, 1.2, "LAP"),
    ("polish", "POLISHING", "폴리싱", "B", 10, 4.0, 1.0, "POL"),
    ("wash", "WASHING", "세척", "F", 5, 1.0, 0.5, "WSH"),
    ("subassy", "SUB-ASSEMBLY", "부분조립", "F", 10, 12.0, 0.6, "SUB"),
    ("assy", "ASSEMBLY", "조립", "F", 15, 25.0, 0.8, "ASY"),
    ("leak", "LEAK TEST", "리크 테스트", "F", 10, 8.0, 0.5, "LKT"),
    ("balance", "BALANCING", "밸런싱", "F", 15, 5.0, 0.8, "BAL"),
    ("paint", "PAINTING", "도장", "C", 15, 5.0, 1.0, "PNT"),
    ("mark", "MARKING", "마킹", "F", 5, 0.8, 0.3, "MRK"),
    ("cmm", "CMM INSPECTION", "3차원 측정", "Q", 10, 6.0, 0.6, "CMM"),
    ("final", "FINAL INSPECTION", "최종검사", "Q", 5, 4.0, 0.5, "FQC"),
    ("pack", "PACKING", "포장", "F", 5, 1.0, 0.5, "PKG"),
]
HEAVY = {"rough": "rough_h", "finish": "finish_h", "grind": "grind_h"}

# Outsourced treatments a word of the specification names: English word, Korean word, JOB_NM
TREATMENTS = [
    ("COATING", "코팅", "외주 코팅"), ("PLATING", "도금", "외주 도금"), ("NITRIDING", "질화", "외주 질화"),
    ("ANODIZING", "아노다이징", "외주 아노다이징"), ("PASSIVATION", "부동태", "외주 부동태처리"),
    ("STELLITE", "스텔라이트", "외주 스텔라이트 육성"), ("SHOTPEENING", "쇼트피닝", "외주 쇼트피닝"),
    ("GALVANIZING", "아연", "외주 아연도금"),
]

# code, spec spelling, description, kind, run-time factor
MATERIALS = [
    ("SUS316", "SUS316", "STAINLESS STEEL 316", "metal", 1.00),
    ("SUS304", "SUS304", "STAINLESS STEEL 304", "metal", 0.95),
    ("SCM440", "SCM440", "ALLOY STEEL SCM440", "metal", 0.90),
    ("S45C", "S45C", "CARBON STEEL S45C", "metal", 0.80),
    ("HC276", "HASTELLOY C276", "NICKEL ALLOY HASTELLOY C276", "metal", 1.50),
    ("ALLOY20", "ALLOY20", "ALLOY 20 (CN7M)", "metal", 1.30),
    ("DUPLEX", "SAF2205", "DUPLEX STAINLESS SAF2205", "metal", 1.35),
    ("IN718", "INCONEL718", "NICKEL ALLOY INCONEL 718", "metal", 1.70),
    ("TI", "TITANIUM", "TITANIUM GR.2", "metal", 1.40),
    ("SIC", "SiC", "SILICON CARBIDE", "hard", 1.60),
    ("WC", "WC", "TUNGSTEN CARBIDE", "hard", 1.80),
    ("CARBON", "CARBON", "CARBON GRAPHITE", "carbon", 0.75),
    ("FKM", "FKM", "FKM RUBBER", "elast", 1.00),
    ("EPDM", "EPDM", "EPDM RUBBER", "elast", 1.00),
    ("NBR", "NBR", "NBR RUBBER", "elast", 0.90),
    ("PTFE", "PTFE", "PTFE", "elast", 0.85),
]
MATERIAL_KIND = [m[3] for m in MATERIALS]
METAL_IDX = [i for i, k in enumerate(MATERIAL_KIND) if k == "metal"]

# PART_TYPE, Korean name, ITEM_CD prefix, kind
FAMILY_POOL = [
    ("SEAL RING", "씰링", "SR", "face"), ("MATING RING", "메이팅링", "MR", "face"),
    ("SEAT", "시트", "ST", "face"), ("SLEEVE", "슬리브", "SL", "turned"), ("GLAND", "글랜드", "GL", "turned"),
    ("RETAINER", "리테이너", "RT", "turned"), ("COLLAR", "칼라", "CL", "turned"),
    ("ADAPTER", "어댑터", "AD", "turned"), ("FLANGE", "플랜지", "FL", "turned"),
    ("THROTTLE BUSH", "스로틀 부시", "TB", "turned"), ("HOUSING", "하우징", "HS", "turned"),
    ("SPRING", "스프링", "SP", "spring"), ("WAVE SPRING", "웨이브 스프링", "WS", "spring"),
    ("GASKET", "가스켓", "GK", "elast"), ("O-RING", "오링", "OR", "elast"),
    ("BELLOWS", "벨로우즈", "BL", "sheet"), ("SHIM", "심", "SM", "sheet"),
    ("CARTRIDGE ASSY", "카트리지 씰 ASSY", "CA", "assembly"), ("SPLIT SEAL ASSY", "분할형 씰 ASSY", "SA", "assembly"),
    ("DRIVE PIN", "드라이브 핀", "DP", "bought"), ("SET SCREW", "세트 스크류", "SS", "bought"),
]
KIND_MATERIALS = {
    "face": ["SIC", "WC", "CARBON", "SUS316"], "turned": ["SUS316", "SUS304", "SCM440", "S45C", "HC276",
                                                         "ALLOY20", "DUPLEX", "IN718", "TI"],
    "spring": ["SUS316", "HC276", "SUS304", "IN718"], "elast": ["FKM", "EPDM", "NBR", "PTFE"],
    "sheet": ["SUS316", "HC276", "ALLOY20", "IN718"], "assembly": ["SUS316", "HC276", "ALLOY20", "DUPLEX"],
    "bought": ["SUS316", "SUS304", "S45C"],
}
# every template is a subsequence of OPERATIONS' order; optional steps are in or out per plant
KIND_TEMPLATE = {
    "face": (["finish", "lap", "final", "pack"], ["incoming", "mark", "wash", "polish"]),
    "turned": (["cut", "rough", "finish", "final", "pack"], ["mill", "drill", "deburr", "wash", "mark"]),
    "spring": (["coil", "final", "pack"], ["heat", "grind", "wash"]),
    "elast": (["mould", "trim", "final", "pack"], ["wash", "mark"]),
    "sheet": (["press", "weld", "final", "pack"], ["laser", "leak", "wash", "mark"]),
    "assembly": (["incoming", "assy", "leak", "final", "pack"], ["wash", "mark", "paint"]),
    "bought": (["incoming", "pack"], ["mark"]),
}
# what a hard face (SiC, WC) does instead of turning
HARD_FACE = ["grind", "lap", "final", "pack"]

SERIES_POOL = ["M7N", "H7N", "HJ92N", "MG1", "RMG12", "M3N", "MFL85N", "MBS682", "CARTEX-SN", "CARTEX-DN",
               "SH-D", "UNITEX", "DF-2", "QB-7", "EKS-10", "TX-4", "BX-9", "HSH-3"]
MID_TYPES = ["G9", "G4", "G6", "G13", "G16"]
OUT_TYPES = ["O-RING", "FLAT", "QUENCH", "FLUSH"]
GROUPS = [("PG10", "펌프용 메카니컬씰"), ("PG20", "컴프레서 씰"), ("PG30", "교반기 씰"), ("PG40", "원자력 씰"),
          ("PG50", "정유·석유화학"), ("PG60", "선박·해양"), ("PG70", "수처리·일반산업"), ("PG80", "A/S 예비품")]
RAW_FORM = {"face": ("SINTERED", "소결체"), "turned": ("BAR", "환봉"), "spring": ("WIRE", "선재"),
            "elast": ("COMPOUND", "고무 컴파운드"), "sheet": ("SHEET", "박판"), "assembly": ("KIT", "부품 키트"),
            "bought": ("PURCHASED", "구매품")}
# words that fill specification texts and decide nothing
FILLER = ["API682", "NACE", "MILL CERT", "PMI TEST", "CHAMFER", "DRAWING REF", "CUSTOMER APPROVAL",
          "HELIUM BAND", "RUST PREVENTION", "FLATNESS", "ROUGHNESS", "TOLERANCE", "KEYWAY", "TAPPED HOLE",
          "SPARE", "URGENT", "PROTOTYPE", "REPEAT ORDER", "CLEAN ROOM", "EXPORT", "도면 참조", "고객 승인",
          "면취", "방청 포장", "치수 확인", "납기 엄수", "초품 검사", "재고 보충", "시험 성적서", "표면 조도"]
TAIL_PREFIX = ["REF ", "PO#", "P/J ", "고객 ", "CUST "]
# (item account of ordinary items, of bought-in items, of the short-routing account)
ACCOUNTS = [("10", "30", "25"), ("20", "40", "50"), ("M1", "P1", "S1")]

MISSING = {
    "SealTypeGrup": 0.80, "ROTATE_CTRCLOCKWISE": 0.70, "RAW_MATL_KINDNM": 0.95, "GROUP3": 0.98,
    "ITEM_NM": 0.005, "PartNm": 0.01, "ITEM_SUFFIX": 0.03, "MATERIAL_DESC": 0.02, "GROUP1": 0.02,
    "GROUP2": 0.04, "DRAW_NO": 0.03, "DRAW_REV": 0.05, "DRAW_SHEET_NO": 0.06, "OUTDIAMETER_UNIT": 0.02,
    "IN_SEALSIZE_UOM": 0.03, "MID_SEALTYPE_CD": 0.05, "MID_SEALSIZE": 0.05, "MID_SEALSIZE_UOM": 0.05,
    "OUT_SEALTYPE_CD": 0.06, "OUT_SEALSIZE": 0.06, "OUT_SEALSIZE_UOM": 0.06, "RAW_MATL_KIND": 0.04,
    # columns rules may read: a missing value never meets a condition
    "ITEM_MATERIAL": 0.01, "ITEM_GRP1": 0.01, "STANDARD_YN": 0.02, "OUTDIAMETER": 0.02,
    "INDIAMETER": 0.03, "OUTTHICKNESS": 0.03, "ROTATE_CLOCKWISE": 0.04, "IN_SEALTYPE_CD": 0.03,
    "IN_SEALSIZE": 0.03,
}

EPOCH = datetime(1970, 1, 1)
DAY = 86400
ROUTING_START = int((datetime(2008, 1, 1) - EPOCH).total_seconds())
ROUTING_END = int((datetime(2025, 9, 30) - EPOCH).total_seconds())
RESULTS_END = int((datetime(2025, 12, 31) - EPOCH).total_seconds())
VALID_FROM = int((datetime(2001, 1, 1) - EPOCH).total_seconds())
VALID_TO = int((datetime(2999, 12, 31) - EPOCH).total_seconds())


# --------------------------------------------------------------------------------------------
# a member's specification
# --------------------------------------------------------------------------------------------

@dataclass
class Family:
    part_type: str
    korean: str
    prefix: str
    kind: str
    share: float
    materials: list[int]            # indexes into MATERIALS
    mat_probs: list[float]
    template: list[str]             # operation keys of the ordinary routing
    od_scale: float                 # OD of a 100 mm shaft
    series: list[int]               # indexes into SERIES_POOL


@dataclass
class Rule:
    """One thing that decides an operation. `kind` is one of threshold, heavy, flag, word,
    interaction, bought, account, seal_type; `families` are indexes into the plant's families."""

    kind: str
    families: list[int]
    op: str = ""                    # the operation the rule adds (heavy: replaces its light twins)
    column: str = ""
    value: str = ""                 # flag value, word, seal type, item account
    threshold: float = 0.0
    materials: list[int] = field(default_factory=list)
    share: float = 0.0              # share of the families' items that carry the word / flag / account

    def describe(self, spec: "PlantSpec") -> str:
        fams = ", ".join(spec.families[f].part_type for f in self.families)
        op = spec.job_cd.get(self.op, self.op)
        if self.kind == "threshold":
            return f"{fams}: {self.column} > {self.threshold:g} adds {op}"
        if self.kind == "heavy":
            return f"{fams}: {self.column} > {self.threshold:g} turns/grinds on the heavy machines"
        if self.kind == "flag":
            return f"{fams}: {self.column} = {self.value} adds {op}"
        if self.kind == "word":
            return f"{fams}: the word {self.value!r} in ITEM_SPEC or ADDITIONAL_SPEC adds outsourced {op}"
        if self.kind == "interaction":
            mats = "/".join(MATERIALS[m][0] for m in self.materials)
            return f"{fams}: ITEM_MATERIAL in {mats} and {self.column} > {self.threshold:g} adds {op}"
        if self.kind == "bought":
            return f"{fams}: {self.column} = {self.value} (bought in) -> incoming inspection and packing only"
        if self.kind == "account":
            return f"{fams}: ITEM_ACCT = {self.value} -> short routing (last machining, final inspection, packing)"
        return f"{fams}: {self.column} = {self.value} adds {op}"


@dataclass
class PlantSpec:
    member: int
    seed: int
    encoding: str                                  # of its CSV files: "utf-8" (with BOM) or "cp949"
    families: list[Family]
    rules: list[Rule]
    ops: list[str]                                 # operation keys of this plant, in routing order
    job_cd: dict[str, str]
    job_nm: dict[str, str]
    treatment_words: dict[str, tuple[str, str]]    # osp op key -> (English, Korean) word
    accounts: tuple[str, str, str]
    engineer_habits: list[tuple[str, str, str]]    # per hidden engineer: (habit, op a, op b)
    habit_rate: float
    slip_rate: float
    missing_scale: float
    korean_share: float
    in_additional: float                           # share of words written in ADDITIONAL_SPEC
    time_noise: float
    defect_rate: float
    od_decay: float
    filler: list[str]

    def describe(self) -> list[str]:
        lines = [f"plant {self.member} (seed {self.seed}, CSV in {self.encoding}): "
                 + ", ".join(f.part_type for f in self.families)]
        lines += ["  rule: " + r.describe(self) for r in self.rules]
        lines.append(f"  engineers: {len(self.engineer_habits)}, habits applied {self.habit_rate:.0%}, "
                     f"slips {self.slip_rate:.1%}; missing values x{self.missing_scale:.2f}")
        return lines


def _job_codes(rng, keys: list[str]) -> dict[str, str]:
    """Each plant spells its job codes its own way."""
    scheme = int(rng.integers(0, 4))
    mnem = {o[0]: o[7] for o in OPERATIONS}
    cat = {o[0]: o[3] for o in OPERATIONS}
    out: dict[str, str] = {}
    per_cat: dict[str, int] = {}
    offset = int(rng.integers(0, 5))
    for i, k in enumerate(keys):
        base = k.split("#")[0]
        if scheme == 0:                                   # A01-2 (the ERP's usual spelling)
            c = cat[base] if base != "osp" else "H"
            per_cat[c] = per_cat.get(c, 0) + 1
            out[k] = f"{c}{per_cat[c] + offset:02d}-{1 + (base in HEAVY.values())}"
        elif scheme == 1:                                 # OP110
            out[k] = f"OP{(i + 1 + offset) * 10:03d}"
        elif scheme == 2:                                 # TRR-1
            out[k] = f"{mnem[base]}-{k.split('#')[1] if '#' in k else 1}"
        else:                                             # 4-digit numbers
            out[k] = f"{3 + 'AQBCFH'.find(cat[base]) % 6}{i + offset:03d}"
    return out


def _draw_spec(member: int) -> PlantSpec:
    seed = plant_seed(member)
    rng = np.random.Generator(np.random.PCG64(seed))
    kinds_needed = ["turned", "face"]
    pool = list(range(len(FAMILY_POOL)))
    n_fam = int(rng.integers(6, 10))
    chosen: list[int] = []
    for kind in kinds_needed:                             # every plant machines metal and faces
        cands = [i for i in pool if FAMILY_POOL[i][3] == kind and i not in chosen]
        chosen.append(int(rng.choice(cands)))
    rest = [i for i in pool if i not in chosen]
    chosen += [int(i) for i in rng.choice(rest, size=n_fam - len(chosen), replace=False)]
    shares = rng.dirichlet(np.full(len(chosen), 3.0))

    op_order = [o[0] for o in OPERATIONS]
    families: list[Family] = []
    used: set[str] = set()
    for fi, pidx in enumerate(chosen):
        pt, ko, prefix, kind = FAMILY_POOL[pidx]
        base, optional = KIND_TEMPLATE[kind]
        tmpl = list(base) + [o for o in optional if rng.random() < 0.45]
        tmpl = sorted(set(tmpl), key=op_order.index)
        names = KIND_MATERIALS[kind]
        k = int(rng.integers(2, min(4, len(names)) + 1)) if kind != "face" else len(names)
        mats = [int(next(i for i, m in enumerate(MATERIALS) if m[0] == c))
                for c in (names if kind == "face" else rng.choice(names, size=k, replace=False))]
        probs = rng.dirichlet(np.full(len(mats), 2.0)).tolist()
        series = sorted(int(s) for s in rng.choice(len(SERIES_POOL), size=int(rng.integers(3, 6)), replace=False))
        families.append(Family(pt, ko, prefix, kind, float(shares[fi]), mats, probs, tmpl,
                               float(rng.uniform(1.2, 2.0)), series))
        used.update(tmpl)
        if kind == "face":
            used.update(HARD_FACE)

    fam_of = {kind: [i for i, f in enumerate(families) if f.kind == kind] for kind in KIND_TEMPLATE}
    machined = fam_of["turned"]
    not_bought = [i for i, f in enumerate(families) if f.kind != "bought"]

    def some(cands: list[int], lo: int = 1, hi: int = 3) -> list[int]:
        n = min(len(cands), int(rng.integers(lo, hi + 1)))
        return sorted(int(c) for c in rng.choice(cands, size=n, replace=False))

    rules: list[Rule] = []
    dims = ["OUTDIAMETER", "INDIAMETER", "OUTTHICKNESS", "IN_SEALSIZE"]
    # a heavier machine past a size threshold
    rules.append(Rule("heavy", some(machined, 1, 2), column=str(rng.choice(dims[:3])),
                      threshold=float(rng.uniform(0.6, 0.85))))
    # a step added past a threshold on some dimension
    for _ in range(int(rng.integers(1, 3))):
        op = str(rng.choice(["deburr", "balance", "midinsp", "stress", "polish"]))
        rules.append(Rule("threshold", some(not_bought, 1, 3), op=op, column=str(rng.choice(dims)),
                          threshold=float(rng.uniform(0.55, 0.9))))
    # a yes/no flag
    flag_col, flag_val = [("STANDARD_YN", "N"), ("ROTATE_CLOCKWISE", "0")][int(rng.random() < 0.3)]
    rules.append(Rule("flag", some(not_bought, 2, 4), op=str(rng.choice(["cmm", "midinsp"])),
                      column=flag_col, value=flag_val, share=float(rng.uniform(0.2, 0.45))))
    # outsourced treatments named by one word, in either specification column
    words = rng.choice(len(TREATMENTS), size=int(rng.integers(1, 4)), replace=False)
    treatment_words: dict[str, tuple[str, str]] = {}
    for j, w in enumerate(words):
        key = f"osp#{j + 1}"
        en, ko, _nm = TREATMENTS[int(w)]
        treatment_words[key] = (en, ko)
        rules.append(Rule("word", some(machined + fam_of["face"] + fam_of["spring"], 1, 3), op=key, value=en,
                          share=float(rng.uniform(0.05, 0.25))))
    # hard material and large size
    inter_fams = some(machined, 1, 2)
    mats = sorted({m for f in inter_fams for m in families[f].materials
                   if MATERIALS[m][0] in ("HC276", "DUPLEX", "IN718", "TI", "ALLOY20", "SCM440")})
    if not mats:
        mats = [families[inter_fams[0]].materials[0]]
    rules.append(Rule("interaction", inter_fams, op=str(rng.choice(["stress", "cmm", "grind"])),
                      column=str(rng.choice(dims[:3])), threshold=float(rng.uniform(0.4, 0.7)), materials=mats))
    # bought-in items
    accounts = ACCOUNTS[int(rng.integers(0, len(ACCOUNTS)))]
    bought_col = "ITEM_ACCT" if rng.random() < 0.5 else "ITEM_TYPE"
    rules.append(Rule("bought", fam_of["bought"] + some(not_bought, 1, 2), column=bought_col,
                      value=accounts[1] if bought_col == "ITEM_ACCT" else "P", share=float(rng.uniform(0.03, 0.10))))
    # a short routing for one item account
    rules.append(Rule("account", some(machined, 1, 2), column="ITEM_ACCT", value=accounts[2],
                      share=float(rng.uniform(0.05, 0.15))))
    # an extra assembly step for one seal type
    seal_fams = fam_of["assembly"] or some(machined + fam_of["face"], 1, 1)
    series = families[seal_fams[0]].series
    rules.append(Rule("seal_type", seal_fams, op="subassy", column="IN_SEALTYPE_CD",
                      value=SERIES_POOL[int(rng.choice(series))]))
    for r in rules:
        if r.op:
            used.add(r.op)
        if r.kind == "heavy":
            used.update(HEAVY[o] for o in HEAVY if any(o in families[f].template for f in r.families))
        if r.kind == "account":
            used.update(["final", "pack"])
    used.update(["incoming", "pack"])

    # hidden engineers and their habits: add an optional step, skip one, swap two neighbours
    habits: list[tuple[str, str, str]] = []
    for e in range(int(rng.integers(5, 10))):
        # at least two engineers have a habit: no plant's history is free of personal variation
        h = str(rng.choice(["add", "skip", "swap"] if e < 2 else ["none", "none", "add", "skip", "swap"]))
        a = str(rng.choice(["wash", "deburr", "midinsp", "mark"]))
        b = str(rng.choice(["mark", "wash", "final", "deburr"]))
        if h == "add":
            used.add(a)
        habits.append((h, a, b))

    ops = [k for k in op_order if k in used and k != "osp"]
    # outsourced treatments sit after stress relieving, in word order
    at = op_order.index("osp")
    ops = ([k for k in ops if op_order.index(k) < at] + sorted(treatment_words)
           + [k for k in ops if op_order.index(k) > at])
    job_cd = _job_codes(rng, ops)
    names = {o[0]: (o[1], o[2]) for o in OPERATIONS}
    korean_names = rng.random() < 0.7
    job_nm = {}
    for k in ops:
        if k.startswith("osp#"):
            en, ko = treatment_words[k]
            nm = next(t[2] for t in TREATMENTS if t[0] == en)
            job_nm[k] = nm if korean_names else f"OUTSOURCED {en}"
        else:
            job_nm[k] = names[k][1] if korean_names else names[k][0]
    filler = [str(w) for w in rng.choice(FILLER, size=int(rng.integers(10, len(FILLER))), replace=False)]
    sp = PlantSpec(
        member=member, seed=seed, encoding="cp949" if rng.random() < 0.4 else "utf-8",
        families=families, rules=rules, ops=ops, job_cd=job_cd, job_nm=job_nm,
        treatment_words=treatment_words, accounts=accounts, engineer_habits=habits,
        habit_rate=float(rng.uniform(0.5, 0.9)), slip_rate=float(rng.uniform(0.01, 0.05)),
        missing_scale=float(rng.uniform(0.5, 2.0)), korean_share=float(rng.uniform(0.1, 0.6)),
        in_additional=float(rng.uniform(0.2, 0.6)), time_noise=float(rng.uniform(0.12, 0.3)),
        defect_rate=float(rng.uniform(0.01, 0.05)), od_decay=float(rng.uniform(50, 110)), filler=filler)
    _fix_thresholds(sp)
    return sp


def _fix_thresholds(sp: PlantSpec) -> None:
    """Size thresholds were drawn as a quantile of the families' sizes; state them in mm, rounded,
    from a reference sample of the plant (so every draw of its items has the same rules)."""
    ref = _latent(np.random.Generator(np.random.PCG64(np.random.SeedSequence([sp.seed, 0]))), sp, 4000)
    values = {"OUTDIAMETER": ref.od, "INDIAMETER": ref.id, "OUTTHICKNESS": ref.t, "IN_SEALSIZE": ref.shaft}
    for r in sp.rules:
        if r.kind in ("threshold", "heavy", "interaction"):
            v = values[r.column][np.isin(ref.fam, r.families)]
            r.threshold = float(np.round(np.quantile(v, r.threshold))) if v.size else 100.0


def spec(member: int) -> PlantSpec:
    """Member N's specification: families, rules, job codes, engineers, rates, encoding."""
    if member == 0:
        raise ValueError("member 0 is the classic demo plant (app.demo.generator), not drawn from the family")
    return _draw_spec(member)


# --------------------------------------------------------------------------------------------
# generating a member
# --------------------------------------------------------------------------------------------

def generate_member(member: int, n_items: int = DEFAULT_ITEMS, seed: int | None = None,
                    progress=None) -> DemoPlant:
    """Plant N of the family with `n_items` items (identical frames for the same arguments).

    Member 0 is `generator.generate(n_items, seed or 7)`. For the others the plant's rules come
    from `plant_seed(member)` and its items from that seed too, or from `seed` when given (the
    same plant, other items).
    """
    if n_items < 1:
        raise ValueError("n_items must be at least 1")
    if member == 0:
        return generate(n_items, 7 if seed is None else seed, progress)
    sp = spec(member)
    data_seed = [sp.seed, 1] if seed is None else [sp.seed, 2, int(seed)]
    rng = np.random.Generator(np.random.PCG64(np.random.SeedSequence(data_seed)))
    n = int(n_items)
    _report(progress, 0.0, "Generating items")
    lat = _latent(rng, sp, n)
    items = _items(rng, sp, lat, n)
    _report(progress, 0.3, "Generating routings")
    rule_mask = _rule_mask(sp, lat, items)
    routings, ops, rule_routings = _routings(rng, sp, lat, items, rule_mask)
    _report(progress, 0.6, "Generating work-order results")
    results = _results(rng, sp, lat, items["ITEM_CD"], ops)
    plant = DemoPlant(items=_conform(items, ITEM_COLUMNS, ITEM_NUMERIC),
                      routings=_conform(routings, ROUTING_COLUMNS, ROUTING_NUMERIC),
                      results=_conform(results, RESULT_COLUMNS, RESULT_NUMERIC),
                      rule_routings=rule_routings, encoding=sp.encoding, description=sp.describe())
    _report(progress, 1.0, "Demo plant ready")
    return plant


@dataclass
class _Latent:
    fam: np.ndarray
    mat: np.ndarray
    od: np.ndarray
    id: np.ndarray
    t: np.ndarray
    shaft: np.ndarray
    series: np.ndarray             # index into SERIES_POOL
    words: dict[str, np.ndarray]   # osp key -> the item's spec names it
    word_in_add: dict[str, np.ndarray]
    eng: np.ndarray


def _latent(rng, sp: PlantSpec, n: int) -> _Latent:
    fam = _choice(rng, n, [f.share for f in sp.families])
    mat = np.zeros(n, dtype=np.int64)
    series = np.zeros(n, dtype=np.int64)
    sizes = np.array([16, 20, 25, 30, 35, 40, 45, 50, 55, 60, 65, 70, 80, 90, 100, 110, 120, 140, 160, 180, 200,
                      220, 250, 280, 300], dtype=float)
    shaft = sizes[_choice(rng, n, np.exp(-sizes / sp.od_decay))]
    u = rng.random((n, 3))
    od = np.zeros(n)
    idia = np.zeros(n)
    t = np.zeros(n)
    for f, fam_def in enumerate(sp.families):
        k = np.flatnonzero(fam == f)
        mat[k] = np.array(fam_def.materials)[_choice(rng, k.size, fam_def.mat_probs)]
        series[k] = np.array(fam_def.series)[rng.integers(0, len(fam_def.series), k.size)]
        s = shaft[k]
        kind = fam_def.kind
        if kind == "spring":
            o = np.where(u[k, 0] < 0.5, 4 + 10 * u[k, 1], s + 3 + 7 * u[k, 1])
            i_ = o * (0.75 + 0.1 * u[k, 2])
            th = 8 + 0.4 * s * u[k, 2]
        elif kind == "bought":
            o = 3 + 12 * u[k, 0]
            i_ = np.zeros(k.size)
            th = 6 + 30 * u[k, 1]
        elif kind in ("elast", "sheet"):
            i_ = s + 2 + 10 * u[k, 0]
            o = i_ + 2 * (3 + 20 * u[k, 1])
            th = (1.5 + 4 * u[k, 2]) if kind == "elast" else 20 + 0.3 * s * u[k, 2]
        else:
            i_ = s + (0 if kind == "turned" else 2) + 8 * u[k, 0]
            o = 0.5 * s * fam_def.od_scale + 0.5 * i_ + 10 + 30 * u[k, 1]
            th = (8 + 0.06 * s + 8 * u[k, 2]) if kind == "face" else 15 + 0.4 * s * u[k, 2] + 10 * u[k, 0]
        od[k], idia[k], t[k] = o, i_, th
    od = np.where(od < 30, np.round(od, 1), np.round(od * 2) / 2)
    idia = np.where(idia < 30, np.round(idia, 1), np.round(idia * 2) / 2)
    t = np.where(t < 10, np.round(t, 1), np.round(t * 2) / 2)

    words: dict[str, np.ndarray] = {}
    in_add: dict[str, np.ndarray] = {}
    for r in sp.rules:
        if r.kind == "word":
            words[r.op] = np.isin(fam, r.families) & (rng.random(n) < r.share)
            in_add[r.op] = rng.random(n) < sp.in_additional
    eng = rng.integers(0, len(sp.engineer_habits), n)          # independent of every column
    return _Latent(fam=fam, mat=mat, od=od, id=idia, t=t, shaft=shaft, series=series, words=words,
                   word_in_add=in_add, eng=eng)


def _items(rng, sp: PlantSpec, lat: _Latent, n: int) -> pl.DataFrame:
    fams = sp.families
    fam = lat.fam
    korean = rng.random(n) < sp.korean_share
    # flags and accounts the rules read are drawn per family, at the rules' shares
    std_n = rng.random(n) < 0.35
    rot_cw = rng.random(n) < 0.6
    ordinary, bought_acct, short_acct = sp.accounts
    acct = np.full(n, 0)
    item_type = np.zeros(n, dtype=np.int64)                  # 0 M (made), 1 O (other), 2 P (purchased)
    item_type[rng.random(n) < 0.03] = 1
    u = rng.random((n, 4))
    for r in sp.rules:
        fam_in = np.isin(fam, r.families)
        if r.kind == "flag":
            hit = fam_in & (u[:, 0] < r.share)
            if r.column == "STANDARD_YN":
                std_n = np.where(fam_in, hit, std_n)
            else:
                rot_cw = np.where(fam_in, ~hit, rot_cw)
        elif r.kind == "bought":
            always = np.isin(fam, [i for i, f in enumerate(fams) if f.kind == "bought"])
            hit = always | (fam_in & (u[:, 1] < r.share))
            if r.column == "ITEM_ACCT":
                acct[hit] = 1
            else:
                item_type[hit] = 2
        elif r.kind == "account":
            acct[fam_in & (u[:, 2] < r.share) & (acct == 0)] = 2

    # specification text: dimensions, material, filler words and the treatment words
    mat_spec = [m[1] for m in MATERIALS]
    word_cols_spec = []
    word_cols_add = []
    for key, (en, ko) in sp.treatment_words.items():
        has = lat.words[key]
        txt = np.where(korean, 1, 0)
        word_cols_spec.append(_pick([en, ko], np.where(has & ~lat.word_in_add[key], txt, -1)).alias(f"s_{key}"))
        word_cols_add.append(_pick([en, ko], np.where(has & lat.word_in_add[key], txt, -1)).alias(f"a_{key}"))
    filler = sp.filler
    f1 = np.where(rng.random(n) < 0.6, rng.integers(0, len(filler), n), -1)
    f2 = np.where(rng.random(n) < 0.3, rng.integers(0, len(filler), n), -1)
    f3 = np.where(rng.random(n) < 0.4, rng.integers(0, len(filler), n), -1)
    tail = np.where(rng.random(n) < 0.8, rng.integers(0, len(TAIL_PREFIX), n), -1)
    frame = pl.DataFrame({
        "od": lat.od, "id": lat.id, "t": lat.t,
        "mat_spec": _pick(mat_spec, lat.mat),
        "f1": _pick(filler, f1), "f2": _pick(filler, f2), "f3": _pick(filler, f3),
        "tail_p": _pick(TAIL_PREFIX, tail), "tail_a": _random_codes(rng, n, 1, b"ABCDEFGHJKLMNPRSTUVWXYZ"),
        "tail_b": _digits(rng, n, 4),
    }).with_columns(word_cols_spec + word_cols_add)
    dims = pl.concat_str([pl.lit("OD"), _num_text(pl.col("od")), pl.lit(" x ID"), _num_text(pl.col("id")),
                          pl.lit(" x T"), _num_text(pl.col("t"))])
    tail_txt = pl.when(pl.col("tail_p").is_not_null()).then(
        pl.concat_str([pl.col("tail_p"), pl.col("tail_a"), pl.col("tail_b")]))
    spec_txt = pl.concat_str([dims, pl.col("mat_spec"), pl.col("f1")]
                             + [pl.col(f"s_{k}") for k in sp.treatment_words] + [tail_txt],
                             separator=" ", ignore_nulls=True)
    add_txt = pl.concat_str([pl.col(f"a_{k}") for k in sp.treatment_words] + [pl.col("f2"), pl.col("f3")],
                            separator=", ", ignore_nulls=True)
    texts = frame.select(spec_txt.alias("ITEM_SPEC"),
                         pl.when(add_txt == "").then(None).otherwise(add_txt).alias("ADDITIONAL_SPEC"))

    number = np.zeros(n, dtype=np.int64)
    for f in range(len(fams)):
        k = np.flatnonzero(fam == f)
        number[k] = rng.integers(1000, 40000) + np.cumsum(rng.integers(1, 6, k.size))
    grp = rng.integers(0, len(GROUPS), n)
    shaft_txt = pl.Series(lat.shaft.astype(np.int64)).cast(pl.Utf8)
    series_name = _pick(SERIES_POOL, lat.series)
    ids = pl.DataFrame({
        "prefix": _pick([f.prefix for f in fams], fam), "num": pl.Series(number).cast(pl.Utf8).str.zfill(7),
        "kor": _pick([f.korean for f in fams], fam), "ptype": _pick([f.part_type for f in fams], fam),
        "series": series_name, "shaft": shaft_txt, "mat": _pick([m[0] for m in MATERIALS], lat.mat),
        "dwg": _random_codes(rng, n, 8, b"0123456789ABCDEFGHJKLMNPRSTUVWXYZ"),
    }).select(
        pl.concat_str([pl.col("prefix"), pl.lit("-"), pl.col("num")]).alias("ITEM_CD"),
        pl.concat_str([pl.col("kor"), pl.lit(" "), pl.col("shaft")]).alias("ITEM_NM"),
        pl.concat_str([pl.col("ptype"), pl.lit(" "), pl.col("series"), pl.lit("-"), pl.col("shaft"), pl.lit(" "),
                       pl.col("mat")]).alias("PartNm"),
        pl.concat_str([pl.lit("DWG-"), pl.col("dwg")]).alias("DRAW_NO"),
    )
    raw = [RAW_FORM[f.kind] for f in fams]
    seat_off = np.array([8, 10, 12, 15])[rng.integers(0, 4, n)]
    items = pl.DataFrame({
        "ITEM_CD": ids["ITEM_CD"], "ITEM_NM": ids["ITEM_NM"], "PartNm": ids["PartNm"],
        "PART_TYPE": _pick([f.part_type for f in fams], fam),
        "ITEM_SUFFIX": _pick(["00", "01", "02"], _choice(rng, n, [.8, .14, .06])),
        "ITEM_SPEC": texts["ITEM_SPEC"], "ADDITIONAL_SPEC": texts["ADDITIONAL_SPEC"],
        "ITEM_MATERIAL": _pick([m[0] for m in MATERIALS], lat.mat),
        "MATERIAL_DESC": _pick([m[2] for m in MATERIALS], lat.mat),
        "ITEM_ACCT": _pick(list(sp.accounts), acct),
        "ITEM_TYPE": _pick(["M", "O", "P"], item_type),
        "ITEM_UNIT": _pick(["EA"], np.zeros(n, dtype=int)),
        "ITEM_GRP1": _pick([g[0] for g in GROUPS], grp), "ITEM_GRP1NM": _pick([g[1] for g in GROUPS], grp),
        "STANDARD_YN": _pick(["Y", "N"], std_n.astype(int)),
        "GROUP1": _pick(sorted({f.kind.upper() for f in fams}), np.array(
            [sorted({f.kind.upper() for f in fams}).index(f.kind.upper()) for f in fams])[fam]),
        "GROUP2": _pick(["A", "B", "C", "D"], rng.integers(0, 4, n)),
        "GROUP3": _pick(["API682", "NUCLEAR Q-CLASS", "MARINE"], rng.integers(0, 3, n)),
        "DRAW_NO": ids["DRAW_NO"],
        "DRAW_REV": _pick(["0", "1", "2", "A", "B"], rng.integers(0, 5, n)),
        "DRAW_SHEET_NO": _pick(["1", "1/2", "2/2"], _choice(rng, n, [.9, .05, .05])),
        "OUTDIAMETER": lat.od, "INDIAMETER": lat.id, "OUTTHICKNESS": lat.t,
        "OUTDIAMETER_UNIT": _pick(["MM"], np.zeros(n, dtype=int)),
        "ROTATE_CLOCKWISE": rot_cw.astype(float), "ROTATE_CTRCLOCKWISE": (~rot_cw).astype(float),
        "SealTypeGrup": _pick(["SINGLE", "DOUBLE", "TANDEM"], _choice(rng, n, [.7, .2, .1])),
        "IN_SEALTYPE_CD": series_name, "IN_SEALSIZE": lat.shaft.astype(float),
        "IN_SEALSIZE_UOM": _pick(["MM"], np.zeros(n, dtype=int)),
        "MID_SEALTYPE_CD": _pick(MID_TYPES, rng.integers(0, len(MID_TYPES), n)),
        "MID_SEALSIZE": (lat.shaft + seat_off).astype(float),
        "MID_SEALSIZE_UOM": _pick(["MM"], np.zeros(n, dtype=int)),
        "OUT_SEALTYPE_CD": _pick(OUT_TYPES, _choice(rng, n, [.5, .2, .15, .15])),
        "OUT_SEALSIZE": np.round(np.maximum(lat.od, lat.shaft + seat_off)).astype(float),
        "OUT_SEALSIZE_UOM": _pick(["MM"], np.zeros(n, dtype=int)),
        "RAW_MATL_KIND": _pick([r[0] for r in raw], fam), "RAW_MATL_KINDNM": _pick([r[1] for r in raw], fam),
    })
    draws = rng.random((n, len(MISSING)))
    exprs = []
    for j, (col, rate) in enumerate(MISSING.items()):
        gone = pl.Series(draws[:, j] < min(0.99, rate * (sp.missing_scale if rate < 0.5 else 1.0)))
        if col == "ITEM_GRP1":
            exprs.append(pl.when(gone).then(None).otherwise(pl.col("ITEM_GRP1NM")).alias("ITEM_GRP1NM"))
        exprs.append(pl.when(gone).then(None).otherwise(pl.col(col)).alias(col))
    return items.with_columns(exprs)


def _kind_index(sp: PlantSpec, kind: str) -> list[int]:
    return [i for i, f in enumerate(sp.families) if f.kind == kind]


def _column(items: pl.DataFrame, col: str) -> np.ndarray:
    s = items[col]
    if s.dtype.is_numeric():
        return s.cast(pl.Float64).fill_null(np.nan).to_numpy()
    return s.fill_null("").to_numpy().astype(str)


def _rule_mask(sp: PlantSpec, lat: _Latent, items: pl.DataFrame) -> np.ndarray:
    """Items x plant operations: the routing the plant's rules give, from visible columns only."""
    n = lat.fam.size
    col = {k: i for i, k in enumerate(sp.ops)}
    mask = np.zeros((n, len(sp.ops)), dtype=bool)
    mat_name = _column(items, "ITEM_MATERIAL")
    for f, fam_def in enumerate(sp.families):
        k = lat.fam == f
        ops = fam_def.template
        if fam_def.kind == "face":
            hard = k & np.isin(mat_name, ["SIC", "WC"])
            mask[np.ix_(hard, [col[o] for o in HARD_FACE])] = True
            k = k & ~hard
        mask[np.ix_(k, [col[o] for o in ops])] = True
    spec_text = (items["ITEM_SPEC"].fill_null("") + " " + items["ADDITIONAL_SPEC"].fill_null("")).to_numpy()
    spec_text = spec_text.astype(str)
    for r in sp.rules:
        fam_in = np.isin(lat.fam, r.families)
        if r.kind in ("threshold", "heavy", "interaction"):
            v = _column(items, r.column)
            big = fam_in & (np.nan_to_num(v, nan=-np.inf) > r.threshold)
            if r.kind == "heavy":
                for light, heavy in HEAVY.items():
                    if light in col and heavy in col:
                        hit = big & mask[:, col[light]]
                        mask[hit, col[light]] = False
                        mask[hit, col[heavy]] = True
            elif r.kind == "interaction":
                mask[big & np.isin(mat_name, [MATERIALS[m][0] for m in r.materials]), col[r.op]] = True
            else:
                mask[big, col[r.op]] = True
        elif r.kind == "flag":
            v = _column(items, r.column)
            hit = (v == r.value) if r.column == "STANDARD_YN" else (v == float(r.value))
            mask[fam_in & hit, col[r.op]] = True
        elif r.kind == "word":
            en, ko = sp.treatment_words[r.op]
            hit = np.char.find(np.char.upper(spec_text), en) >= 0
            hit |= np.char.find(spec_text, ko) >= 0
            mask[fam_in & hit, col[r.op]] = True
        elif r.kind == "seal_type":
            mask[fam_in & (_column(items, r.column) == r.value), col[r.op]] = True
    # bought-in and short-routing accounts replace the whole routing (applied last)
    for r in sp.rules:
        fam_in = np.isin(lat.fam, r.families)
        if r.kind == "bought":
            hit = fam_in & (_column(items, r.column) == r.value)
            mask[hit] = False
            mask[np.ix_(hit, [col["incoming"], col["pack"]])] = True
        elif r.kind == "account":
            hit = fam_in & (_column(items, "ITEM_ACCT") == r.value)
            machining = [col[o] for o in ("finish_h", "finish", "rough_h", "rough") if o in col]
            last = np.full(n, -1)
            for c in reversed(machining):
                last = np.where(mask[:, c], c, last)
            mask[hit] = False
            ok = hit & (last >= 0)
            mask[np.flatnonzero(ok), last[ok]] = True
            mask[np.ix_(hit, [col["final"], col["pack"]])] = True
    return mask


def _routings(rng, sp: PlantSpec, lat: _Latent, items: pl.DataFrame, rule_mask: np.ndarray):
    n, n_ops = rule_mask.shape
    col = {k: i for i, k in enumerate(sp.ops)}
    item_cd = items["ITEM_CD"]

    # the rule routing of every item (routed or not): the ceiling
    rr_item, rr_op = np.nonzero(rule_mask)
    rr_pos = np.arange(rr_item.size) - _starts(np.bincount(rr_item, minlength=n))[rr_item]
    rule_routings = pl.DataFrame({
        "ITEM_CD": item_cd.gather(rr_item), "PROC_SEQ": ((rr_pos + 1) * 10).astype(float),
        "JOB_CD": _pick([sp.job_cd[k] for k in sp.ops], rr_op),
        "JOB_NM": _pick([sp.job_nm[k] for k in sp.ops], rr_op),
    })

    # what engineers really wrote: the rule routing, then each hidden engineer's habit, then slips
    mask = rule_mask.copy()
    order = np.broadcast_to(np.arange(n_ops, dtype=float), (n, n_ops)).copy()
    applies = rng.random(n) < sp.habit_rate
    bought = ~rule_mask[:, [c for k, c in col.items() if k not in ("incoming", "pack", "mark")]].any(axis=1)
    for e, (habit, a, b) in enumerate(sp.engineer_habits):
        who = (lat.eng == e) & applies & ~bought
        if habit == "add" and a in col:
            # an optional step added where the routing has a machining or assembly op before it
            mask[who & (mask[:, :col[a]].sum(axis=1) >= 2), col[a]] = True
        elif habit == "skip" and a in col:
            mask[who & (mask[:, col[a]]), col[a]] = False
        elif habit == "swap" and a in col and b in col and a != b:
            both = who & mask[:, col[a]] & mask[:, col[b]]
            order[both, col[a]], order[both, col[b]] = col[b], col[a]
    slip = rng.random(n) < sp.slip_rate
    mid = mask & (np.cumsum(mask, axis=1) > 1) & (np.cumsum(mask, axis=1) < mask.sum(axis=1, keepdims=True))
    score = np.where(mid, rng.random((n, n_ops)), -1.0)
    drop = score.argmax(axis=1)
    ok = slip & (score[np.arange(n), drop] >= 0)
    mask[np.flatnonzero(ok), drop[ok]] = False

    routed = np.flatnonzero(rng.random(n) >= 0.10)                    # about 10 % new items
    nvar = 1 + (rng.random(routed.size) < 0.2).astype(np.int64)
    var_item = np.repeat(routed, nvar)
    nv = var_item.size
    var_first = _starts(nvar)
    var_k = np.arange(nv) - np.repeat(var_first, nvar)
    current = var_k == np.repeat(nvar, nvar) - 1
    cur_date = ROUTING_START + ((ROUTING_END - ROUTING_START) * rng.random(routed.size) ** 0.8).astype(np.int64)
    gap = rng.integers(90 * DAY, 1500 * DAY, routed.size)
    var_date = (np.repeat(cur_date, nvar) - np.where(current, 0, np.repeat(gap, nvar))
                + rng.integers(7 * 3600, 18 * 3600, nv))
    vmask = mask[var_item]
    vorder = order[var_item]
    old = np.flatnonzero(~current)                                     # an older variant lacks one step
    if old.size:
        sub = vmask[old]
        cs = np.cumsum(sub, axis=1)
        middle = sub & (cs > 1) & (cs < cs[:, -1:])
        sc = np.where(middle, rng.random(sub.shape), -1.0)
        d = sc.argmax(axis=1)
        okd = sc[np.arange(old.size), d] >= 0
        vmask[old[okd], d[okd]] = False

    vrow, opi = np.nonzero(vmask)
    key = vorder[vrow, opi]
    srt = np.lexsort((key, vrow))
    vrow, opi = vrow[srt], opi[srt]
    m = vrow.size
    op_count = np.bincount(vrow, minlength=nv)
    op_start = _starts(op_count)
    pos = np.arange(m) - op_start[vrow]
    it = var_item[vrow]
    is_osp = np.array([k.startswith("osp#") for k in sp.ops])
    outside = is_osp[opi]
    base = {o[0]: o for o in OPERATIONS}
    setup0 = np.array([base[k.split("#")[0]][4] for k in sp.ops], dtype=float)
    run0 = np.array([base[k.split("#")[0]][5] for k in sp.ops], dtype=float)
    odexp = np.array([base[k.split("#")[0]][6] for k in sp.ops], dtype=float)
    mat_f = np.array([mt[4] for mt in MATERIALS])[lat.mat]
    od_rel = np.maximum(lat.od, 3.0) / 100.0
    item_noise = rng.lognormal(0.0, 0.1, n)
    true_run = run0[opi] * od_rel[it] ** odexp[opi] * mat_f[it] * item_noise[it]
    true_setup = setup0[opi] * od_rel[it] ** 0.3
    true_run[outside] = 0.0
    true_setup[outside] = 0.0
    std_run = np.round(np.maximum(true_run * rng.lognormal(0.0, 0.08, m), 0.01), 2)
    std_run[outside] = 0.0
    std_setup = np.round(true_setup * rng.lognormal(0.0, 0.1, m))
    std_setup[outside] = 0.0
    last = pos == op_count[vrow] - 1
    n_vendor = 3
    vendor = rng.integers(0, n_vendor, m)
    mnem = [base[k.split("#")[0]][7] + (k.split("#")[1] if "#" in k else "") for k in sp.ops]
    machines = rng.integers(1, 3, m)
    res_cd = pl.concat_str([_pick(mnem, opi), pl.lit("-0"), pl.Series(machines).cast(pl.Utf8)])
    res_cd = pl.select(pl.when(pl.Series(outside)).then(pl.concat_str([pl.lit("OSP-"), _pick(mnem, opi)]))
                       .otherwise(res_cd)).to_series()
    routings = pl.DataFrame({
        "ITEM_CD": item_cd.gather(it),
        "ROUT_NO": _pick(["R001", "R002"], var_k[vrow]),
        "PROC_SEQ": ((pos + 1) * 10).astype(float),
        "INSRT_DT": _datetime(var_date[vrow]),
        "JOB_CD": _pick([sp.job_cd[k] for k in sp.ops], opi),
        "JOB_NM": _pick([sp.job_nm[k] for k in sp.ops], opi),
        "RES_CD": res_cd,
        "RES_DIS": _pick([sp.job_nm[k] for k in sp.ops], opi),
        "INSIDE_FLAG": _pick([INSIDE, OUTSIDE], outside.astype(int)),
        "BP_CD": _pick([f"V{sp.member:02d}{v:03d}" for v in range(n_vendor)], np.where(outside, vendor, -1)),
        "ROUT_ORDER": _pick(["F", "I", "L"], np.where(pos == 0, 0, np.where(last, 2, 1))),
        "MILESTONE_FLG": _pick(["N", "Y"], (last | outside).astype(int)),
        "INSP_FLG": _pick(["N", "Y"], np.isin(opi, [col[k] for k in ("incoming", "midinsp", "cmm", "final")
                                                     if k in col]).astype(int)),
        "BATCH_OPER": _pick(["N", "Y"], outside.astype(int)),
        "TIME_UNIT": _pick(["M"], np.zeros(m, dtype=int)),
        "SETUP_TIME": std_setup, "RUN_TIME": std_run, "RUN_TIME_QTY": np.ones(m),
        "RUN_TIME_UNIT": _pick(["EA", "NA"], outside.astype(int)),
        "WAIT_TIME": np.zeros(m), "MOVE_TIME": np.where(last, 0.0, 10.0),
        "QUEUE_TIME": np.zeros(m), "MFG_LT": np.where(outside, 5.0 + vendor * 2, 0.0),
        "ACT_SETUP_TIME": np.full(m, np.nan), "ACT_RUN_TIME": np.full(m, np.nan),
        "VALID_FROM_DT": _datetime(np.full(m, VALID_FROM)), "VALID_TO_DT": _datetime(np.full(m, VALID_TO)),
        "REMARK": _pick(["치수 확인", "외주 납기 확인"], np.where(rng.random(m) < 0.05, rng.integers(0, 2, m), -1)),
        "ROUT_DOC": _pick(["WI-1"], np.full(m, -1)), "NC_PROGRAM": _pick(["O1000"], np.full(m, -1)),
    }, nan_to_null=True)
    cur_rows = current[vrow]
    ops = {"it": it[cur_rows], "opi": opi[cur_rows], "outside": outside[cur_rows], "pos": pos[cur_rows],
           "true_run": true_run[cur_rows], "true_setup": true_setup[cur_rows],
           "res_cd": res_cd.filter(pl.Series(cur_rows)), "rout_no": var_k[vrow][cur_rows],
           "date": var_date[vrow][cur_rows], "routed": routed}
    return routings, ops, rule_routings


def _results(rng, sp: PlantSpec, lat: _Latent, item_cd: pl.Series, ops: dict) -> pl.DataFrame:
    """0-7 work orders per routed item, one row per operation of its current routing."""
    routed = ops["routed"]
    n = lat.fam.size
    n_wo = np.zeros(n, dtype=np.int64)
    n_wo[routed] = _choice(rng, routed.size, [.12, .22, .22, .16, .12, .08, .05, .03])
    qty_item = np.clip(np.round(np.exp(rng.normal(2.0, 0.8, n))), 1, 200)
    it = ops["it"]
    rows = np.repeat(np.arange(it.size), n_wo[it])                  # operation row per (order, op)
    total = rows.size
    # order number within the item: count rows of the same (item, op) -- orders share a date per item
    wo_of_op = np.arange(total) - _starts(n_wo[it])[np.repeat(np.arange(it.size), n_wo[it])]
    rit = it[rows]
    qty = np.clip(np.round(qty_item[rit] * rng.lognormal(0.0, 0.5, total)), 1, 500)
    out = ops["outside"][rows]
    noise = sp.time_noise
    mach = ops["true_run"][rows] * rng.lognormal(0.0, noise, total) * qty / 60.0
    setup = ops["true_setup"][rows] * rng.lognormal(0.0, noise + 0.05, total) / 60.0
    u = rng.random(total)
    d = sp.defect_rate
    mach[u < d / 2] *= 10.0
    mach[(u >= d / 2) & (u < d)] = 0.0
    setup[(u >= d / 2) & (u < d)] = 0.0
    mach[out] = 0.0
    setup[out] = 0.0
    spacing = rng.integers(20 * DAY, 120 * DAY, n)                   # between one item's orders
    day0 = ops["date"][rows] + (wo_of_op + 1) * spacing[rit]
    report = np.minimum(day0 + ops["pos"][rows] * DAY, RESULTS_END)
    keep = ~out | (rng.random(total) < 0.5)
    sel = np.flatnonzero(keep)
    opi = ops["opi"][rows][sel]
    return pl.DataFrame({
        "ITEM_CD": item_cd.gather(rit[sel]),
        "ROUT_NO": _pick(["R001", "R002"], ops["rout_no"][rows][sel]),
        "PROC_SEQ": ((ops["pos"][rows][sel] + 1) * 10).astype(float),
        "JOB_CD": _pick([sp.job_cd[k] for k in sp.ops], opi),
        "CD_NM": _pick([sp.job_nm[k] for k in sp.ops], opi),
        "RES_CD": ops["res_cd"].gather(rows[sel]),
        "RES_DIS": _pick([sp.job_nm[k] for k in sp.ops], opi),
        "REPORT_DT": _datetime(report[sel]),
        "MACH_WORKED_HOURS": np.round(mach[sel], 4),
        "SETUP_HOURS": np.round(setup[sel], 4),
        "ORDER_QTY": qty[sel],
        "BAD_QTY": np.zeros(sel.size),
    })
