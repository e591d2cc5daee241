"""The export's problems, refusals and result in Korean: the services give each a code and its
particulars, the window words them through the translation catalogue (English stays for the
command line)."""
from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from app.domain.routing import Operation
from app.services.export.rows import PROBLEM_CODES, build_plan
from app.services.export.service import ExportError, ExportOptions, ExportTarget, export
from app.ui.export import wording
from app.ui.export.models import PreviewModel, ProblemsModel, prepare_preview
from app.ui.export.preview_panel import PreviewPanel
from app.ui.export.result_panel import ResultPanel

SERVICES = Path(__file__).resolve().parents[2] / "app" / "services" / "export"


@pytest.fixture(autouse=True)
def _helpers_on_path(monkeypatch):
    monkeypatch.syspath_prepend(str(Path(__file__).resolve().parent.parent / "services"))


@pytest.fixture
def korean(qapp):
    from app.ui.main import configure_application
    assert configure_application(qapp, "ko") == "ko"
    yield
    configure_application(qapp, "en")


def _bad_selection():
    from exportkit import routing, selection
    ops = [Operation(10, "A01-2", "CNC 황삭", "CNC-01", "사내", 30, -5),        # a negative time
           Operation(10, "Q30-1", "최종검사", "INS-WC2", "사내", 5, 4)]        # PROC_SEQ twice
    return selection(routing("SR-1", ops), routing("GL-2"))


def _plan():
    from exportkit import USER, erp_profile, plant
    profile = erp_profile()
    profile.lookups["EMPLOYEE_NO"].values.pop("lee")                    # lee has no employee number
    return build_plan(profile, _bad_selection(), plant({"SR-1": "씰 링", "GL-2": "글랜드"}), USER,
                      now=datetime(2026, 12, 1, 9, 30))


def test_every_problem_and_refusal_the_services_name_has_its_wording():
    """A code added to the services without wording would reach a Korean engineer in English."""
    text = "".join(p.read_text(encoding="utf-8") for p in SERVICES.glob("*.py"))
    named = (set(re.findall(r'\bcode="(\w+)"', text)) | set(re.findall(r'code, params = (?:"[^"]*", )?"(\w+)"', text))
             | set(re.findall(r'"(xlsx_\w+|already_in_target|routing_twice)"', text)))
    assert set(PROBLEM_CODES) <= named | {"no_operations"}
    known = set(wording.PROBLEMS) | set(wording.REFUSALS) | set(wording.SKIPS)
    assert named - known == set()
    assert set(PROBLEM_CODES) - set(wording.PROBLEMS) == set()


def test_the_preview_marks_and_lists_problems_in_korean(qtbot, korean):
    data = prepare_preview(_plan(), 100)
    problems = ProblemsModel()
    problems.set_rows(data.problems)
    reasons = {problems.data(problems.index(r, 4)) for r in range(problems.rowCount())}
    assert "'lee'이(가) 조회 테이블 EMPLOYEE_NO에 없습니다" in reasons
    assert "-5은(는) 음수 시간입니다" in reasons
    assert "10이(가) 이 라우팅에 두 번 나옵니다" in reasons
    assert not any("is not" in r or "appears" in r for r in reasons), reasons
    detail = next(t for t in data.plan.tables if t.name == "P_BOP_PROC_DETAIL")
    model = PreviewModel()
    model.set_table(detail, data.marks[detail.name], data.invalid, [r.ITEM_CD for r in data.plan.routings])
    cell = model.find_cell(0, "RUN_TIME")
    assert model.data(cell, Qt.ItemDataRole.ToolTipRole) == "RUN_TIME: -5은(는) 음수 시간입니다"
    panel = PreviewPanel()
    qtbot.addWidget(panel)
    panel.show_plan(data)
    assert "라우팅 2개: 정상 0개, 오류 2개." in panel.summary.text()
    # each column of the problems list is as wide as the texts it shows, worded reasons included
    shown = panel.problems_model
    for c in range(shown.columnCount()):
        assert shown.shown_texts(c, 100) == {shown.data(shown.index(r, c)) for r in range(shown.rowCount())}
    assert "-5은(는) 음수 시간입니다" in shown.shown_texts(4, 100)


def test_a_refusal_and_the_result_of_an_export_are_worded_in_korean(qtbot, korean, trained_store, tmp_path,
                                                                     monkeypatch):
    import app.services.export.service as service
    from exportkit import USER, erp_profile, plant, routing, selection
    monkeypatch.setattr(service, "load_plant_data", lambda store, codes: plant({"SR-1": "씰 링", "GL-2": "글랜드"}))
    with pytest.raises(ExportError) as refused:
        export(trained_store, erp_profile(), _bad_selection(), ExportTarget("csv", str(tmp_path / "csv")),
               user=USER)
    said = wording.error_text(refused.value)
    assert said == ("내보내기 거부: 라우팅 2개 중 1개에 오류가 있습니다 — 라우팅 SR-1/ML-001, P_BOP_PROC_DETAIL.PROC_SEQ 1행: "
                    "10이(가) 이 라우팅에 두 번 나옵니다; 라우팅 SR-1/ML-001, P_BOP_PROC_DETAIL.RUN_TIME 1행: -5은(는) 음수 "
                    "시간입니다 (외 1건). 정상인 것만 내보내거나 이것들을 고치세요.")

    bad = routing("SR-1")
    bad.note = "벨\x07"
    result = export(trained_store, erp_profile(), selection(bad, routing("GL-2")),
                    ExportTarget("xlsx", str(tmp_path / "erp.xlsx")), ExportOptions(skip_invalid=True), user=USER)
    panel = ResultPanel()
    qtbot.addWidget(panel)
    panel.show_result(result)
    text = panel.toPlainText()
    assert f"라우팅 1개를 프로필 ERP(으)로 파일 {tmp_path / 'erp.xlsx'}에 내보냈습니다:" in text
    assert ("SR-1/ML-001: P_BOP_PROC_MASTER.REV_NOTE 1행: XLSX 파일에 담을 수 없는 제어 문자 U+0007이(가) "
            "있습니다") in text
    assert "제외됨 (1):" in text


def test_refusals_the_window_does_not_know_keep_the_services_english(korean):
    assert wording.error_text(ExportError("format 'pdf' is not one of csv, xlsx, db")) == \
        "format 'pdf' is not one of csv, xlsx, db"
    assert wording.error_text(ExportError("the file is gone", code="file_locked", path="C:\\ERP\\r.xlsx")) == (
        "C:\\ERP\\r.xlsx을(를) 바꿀 수 없습니다: 읽기 전용이거나 다른 프로그램에서 열려 있습니다 (엑셀에서 닫고 다시 "
        "내보내세요). 아무것도 쓰지 않았습니다.")
