"""Drafts kept on this PC when a routing cannot reach its store: kept whole, one per store and item,
never with a password, and uploaded later without writing over someone else's save."""
from __future__ import annotations

import pytest

from app.domain.access import User
from app.domain.routing import Operation
from app.services import drafts, routings
from app.services.drafts import Draft
from app.services.routings import ConflictError

KIM = User("kim", "engineer", "PC-KIM")
LEE = User("lee", "engineer", "PC-LEE")
SERVER = "postgresql+psycopg://kim:s3cret@plant-db/routing"


def _ops(run: float = 2.5) -> list[Operation]:
    return [Operation(PROC_SEQ=10, JOB_CD="J10", JOB_NM="절단", RES_CD="R1", INSIDE_FLAG="사내",
                      SETUP_TIME=5.0, RUN_TIME=run, WAIT_TIME=0.0, MOVE_TIME=0.0)]


def test_a_draft_is_kept_whole_without_the_password_and_a_newer_one_replaces_it():
    drafts.keep(Draft(SERVER, "SR-0001", _ops(2.5), "submitted", 3, "v1", 2, False, "kim", drafts.FAILED))
    drafts.keep(Draft(SERVER, "SR-0002", _ops(1.0), user="kim"))
    drafts.keep(Draft(SERVER, "sr-0001", _ops(4.5), "draft", 3, user="kim"))      # the same item again
    drafts.keep(Draft("sqlite:////tmp/other.sqlite", "SR-0001", _ops(), user="kim"))
    kept = drafts.pending(SERVER)
    assert [d.item_cd for d in kept] == ["SR-0002", "SR-0001"]
    newest = kept[1]
    assert newest.operations[0].RUN_TIME == 4.5 and newest.operations[0].JOB_NM == "절단"
    assert newest.expected_revision == 3 and newest.store == "postgresql+psycopg://kim:***@plant-db/routing"
    assert len(drafts.pending()) == 3
    for path in drafts.drafts_dir().iterdir():
        assert "s3cret" not in path.read_text(encoding="utf-8")


def test_a_damaged_draft_file_is_skipped_and_the_others_stay(caplog):
    drafts.keep(Draft(SERVER, "SR-0001", _ops(), user="kim"))
    (drafts.drafts_dir() / "cut-off.json").write_text('{"store": "x", "item_cd": ', encoding="utf-8")
    assert [d.item_cd for d in drafts.pending()] == ["SR-0001"]
    assert "cut-off.json" in caplog.text


def test_a_draft_uploads_once_and_refuses_to_overwrite_a_later_save(empty_store):
    store = empty_store
    drafts.keep(Draft(store.url, "SR-0001", _ops(2.5), user="kim", reason=drafts.OFFLINE))
    saved = drafts.upload(store, drafts.pending(store.url)[0], KIM)
    assert (saved.revision, saved.updated_by, saved.operations[0].RUN_TIME) == (1, "kim", 2.5)
    assert drafts.pending(store.url) == []

    # kim's second edit started from revision 1, but lee saved revision 2 meanwhile
    drafts.keep(Draft(store.url, "SR-0001", _ops(9.0), expected_revision=1, user="kim"))
    routings.save_routing(store, "SR-0001", _ops(3.0), expected_revision=1, user=LEE)
    with pytest.raises(ConflictError) as refused:
        drafts.upload(store, drafts.pending(store.url)[0], KIM)
    assert refused.value.by == "lee" and refused.value.revision == 2
    assert routings.load_saved(store, "SR-0001").operations[0].RUN_TIME == 3.0   # lee's, untouched
    assert len(drafts.pending(store.url)) == 1                                   # kim's edit still kept
