<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="ko_KR">
<context>
    <name>AuditActionsPanel</name>
    <message>
        <location filename="../../app/ui/audit/actions_panel.py" line="+28"/>
        <source>Export…</source>
        <translation>내보내기…</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Write the events shown to a CSV or Excel file, with a signed checkpoint of the trail beside it</source>
        <translation>표시된 이벤트를 CSV 또는 Excel 파일로 저장하고, 서명된 감사 기록 체크포인트를 그 옆에 함께 저장합니다</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Verify</source>
        <translation>검증</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Check every event of the trail against its hash chain and the signed checkpoints</source>
        <translation>감사 기록의 모든 이벤트를 해시 체인과 서명된 체크포인트로 검사합니다</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Show the row</source>
        <translation>해당 행 보기</translation>
    </message>
    <message>
        <location line="+21"/>
        <source>1 event matches</source>
        <translation>일치하는 이벤트 1건</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>%1 events match</source>
        <translation>일치하는 이벤트 %1건</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Export the audit events</source>
        <translation>감사 이벤트 내보내기</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>CSV, UTF-8 (*.csv);;Excel (*.xlsx)</source>
        <translation>CSV, UTF-8 (*.csv);;Excel (*.xlsx)</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>%1 events written to %2.</source>
        <translation>이벤트 %1건을 %2에 저장했습니다.</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>1 event written to %2.</source>
        <translation>이벤트 1건을 %2에 저장했습니다.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Checkpoint: %1</source>
        <translation>체크포인트: %1</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>No checkpoint: %1</source>
        <translation>체크포인트 없음: %1</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>exporting…</source>
        <translation>내보내는 중…</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>verifying…</source>
        <translation>검증 중…</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>The audit trail is intact: %1 events, seq 1–%2.</source>
        <translation>감사 기록이 온전합니다: 이벤트 %1건, 순번 1–%2.</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>The newest checkpoint (seq %1, signed by %2) matches.</source>
        <translation>최신 체크포인트(순번 %1, 서명자 %2)와 일치합니다.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>No checkpoint was found, so deleting the newest events would not be noticed.</source>
        <translation>체크포인트가 없어 최신 이벤트가 삭제되어도 알 수 없습니다.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>No new checkpoint was written: %1.</source>
        <translation>새 체크포인트를 쓰지 못했습니다: %1.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>%1 events from before the chain were sealed when the store was upgraded.</source>
        <translation>체인 도입 이전의 이벤트 %1건은 저장소를 업그레이드할 때 봉인되었습니다.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>No signer key is pinned on this PC, so the checkpoints&apos; signers come from the store&apos;s own list (see docs/deploy.md).</source>
        <translation>이 PC에는 고정된 서명 키가 없으므로 체크포인트 서명자는 저장소 자체의 목록에서 가져옵니다(docs/deploy.md 참조).</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>(%1 more problems after it)</source>
        <translation>(그 뒤로 문제 %1건 더 있음)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The audit trail is broken: %1</source>
        <translation>감사 기록이 손상되었습니다: %1</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>row seq %1 (%2) does not match its hash: it was edited, inserted or moved.</source>
        <translation>순번 %1 행(%2)이 해시와 맞지 않습니다: 수정, 삽입 또는 이동되었습니다.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>seq %1 is missing (deleted); the next row is %2.</source>
        <translation>순번 %1이 없습니다(삭제됨). 다음 행은 %2입니다.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>seq %1–%2 are missing (deleted); the next row is %3.</source>
        <translation>순번 %1–%2가 없습니다(삭제됨). 다음 행은 %3입니다.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>the newest rows seq %1–%2 were deleted.</source>
        <translation>최신 행 순번 %1–%2가 삭제되었습니다.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Found by the checkpoint %1.</source>
        <translation>체크포인트 %1로 발견했습니다.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>the trail was cut at seq %1: the rows seq %1–%2 that a signed checkpoint covered were deleted, and seq %1 (%3) was written after that checkpoint.</source>
        <translation>기록이 순번 %1에서 잘렸습니다: 서명된 체크포인트가 포함한 순번 %1–%2 행이 삭제되었고, 순번 %1(%3)은 그 체크포인트 이후에 기록되었습니다.</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>row seq %1 is not the row a signed checkpoint names: the trail up to it was rewritten.</source>
        <translation>순번 %1 행이 서명된 체크포인트의 행과 다릅니다: 그때까지의 기록이 다시 작성되었습니다.</translation>
    </message>
</context>
<context>
    <name>AuditDetailPanel</name>
    <message>
        <location filename="../../app/ui/audit/detail_panel.py" line="+15"/>
        <source>Event</source>
        <translation>이벤트</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Select an event to see it here.</source>
        <translation>이벤트를 선택하면 여기에 표시됩니다.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>ok</source>
        <translation>정상</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>denied</source>
        <translation>거부됨</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>failed</source>
        <translation>실패</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Time</source>
        <translation>시각</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>User</source>
        <translation>사용자</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Role</source>
        <translation>역할</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>no role</source>
        <translation>역할 없음</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Machine</source>
        <translation>PC</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Action</source>
        <translation>작업</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Target</source>
        <translation>대상</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Outcome</source>
        <translation>결과</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Seq</source>
        <translation>순번</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Details</source>
        <translation>상세</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Hash</source>
        <translation>해시</translation>
    </message>
</context>
<context>
    <name>AuditEventsModel</name>
    <message>
        <location filename="../../app/ui/audit/models.py" line="+59"/>
        <source>ok</source>
        <translation>정상</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>denied</source>
        <translation>거부됨</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>failed</source>
        <translation>실패</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Time</source>
        <translation>시각</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Local time of this PC</source>
        <translation>이 PC의 현지 시각</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>User</source>
        <translation>사용자</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Role</source>
        <translation>역할</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Machine</source>
        <translation>PC</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Action</source>
        <translation>작업</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Target</source>
        <translation>대상</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Outcome</source>
        <translation>결과</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Details</source>
        <translation>상세</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Seq</source>
        <translation>순번</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Sequence number in the chain</source>
        <translation>체인의 순번</translation>
    </message>
</context>
<context>
    <name>AuditFilterPanel</name>
    <message>
        <location filename="../../app/ui/audit/filter_panel.py" line="+23"/>
        <source>Today</source>
        <translation>오늘</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Last 7 days</source>
        <translation>최근 7일</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Last 30 days</source>
        <translation>최근 30일</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>All time</source>
        <translation>전체 기간</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>From – to</source>
        <translation>기간 지정</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>any user</source>
        <translation>모든 사용자</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>any action</source>
        <translation>모든 작업</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>An action, or a family ending in “.” (model. = every model action)</source>
        <translation>작업 이름, 또는 “.”으로 끝나는 작업 묶음 (model. = 모든 모델 작업)</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>any outcome</source>
        <translation>모든 결과</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>ok</source>
        <translation>정상</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>denied</source>
        <translation>거부됨</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>failed</source>
        <translation>실패</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Search…</source>
        <translation>검색…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Search target, details or machine…</source>
        <translation>대상, 상세, PC 이름 검색…</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>Period</source>
        <translation>기간</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>–</source>
        <translation>–</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>User</source>
        <translation>사용자</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Action</source>
        <translation>작업</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Outcome</source>
        <translation>결과</translation>
    </message>
</context>
<context>
    <name>Banner</name>
    <message>
        <location filename="../../app/ui/widgets.py" line="+141"/>
        <source>Dismiss</source>
        <translation>닫기</translation>
    </message>
</context>
<context>
    <name>BatchModel</name>
    <message>
        <location filename="../../app/ui/prediction/models.py" line="+205"/>
        <source>Status</source>
        <translation>상태</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Score</source>
        <translation>점수</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Ops</source>
        <translation>공정</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>min/pc</source>
        <translation>분/개</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Best candidate</source>
        <translation>최상위 후보</translation>
    </message>
    <message>
        <location line="+20"/>
        <source>ok</source>
        <translation>정상</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>no candidate</source>
        <translation>후보 없음</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>unknown item</source>
        <translation>없는 품목</translation>
    </message>
</context>
<context>
    <name>CandidateListModel</name>
    <message>
        <location line="-153"/>
        <source>Routing</source>
        <translation>라우팅</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Score</source>
        <translation>점수</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>How often a candidate like this one was exactly the routing engineers wrote, learned from this plant&apos;s own items</source>
        <translation>이 공장 품목에서 학습한, 이런 후보가 엔지니어가 작성한 라우팅과 정확히 같았던 비율</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Ops</source>
        <translation>공정</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Supported by</source>
        <translation>근거 품목</translation>
    </message>
    <message>
        <location line="-7"/>
        <source>Operations (of which outsourced)</source>
        <translation>공정 수 (그중 외주)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>min/pc</source>
        <translation>분/개</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Sum of setup and per-piece run times, minutes</source>
        <translation>준비 시간과 개당 가공 시간의 합, 분</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Differs by</source>
        <translation>차이</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Operations this candidate has (+) or lacks (−) compared with candidate 1 (candidate 1: compared with candidate 2)</source>
        <translation>후보 1과 비교해 이 후보에 더 있는 공정(+)과 없는 공정(−) (후보 1은 후보 2와 비교)</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Similar items whose current routing is this one</source>
        <translation>현재 라우팅이 이것과 같은 유사 품목</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Edited · not saved</source>
        <translation>편집됨 · 저장 안 됨</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>draft</source>
        <translation>임시 저장</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>submitted</source>
        <translation>제출됨</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Saved · rev %1 · %2</source>
        <translation>저장됨 · 개정 %1 · %2</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Yours · not saved</source>
        <translation>내 라우팅 · 저장 안 됨</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Candidate %1</source>
        <translation>후보 %1</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>As the model proposed it; editing it starts your own routing from it, and this candidate stays as it is.</source>
        <translation>모델이 제안한 그대로입니다. 편집하면 이 후보를 바탕으로 내 라우팅이 시작되고, 후보는 그대로 남습니다.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Your routing for this item</source>
        <translation>이 품목의 내 라우팅</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Revision %1 saved by %2 at %3</source>
        <translation>개정 %1 — %2, %3 저장</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>It has changes that are not saved yet.</source>
        <translation>아직 저장하지 않은 변경이 있습니다.</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>same operations</source>
        <translation>공정 동일</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>outsourced</source>
        <translation>외주</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>in-house</source>
        <translation>사내</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>other order</source>
        <translation>순서 다름</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Compared with candidate %1:</source>
        <translation>후보 %1과 비교:</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>+ has %1 (%2)</source>
        <translation>+ %1 (%2) 있음</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>− lacks %1 (%2)</source>
        <translation>− %1 (%2) 없음</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>%1 (%2) is outsourced here</source>
        <translation>여기서는 %1 (%2) 외주</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>%1 (%2) is done in-house here</source>
        <translation>여기서는 %1 (%2) 사내 가공</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>the same operations in another order</source>
        <translation>같은 공정, 다른 순서</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>the same operations</source>
        <translation>같은 공정</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>by %1 at %2</source>
        <translation>%1, %2</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>learned rules, from %1</source>
        <translation>학습된 규칙, %1 기준</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>similarity %1</source>
        <translation>유사도 %1</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>No similar item has exactly this routing: it is the routing of these items with the operations that this plant&apos;s learned rules add or drop (see “Why”).</source>
        <translation>이 라우팅과 똑같은 유사 품목은 없습니다: 아래 품목들의 라우팅에 이 공장에서 학습한 규칙이 공정을 더하거나 뺀 것입니다(“근거” 참고).</translation>
    </message>
</context>
<context>
    <name>CompareDialog</name>
    <message>
        <location filename="../../app/ui/prediction/compare.py" line="+82"/>
        <source>Compare the routings of %1</source>
        <translation>%1 라우팅 비교</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>Yours, not saved</source>
        <translation>내 라우팅 (저장 안 됨)</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>%1 operations differ (marked); nothing has been saved. Reload theirs to continue from their revision (Undo brings your edits back), or keep yours and change it.</source>
        <translation>공정 %1개가 다릅니다 (표시됨). 아무것도 저장되지 않았습니다. 상대 개정에서 이어 가려면 상대 것 다시 불러오기를 누르세요 (실행 취소로 내 편집을 되돌릴 수 있습니다). 또는 내 것을 유지하고 고치세요.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>The operations are the same; only the status or who saved differs.</source>
        <translation>공정은 같습니다. 상태나 저장한 사람만 다릅니다.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Reload theirs</source>
        <translation>상대 것 다시 불러오기</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Keep mine</source>
        <translation>내 것 유지</translation>
    </message>
</context>
<context>
    <name>DataPanel</name>
    <message>
        <location filename="../../app/ui/training/data_panel.py" line="+23"/>
        <source>Data and its quality</source>
        <translation>데이터와 품질</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>Store</source>
        <translation>저장소</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Last import</source>
        <translation>최근 가져오기</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Imported at</source>
        <translation>가져온 시각</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Check data quality</source>
        <translation>데이터 품질 점검</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Read the store&apos;s copy of the three views again and report what a trainer should know</source>
        <translation>저장소에 복사된 세 뷰를 다시 읽고 학습 전에 알아야 할 점을 보고합니다</translation>
    </message>
    <message>
        <location line="+36"/>
        <source>%1 rows</source>
        <translation>%1행</translation>
    </message>
    <message>
        <location line="+23"/>
        <source>checking…</source>
        <translation>검사 중…</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>checking the data…</source>
        <translation>데이터 점검 중…</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>check failed</source>
        <translation>검사 실패</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>none yet</source>
        <translation>아직 없음</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>checked at %1</source>
        <translation>%1에 검사함</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Import warnings (columns, rows left out, impossible hours)</source>
        <translation>가져오기 경고 (열, 제외된 행, 불가능한 시간)</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>none — every expected column was found</source>
        <translation>없음 — 필요한 열을 모두 찾았습니다</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Findings</source>
        <translation>점검 결과</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Items without routing</source>
        <translation>라우팅 없는 품목</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Duplicate item codes</source>
        <translation>중복 품목 코드</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Items with several routing variants</source>
        <translation>라우팅 변형이 여러 개인 품목</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Operations in current routings</source>
        <translation>현재 라우팅의 공정 수</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Work results reported twice</source>
        <translation>중복 보고된 작업 실적</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Work results with zero or missing hours</source>
        <translation>시간이 0이거나 없는 작업 실적</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Outlier work results (dropped)</source>
        <translation>이상치 작업 실적 (제외)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Work results with impossible hours (dropped)</source>
        <translation>불가능한 시간의 작업 실적 (제외)</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>e.g. %1</source>
        <translation>예: %1</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Impossible hours, most in: %1</source>
        <translation>불가능한 시간이 가장 많은 품목: %1</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Missing values per column</source>
        <translation>열별 결측 비율</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>no missing values</source>
        <translation>결측 없음</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>… and %1 more columns</source>
        <translation>… 외 %1개 열</translation>
    </message>
</context>
<context>
    <name>DataSourceDialog</name>
    <message>
        <location filename="../../app/ui/dialogs.py" line="+61"/>
        <source>Import a source</source>
        <translation>원천 데이터 가져오기</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Data source</source>
        <translation>데이터 원천</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>SQLite file</source>
        <translation>SQLite 파일</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Access file</source>
        <translation>Access 파일</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>CSV / Excel folder</source>
        <translation>CSV / Excel 폴더</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>SQL Server</source>
        <translation>SQL Server</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Browse…</source>
        <translation>찾아보기…</translation>
    </message>
    <message>
        <location line="+7"/>
        <location line="+87"/>
        <source>File</source>
        <translation>파일</translation>
    </message>
    <message>
        <location line="-70"/>
        <source>View names</source>
        <translation>뷰 이름</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Item master</source>
        <translation>품목 마스터</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Routings</source>
        <translation>라우팅</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Work results</source>
        <translation>작업 실적</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Test connection</source>
        <translation>연결 테스트</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>Save</source>
        <translation>저장</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Import</source>
        <translation>가져오기</translation>
    </message>
    <message>
        <location line="+42"/>
        <source>Folder</source>
        <translation>폴더</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>Choose the folder with the three views</source>
        <translation>세 뷰가 들어 있는 폴더 선택</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>SQLite files (*.sqlite *.db *.sqlite3);;All files (*)</source>
        <translation>SQLite 파일 (*.sqlite *.db *.sqlite3);;모든 파일 (*)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Access files (*.accdb *.mdb);;All files (*)</source>
        <translation>Access 파일 (*.accdb *.mdb);;모든 파일 (*)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Choose the source file</source>
        <translation>원천 파일 선택</translation>
    </message>
    <message>
        <location line="+44"/>
        <source>Enter the server name.</source>
        <translation>서버 이름을 입력하세요.</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>%1 is not a server name: write SERVER, SERVER\INSTANCE or SERVER,PORT (the port a number from 1 to 65535; an IPv6 address in brackets, [ADDRESS],PORT).</source>
        <translation>%1은(는) 서버 이름이 아닙니다: SERVER, SERVER\INSTANCE 또는 SERVER,PORT 형식으로 쓰십시오 (포트는 1에서 65535 사이의 숫자, IPv6 주소는 대괄호 안에 [ADDRESS],PORT).</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Enter the database name.</source>
        <translation>데이터베이스 이름을 입력하세요.</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Choose the source file.</source>
        <translation>원천 파일을 선택하세요.</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Choose the source folder.</source>
        <translation>원본 폴더를 선택하세요.</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>saved in the OS keyring; type to replace it</source>
        <translation>OS 키링에 저장됨. 바꾸려면 새로 입력하세요</translation>
    </message>
    <message>
        <location line="+49"/>
        <source>Connected to %1. The three ERP views are there with their required columns (%2); an import can read them.</source>
        <translation>%1에 연결했습니다. 세 ERP 뷰와 필수 열이 모두 있어(%2) 가져오기를 할 수 있습니다.</translation>
    </message>
    <message>
        <location line="-67"/>
        <source>Enter the SQL login&apos;s user name.</source>
        <translation>SQL 로그인 사용자 이름을 입력하세요.</translation>
    </message>
    <message>
        <location line="+58"/>
        <source>connecting…</source>
        <translation>연결 중…</translation>
    </message>
</context>
<context>
    <name>DraftsDialog</name>
    <message>
        <location filename="../../app/ui/drafts_dialog.py" line="+43"/>
        <source>Drafts on this PC</source>
        <translation>이 PC의 임시 저장본</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Upload all</source>
        <translation>모두 업로드</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Open</source>
        <translation>열기</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Show the selected draft in the Prediction tab, to compare and save it</source>
        <translation>선택한 임시 저장본을 예측 탭에 열어 비교하고 저장합니다</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Discard</source>
        <translation>버리기</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Forget the selected drafts on this PC (the store is not changed)</source>
        <translation>선택한 임시 저장본을 이 PC에서 지웁니다 (저장소는 바뀌지 않습니다)</translation>
    </message>
    <message>
        <location line="+29"/>
        <source>No drafts are kept on this PC: every routing reached its store.</source>
        <translation>이 PC에 남은 임시 저장본이 없습니다: 모든 라우팅이 저장소에 저장되었습니다.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>%1 routings saved on this PC have not reached their store yet; %2 of them belong to the open store %3.</source>
        <translation>이 PC에 저장된 라우팅 %1건이 아직 저장소에 저장되지 않았습니다. 그중 %2건은 지금 열린 저장소 %3의 것입니다.</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Save these routings to the open store %1</source>
        <translation>이 라우팅들을 열린 저장소 %1에 저장합니다</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>None of the drafts belongs to the open store; open their store first.</source>
        <translation>열린 저장소의 임시 저장본이 없습니다. 먼저 해당 저장소를 여세요.</translation>
    </message>
    <message>
        <location line="+35"/>
        <source>uploading…</source>
        <translation>업로드 중…</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>%1 routings saved to %2.</source>
        <translation>라우팅 %1건을 %2에 저장했습니다.</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>%1 not saved: %2 changed it at %3 (revision %4) — Open it to compare; it stays a draft.</source>
        <translation>%1 저장 안 됨: %2님이 %3에 변경했습니다 (개정 %4) — 열어서 비교하세요. 임시 저장본으로 남아 있습니다.</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>%1 not saved: %2 (it stays a draft)</source>
        <translation>%1 저장 안 됨: %2 (임시 저장본으로 남아 있습니다)</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>%1 is a new item: Upload saves it; to look at it first, describe the item in the form and type its code.</source>
        <translation>%1은(는) 신규 품목입니다: 업로드하면 저장됩니다. 먼저 보려면 입력 양식에 품목을 기술하고 코드를 입력하세요.</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Discard drafts</source>
        <translation>임시 저장본 버리기</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Forget %1 drafts on this PC (%2)? Their edits are lost; the store is not changed.</source>
        <translation>이 PC의 임시 저장본 %1건(%2)을 지울까요? 편집 내용은 사라지며 저장소는 바뀌지 않습니다.</translation>
    </message>
</context>
<context>
    <name>DraftsModel</name>
    <message>
        <location line="-155"/>
        <source>saved on this PC while the store was away</source>
        <translation>저장소에 연결할 수 없는 동안 이 PC에 저장됨</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>not saved: the connection was lost</source>
        <translation>저장 안 됨: 연결이 끊어짐</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Ops</source>
        <translation>공정</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Status</source>
        <translation>상태</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>draft</source>
        <translation>임시 저장</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>submitted</source>
        <translation>제출됨</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Kept at</source>
        <translation>보관 시각</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>By</source>
        <translation>작성자</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Why</source>
        <translation>사유</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>For the store</source>
        <translation>대상 저장소</translation>
    </message>
</context>
<context>
    <name>EvaluationPanel</name>
    <message>
        <location filename="../../app/ui/training/evaluation_panel.py" line="+110"/>
        <source>The methods&apos; colours are those of the table&apos;s column headers above.</source>
        <translation>방법별 색상은 위 표의 열 머리글 색상과 같습니다.</translation>
    </message>
    <message>
        <location line="-24"/>
        <source>No model version selected.</source>
        <translation>선택한 모델 버전이 없습니다.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Version %1: %2 held-out routed items (holdout %3, seed %4), trained on %5.</source>
        <translation>버전 %1: 평가 품목 %2개 (비율 %3, 시드 %4), 학습 품목 %5개.</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Ahead of all three baselines on every sequence metric.</source>
        <translation>모든 순서 지표에서 세 기준 방법보다 우수합니다.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>NOT ahead of every baseline on every sequence metric.</source>
        <translation>모든 순서 지표에서 모든 기준 방법보다 우수하지는 않습니다.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Version %1 has not been evaluated yet: press Evaluate.</source>
        <translation>버전 %1은 아직 평가하지 않았습니다. 평가를 누르세요.</translation>
    </message>
</context>
<context>
    <name>ExportModels</name>
    <message>
        <location filename="../../app/ui/export/models.py" line="+118"/>
        <source>type must be one of %1</source>
        <translation>형식은 %1 중 하나여야 합니다</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>length must be a whole number above zero</source>
        <translation>길이는 0보다 큰 정수여야 합니다</translation>
    </message>
    <message>
        <location line="+23"/>
        <location line="+218"/>
        <source>Column</source>
        <translation>열</translation>
    </message>
    <message>
        <location line="-217"/>
        <source>Type</source>
        <translation>형식</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Length</source>
        <translation>길이</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Required</source>
        <translation>필수</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Source</source>
        <translation>원천</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Default</source>
        <translation>기본값</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Transform</source>
        <translation>변환</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Unit</source>
        <translation>단위</translation>
    </message>
    <message>
        <location line="+207"/>
        <source>Routing</source>
        <translation>라우팅</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Table</source>
        <translation>테이블</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Row</source>
        <translation>행</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Reason</source>
        <translation>사유</translation>
    </message>
</context>
<context>
    <name>ExportTab</name>
    <message>
        <location filename="../../app/ui/export/tab.py" line="+48"/>
        <source>Mapping profile</source>
        <translation>매핑 프로필</translation>
    </message>
    <message>
        <location line="+20"/>
        <source>Preview</source>
        <translation>미리보기</translation>
    </message>
    <message>
        <location line="+34"/>
        <source>%1 items with a candidate (model %2)</source>
        <translation>후보가 있는 품목 %1개 (모델 %2)</translation>
    </message>
    <message>
        <location line="+20"/>
        <location line="+14"/>
        <source>%1, %2 operations</source>
        <translation>%1, 공정 %2개</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Only an admin can change mapping profiles; you are %1 (%2).</source>
        <translation>매핑 프로필은 관리자만 바꿀 수 있습니다. 현재 사용자: %1 (%2).</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Only an engineer or higher can export routings; you are %1 (%2).</source>
        <translation>라우팅 내보내기는 엔지니어 이상만 할 수 있습니다. 현재 사용자: %1 (%2).</translation>
    </message>
    <message>
        <location line="+44"/>
        <source>the editor</source>
        <translation>편집기</translation>
    </message>
    <message>
        <location line="+21"/>
        <source>Nothing to export: %1 holds no routing.</source>
        <translation>내보낼 것이 없습니다: %1에 라우팅이 없습니다.</translation>
    </message>
    <message>
        <location line="+23"/>
        <source>exporting…</source>
        <translation>내보내는 중…</translation>
    </message>
</context>
<context>
    <name>ExportWording</name>
    <message>
        <location filename="../../app/ui/export/wording.py" line="+21"/>
        <source>the routing has no operations</source>
        <translation>라우팅에 공정이 없습니다</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>{value} is not a number of {unit}</source>
        <translation>{value}은(는) {unit} 단위의 숫자가 아닙니다</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>{value} is not in lookup {lookup}</source>
        <translation>{value}이(가) 조회 테이블 {lookup}에 없습니다</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>{value} is not in lookup {lookup}; written empty</source>
        <translation>{value}이(가) 조회 테이블 {lookup}에 없어 빈 값으로 씁니다</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>{value} has no mapping ({mapping})</source>
        <translation>{value}에 대한 매핑이 없습니다 ({mapping})</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>{value} is longer than the {length} characters the column holds</source>
        <translation>{value}이(가) 열에 들어가는 {length}자보다 깁니다</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>{value} is longer than the {length} bytes the column holds (a Korean letter takes two)</source>
        <translation>{value}이(가) 열에 들어가는 {length}바이트보다 깁니다 (한글은 한 글자에 2바이트)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>{value} is not a date and time (write YYYY-MM-DD HH:MM:SS)</source>
        <translation>{value}은(는) 날짜와 시각이 아닙니다 (YYYY-MM-DD HH:MM:SS 형식으로 쓰세요)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>{value} is not a whole number</source>
        <translation>{value}은(는) 정수가 아닙니다</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>{value} is not a number</source>
        <translation>{value}은(는) 숫자가 아닙니다</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>{value} is not a number that fits NUMERIC({precision},{scale})</source>
        <translation>{value}은(는) NUMERIC({precision},{scale})에 들어가는 숫자가 아닙니다</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>required, but empty (from {sources})</source>
        <translation>필수인데 비어 있습니다 (원천: {sources})</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>required, but it has no source and no default</source>
        <translation>필수인데 원천도 기본값도 없습니다</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>{value} is not one of {allowed}</source>
        <translation>{value}은(는) {allowed} 중 하나가 아닙니다</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>{value} is a negative time</source>
        <translation>{value}은(는) 음수 시간입니다</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>holds {unit} but the column is in {column_unit}</source>
        <translation>값은 {unit} 단위인데 열은 {column_unit} 단위입니다</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>holds {unit} but {unit_column} says {value}</source>
        <translation>값은 {unit} 단위인데 {unit_column}은(는) {value}입니다</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>{value} must be above zero</source>
        <translation>{value}은(는) 0보다 커야 합니다</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>{value} appears twice in this routing</source>
        <translation>{value}이(가) 이 라우팅에 두 번 나옵니다</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>{value} does not increase (the operation before has {prev})</source>
        <translation>{value}이(가) 커지지 않습니다 (앞 공정은 {prev})</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>every {columns} of this routing is zero</source>
        <translation>이 라우팅의 {columns}이(가) 모두 0입니다</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>already in {tables} of {target}; choose Replace to overwrite it</source>
        <translation>{target}의 {tables}에 이미 있습니다. 덮어쓰려면 교체를 선택하세요</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>{value} is in the selection already (row {first_row}) with the same ROUT_NO; the target would hold the routing twice: export it once</source>
        <translation>{value}이(가) 같은 ROUT_NO로 선택에 이미 있습니다 ({first_row}행); 대상에 라우팅이 두 번 들어가므로 한 번만 내보내세요</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>holds the control character {character}, which an XLSX file cannot hold; remove it, or export as CSV or into a database</source>
        <translation>XLSX 파일에 담을 수 없는 제어 문자 {character}이(가) 있습니다. 지우거나 CSV 또는 데이터베이스로 내보내세요</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>holds {length} characters; a spreadsheet cell holds at most {limit}; shorten it, or export as CSV or into a database</source>
        <translation>{length}자입니다. 스프레드시트 칸에는 최대 {limit}자까지 들어갑니다. 줄이거나 CSV 또는 데이터베이스로 내보내세요</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Nothing to export: {selection} holds no routing.</source>
        <translation>내보낼 것이 없습니다: {selection}에 라우팅이 없습니다.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Export refused: the routing is invalid — {problems}</source>
        <translation>내보내기 거부: 라우팅에 오류가 있습니다 — {problems}</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Export refused: all {routings} routings are invalid — {problems}</source>
        <translation>내보내기 거부: 라우팅 {routings}개 모두 오류가 있습니다 — {problems}</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Export refused: {invalid} of {routings} routings are invalid — {problems}. Export only the valid ones, or fix these.</source>
        <translation>내보내기 거부: 라우팅 {routings}개 중 {invalid}개에 오류가 있습니다 — {problems}. 정상인 것만 내보내거나 이것들을 고치세요.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Export refused: the selection gives no row for any table of profile {profile}.</source>
        <translation>내보내기 거부: 선택한 대상으로는 프로필 {profile}의 어느 테이블에도 행이 생기지 않습니다.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The folder {path} does not exist.</source>
        <translation>폴더 {path}이(가) 없습니다.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The folder {path} cannot be made: {why}</source>
        <translation>폴더 {path}을(를) 만들 수 없습니다: {why}</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>{path} cannot be replaced: it is read-only or open in another program (close it in Excel and export again). Nothing was written.</source>
        <translation>{path}을(를) 바꿀 수 없습니다: 읽기 전용이거나 다른 프로그램에서 열려 있습니다 (엑셀에서 닫고 다시 내보내세요). 아무것도 쓰지 않았습니다.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>{path} cannot be replaced: {why}. Nothing was written.</source>
        <translation>{path}을(를) 바꿀 수 없습니다: {why}. 아무것도 쓰지 않았습니다.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Export refused: table {table} has {rows} rows, more than the {limit} a spreadsheet sheet holds below its header. Export as CSV or into a database, or export fewer routings.</source>
        <translation>내보내기 거부: 테이블 {table}이(가) {rows}행으로, 스프레드시트 시트에 머리글 아래 들어가는 {limit}행보다 많습니다. CSV 또는 데이터베이스로 내보내거나 라우팅을 줄여 내보내세요.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>{target} does not exist: choose an existing database, or let Routing ML make staging tables of the profile&apos;s layout in a new file (create tables).</source>
        <translation>{target}이(가) 없습니다: 있는 데이터베이스를 고르거나, Routing ML이 새 파일에 프로필 구조의 스테이징 테이블을 만들게 하세요 (테이블 만들기).</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Cannot connect to {target}: {said}. Nothing was written.</source>
        <translation>{target}에 연결할 수 없습니다: {said}. 아무것도 쓰지 않았습니다.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The connection to {target} failed while committing ({said}): whether the export arrived is unknown. Look for the routings in the target before exporting again.</source>
        <translation>커밋 중 {target} 연결이 실패했습니다 ({said}): 내보내기가 반영되었는지 알 수 없습니다. 다시 내보내기 전에 대상에서 라우팅을 확인하세요.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Writing to {target} failed: {said}. The transaction was rolled back; nothing of this export was written.</source>
        <translation>{target}에 쓰는 중 실패했습니다: {said}. 트랜잭션을 롤백했으므로 이번 내보내기는 아무것도 쓰이지 않았습니다.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>The connection to {target} was lost while writing: {said}. The transaction was rolled back; nothing of this export was written.</source>
        <translation>쓰는 중 {target} 연결이 끊겼습니다: {said}. 트랜잭션을 롤백했으므로 이번 내보내기는 아무것도 쓰이지 않았습니다.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>{target} has no table {table} (tables there: {tables}).</source>
        <translation>{target}에 테이블 {table}이(가) 없습니다 (있는 테이블: {tables}).</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>{target}: table {table} has no column {column}, which profile {profile} fills.</source>
        <translation>{target}: 테이블 {table}에 프로필 {profile}이(가) 채우는 열 {column}이(가) 없습니다.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>{target}: table {table} needs a value in {columns}, which profile {profile} does not fill.</source>
        <translation>{target}: 테이블 {table}의 {columns}에 값이 있어야 하는데 프로필 {profile}이(가) 채우지 않습니다.</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>not predicted: {message}</source>
        <translation>예측되지 않음: {message}</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>no candidate routing ({why})</source>
        <translation>후보 라우팅 없음 ({why})</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>no candidate routing (no similar item has a routing)</source>
        <translation>후보 라우팅 없음 (라우팅이 있는 유사 품목이 없음)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>candidate {rank} does not exist (the prediction has {candidates})</source>
        <translation>후보 {rank}이(가) 없습니다 (예측 후보는 {candidates}개)</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>(empty)</source>
        <translation>(빈 값)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>minutes</source>
        <translation>분</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>hours</source>
        <translation>시간</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>seconds</source>
        <translation>초</translation>
    </message>
    <message>
        <location line="+1"/>
        <source> or </source>
        <translation> 또는 </translation>
    </message>
    <message>
        <location line="+1"/>
        <source> and </source>
        <translation>, </translation>
    </message>
    <message>
        <location line="+1"/>
        <source>{lookup} (the plant&apos;s resources)</source>
        <translation>{lookup} (공장의 자원)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>routing {routing}</source>
        <translation>라우팅 {routing}</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>{cell} in row {row}</source>
        <translation>{cell} {row}행</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>(and {count} more)</source>
        <translation>(외 {count}건)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>the routing of {item} in the editor</source>
        <translation>편집기의 {item} 라우팅</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>a batch prediction of {items} item(s) (model {model})</source>
        <translation>품목 {items}개의 일괄 예측 (모델 {model})</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>saved routings</source>
        <translation>저장된 라우팅</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>saved routings ({filter})</source>
        <translation>저장된 라우팅 ({filter})</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>approved</source>
        <translation>승인됨</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>status {statuses}</source>
        <translation>상태 {statuses}</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>saved since {date}</source>
        <translation>{date} 이후 저장</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>saved until {date}</source>
        <translation>{date} 이전 저장</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>saved by {user}</source>
        <translation>저장자 {user}</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>the selection</source>
        <translation>선택한 대상</translation>
    </message>
</context>
<context>
    <name>InputPanel</name>
    <message>
        <location filename="../../app/ui/prediction/inputs.py" line="+53"/>
        <source>Paste or type item codes: one per line, or separated by commas, tabs or spaces (Ctrl+Enter predicts)</source>
        <translation>품목 코드를 붙여넣거나 입력하세요: 한 줄에 하나 또는 쉼표, 탭, 공백으로 구분 (Ctrl+Enter로 예측)</translation>
    </message>
    <message>
        <location line="+33"/>
        <source>needed to save</source>
        <translation>저장에 필요</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The code the routing is saved under: a code no item has yet</source>
        <translation>라우팅을 저장할 품목 코드: 아직 어떤 품목도 쓰지 않는 코드</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>e.g. %1</source>
        <translation>예: %1</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>Copy attributes of the selected item</source>
        <translation>선택한 품목의 속성 복사</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Start from an existing item picked in the item master</source>
        <translation>품목 마스터에서 고른 기존 품목에서 시작</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Clear</source>
        <translation>지우기</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>Item master</source>
        <translation>품목 마스터</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Item codes</source>
        <translation>품목 코드</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>New item</source>
        <translation>신규 품목</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>How many similar items to look at (top-k)</source>
        <translation>참고할 유사 품목 수 (top-k)</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>How many distinct candidate routings to propose</source>
        <translation>제안할 서로 다른 후보 라우팅 수</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Similar items below this cosine similarity are ignored</source>
        <translation>이 코사인 유사도보다 낮은 유사 품목은 무시합니다</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Options</source>
        <translation>옵션</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Similar items</source>
        <translation>유사 품목</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Candidates</source>
        <translation>후보 수</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Threshold</source>
        <translation>임계값</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Model</source>
        <translation>모델</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Predict</source>
        <translation>예측</translation>
    </message>
    <message>
        <location line="+31"/>
        <source>active model (%1)</source>
        <translation>활성 모델 (%1)</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>none</source>
        <translation>없음</translation>
    </message>
    <message>
        <location line="+22"/>
        <source>Waiting for the model to load…</source>
        <translation>모델을 불러오는 중입니다…</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Predict the selected item, the pasted codes or the described item (Enter)</source>
        <translation>선택한 품목, 붙여넣은 코드 또는 입력한 신규 품목을 예측 (Enter)</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>%1 item codes</source>
        <translation>품목 코드 %1개</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>%1: “%2” could mean a thousands separator or a decimal comma; type it without the separator (1500) or with a decimal point (1.5).</source>
        <translation>%1: “%2”는 천 단위 구분 기호인지 소수점 쉼표인지 알 수 없습니다. 구분 기호 없이(1500) 또는 소수점으로(1.5) 입력하세요.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>%1: “%2” is not a number.</source>
        <translation>%1: “%2”는 숫자가 아닙니다.</translation>
    </message>
</context>
<context>
    <name>ItemBrowser</name>
    <message>
        <location filename="../../app/ui/item_browser.py" line="+165"/>
        <source>Search code, name, spec or part type…</source>
        <translation>품목 코드, 품명, 사양, 부품 유형 검색…</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Only items without routing</source>
        <translation>라우팅 없는 품목만</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>New items that still need a routing</source>
        <translation>아직 라우팅이 없는 신규 품목</translation>
    </message>
    <message>
        <location line="+40"/>
        <source>Search failed: %1</source>
        <translation>검색 실패: %1</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>%1 items</source>
        <translation>%1개 품목</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>searching…</source>
        <translation>검색 중…</translation>
    </message>
</context>
<context>
    <name>ItemTableModel</name>
    <message>
        <location line="-107"/>
        <source>Material</source>
        <translation>재질</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>OD mm</source>
        <translation>외경 mm</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>ID mm</source>
        <translation>내경 mm</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>T mm</source>
        <translation>두께 mm</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Routing</source>
        <translation>라우팅</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>yes</source>
        <translation>있음</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>none</source>
        <translation>없음</translation>
    </message>
</context>
<context>
    <name>JobBar</name>
    <message>
        <location filename="../../app/ui/widgets.py" line="+42"/>
        <source>Cancel</source>
        <translation>취소</translation>
    </message>
    <message>
        <location line="+32"/>
        <source>cancelling…</source>
        <translation>취소 중…</translation>
    </message>
</context>
<context>
    <name>Labels</name>
    <message>
        <location filename="../../app/ui/wording.py" line="+92"/>
        <source>Part type</source>
        <translation>부품 유형</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Material</source>
        <translation>재질</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Dimensions</source>
        <translation>치수</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Seal specification</source>
        <translation>씰 사양</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Classification</source>
        <translation>분류</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Rotation</source>
        <translation>회전 방향</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Specification words</source>
        <translation>사양 단어</translation>
    </message>
    <message>
        <location line="+2"/>
        <location line="+7"/>
        <source>Routing ML</source>
        <translation>Routing ML</translation>
    </message>
    <message>
        <location line="-6"/>
        <source>plain kNN vote (k=15, similarity²)</source>
        <translation>단순 kNN 투표 (k=15, 유사도²)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>single nearest item</source>
        <translation>가장 유사한 품목 1개</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>most frequent routing of PART_TYPE</source>
        <translation>PART_TYPE별 최다 라우팅</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>plant&apos;s ceiling (rule routing)</source>
        <translation>공장 상한 (규칙 라우팅)</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>kNN vote (k=15)</source>
        <translation>kNN 투표 (k=15)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>nearest item</source>
        <translation>최근접 품목</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>part type&apos;s usual routing</source>
        <translation>품목 유형의 최빈 라우팅</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>plant&apos;s ceiling</source>
        <translation>공장 상한</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>top-1 exact</source>
        <translation>1순위 일치</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>top-3 hit</source>
        <translation>3순위 내 적중</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>sequence similarity</source>
        <translation>공정 순서 유사도</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>edit distance</source>
        <translation>편집 거리</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>operation-set Jaccard</source>
        <translation>공정 집합 Jaccard</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>run MdAPE</source>
        <translation>가공 MdAPE</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>run ±25 %</source>
        <translation>가공 ±25 %</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>setup MdAPE</source>
        <translation>준비 MdAPE</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>setup ±25 %</source>
        <translation>준비 ±25 %</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>lot-10 total MdAPE</source>
        <translation>로트 10 총시간 MdAPE</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>lot-10 total ±25 %</source>
        <translation>로트 10 총시간 ±25 %</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The first candidate is exactly the routing engineers wrote</source>
        <translation>첫 번째 후보가 엔지니어가 작성한 라우팅과 정확히 같음</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The routing engineers wrote is among the first three candidates</source>
        <translation>엔지니어가 작성한 라우팅이 상위 3개 후보 안에 있음</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>1 − edit distance ÷ the longer routing&apos;s operations</source>
        <translation>1 − 편집 거리 ÷ 더 긴 라우팅의 공정 수</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Operations to insert, delete or replace to turn the first candidate into the routing engineers wrote (mean)</source>
        <translation>첫 번째 후보를 엔지니어가 작성한 라우팅으로 바꾸려면 추가·삭제·교체해야 하는 공정 수 (평균)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Operations both have ÷ operations either has</source>
        <translation>양쪽에 모두 있는 공정 ÷ 어느 한쪽에라도 있는 공정</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>op-set Jaccard</source>
        <translation>공정 Jaccard</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>balanced</source>
        <translation>균형</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>geometry first</source>
        <translation>형상 우선</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>all equal</source>
        <translation>모두 동일</translation>
    </message>
</context>
<context>
    <name>LearnedOperationsModel</name>
    <message>
        <location filename="../../app/ui/training/learned_panel.py" line="+50"/>
        <source>Operation</source>
        <translation>공정</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Decided by (ranked)</source>
        <translation>결정 요인 (순위)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>What the learned rule reads to decide whether an item gets the operation, with each one&apos;s share of the decision</source>
        <translation>학습된 규칙이 품목에 이 공정을 넣을지 정할 때 보는 것과, 각각이 결정에서 차지하는 비중</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Items with it</source>
        <translation>공정이 있는 품목</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Items of the learning sample that have the operation, of those that could</source>
        <translation>학습 표본 중 이 공정이 올 수 있는 품목 가운데 실제로 있는 품목</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Right, learned</source>
        <translation>적중, 학습 규칙</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>How often the learned rule was right, each item predicted without itself</source>
        <translation>각 품목을 자신을 빼고 예측했을 때 학습된 규칙이 맞힌 비율</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Right, vote only</source>
        <translation>적중, 투표만</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>How often the similar items&apos; majority alone was right</source>
        <translation>유사 품목의 다수결만으로 맞힌 비율</translation>
    </message>
</context>
<context>
    <name>LearnedPanel</name>
    <message>
        <location line="-25"/>
        <source>similar items&apos; routings</source>
        <translation>유사 품목의 라우팅</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>word “%1”</source>
        <translation>단어 “%1”</translation>
    </message>
    <message>
        <location line="+100"/>
        <source>Select a model version to see what it learned.</source>
        <translation>모델 버전을 선택하면 학습한 내용이 표시됩니다.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Model %1 learned no rules of its own (trained by an older version, or too few items).</source>
        <translation>모델 %1은(는) 학습한 규칙이 없습니다 (이전 버전으로 학습했거나 품목이 너무 적음).</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Model %1 learned from %2 of the plant&apos;s items, each predicted from its %3 most similar others: what decides each operation (those where the learned rule gained most over the similar items&apos; vote first), and what moves its times.</source>
        <translation>모델 %1은(는) 공장 품목 %2개를 각각 가장 유사한 다른 품목 %3개로 예측하며 학습했습니다: 각 공정을 결정하는 요인(학습 규칙이 유사 품목 투표보다 가장 나아진 공정부터)과 시간을 바꾸는 요인.</translation>
    </message>
</context>
<context>
    <name>LearnedTimesModel</name>
    <message>
        <location line="-70"/>
        <source>Operation</source>
        <translation>공정</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Run time moves with</source>
        <translation>가공 시간을 바꾸는 요인</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The attributes that change the run time most: for a size, the factor from small to large items (10th to 90th percentile); for a category or word, the factor it brings</source>
        <translation>가공 시간을 가장 크게 바꾸는 속성: 치수는 작은 품목에서 큰 품목까지(10–90 백분위)의 배율, 분류나 단어는 그것이 주는 배율</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Setup time moves with</source>
        <translation>준비 시간을 바꾸는 요인</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Items</source>
        <translation>품목</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Items with usable work results the time model learned from</source>
        <translation>시간 모델이 학습한, 쓸 수 있는 작업 실적이 있는 품목</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../../app/ui/window.py" line="+93"/>
        <location line="+582"/>
        <source>Routing ML</source>
        <translation>Routing ML</translation>
    </message>
    <message>
        <location filename="../../app/ui/selftest.py" line="+121"/>
        <location filename="../../app/ui/window.py" line="-562"/>
        <source>Prediction</source>
        <translation>예측</translation>
    </message>
    <message>
        <location filename="../../app/ui/window.py" line="+1"/>
        <source>Training</source>
        <translation>학습</translation>
    </message>
    <message>
        <location line="+71"/>
        <source>&amp;File</source>
        <translation>파일(&amp;F)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Open a store file…</source>
        <translation>저장소 파일 열기…</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Import a source…</source>
        <translation>원천 데이터 가져오기…</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Save routing</source>
        <translation>라우팅 저장</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Quit</source>
        <translation>종료</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>&amp;Edit</source>
        <translation>편집(&amp;E)</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>&amp;Settings</source>
        <translation>설정(&amp;S)</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Data source…</source>
        <translation>데이터 원천…</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Language</source>
        <translation>언어</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Follow the system</source>
        <translation>시스템 설정 따르기</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>&amp;Help</source>
        <translation>도움말(&amp;H)</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+593"/>
        <source>About Routing ML</source>
        <translation>Routing ML 정보</translation>
    </message>
    <message>
        <location line="-592"/>
        <source>Open log folder</source>
        <translation>로그 폴더 열기</translation>
    </message>
    <message>
        <location filename="../../app/ui/audit/models.py" line="-42"/>
        <location filename="../../app/ui/window.py" line="+22"/>
        <source>admin</source>
        <translation>관리자</translation>
    </message>
    <message>
        <location line="-2"/>
        <location filename="../../app/ui/window.py" line="+0"/>
        <source>engineer</source>
        <translation>엔지니어</translation>
    </message>
    <message>
        <location line="+1"/>
        <location filename="../../app/ui/window.py" line="+0"/>
        <source>approver</source>
        <translation>승인자</translation>
    </message>
    <message>
        <location filename="../../app/ui/window.py" line="+11"/>
        <source>User: %1 (%2)</source>
        <translation>사용자: %1 (%2)</translation>
    </message>
    <message>
        <location line="+265"/>
        <source>Welcome to Routing ML. This store is empty, so a demo seal plant (%1 items) is being built and a first model trained; predictions are ready when the bar below is full. Import your own plant&apos;s data later with File ▸ Import a source.</source>
        <translation>Routing ML에 오신 것을 환영합니다. 저장소가 비어 있어 데모 씰 공장(품목 %1개)을 만들고 첫 모델을 학습하는 중입니다. 아래 막대가 가득 차면 예측할 수 있습니다. 우리 공장 데이터는 나중에 파일 ▸ 원본 가져오기로 불러오세요.</translation>
    </message>
    <message>
        <location line="+325"/>
        <source>The program closes; save your edited routing first?</source>
        <translation>프로그램을 닫습니다. 편집한 라우팅을 먼저 저장할까요?</translation>
    </message>
    <message>
        <location line="-614"/>
        <location line="+151"/>
        <location line="+186"/>
        <source>Model: loading…</source>
        <translation>모델: 불러오는 중…</translation>
    </message>
    <message>
        <location line="-455"/>
        <source>Mapping &amp;&amp; Export</source>
        <translation>매핑 &amp;&amp; 내보내기</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Retry</source>
        <translation>다시 시도</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Work on a local store</source>
        <translation>이 PC의 저장소로 작업</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Switch back</source>
        <translation>원래 저장소로 돌아가기</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Drafts…</source>
        <translation>임시 저장본…</translation>
    </message>
    <message>
        <location line="+56"/>
        <source>Drafts on this PC…</source>
        <translation>이 PC의 임시 저장본…</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>Store…</source>
        <translation>저장소…</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Roles and audit…</source>
        <translation>역할과 감사…</translation>
    </message>
    <message>
        <location line="+28"/>
        <location line="+150"/>
        <source>connecting…</source>
        <translation>연결 중…</translation>
    </message>
    <message>
        <location line="-137"/>
        <source>signing in…</source>
        <translation>로그인 중…</translation>
    </message>
    <message>
        <location line="+2"/>
        <location line="+62"/>
        <location line="+4"/>
        <source>no role</source>
        <translation>역할 없음</translation>
    </message>
    <message>
        <location line="-63"/>
        <source>%1, cached until %2</source>
        <translation>%1, %2까지 캐시됨</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Role read from the directory; kept for working offline until %1.</source>
        <translation>디렉터리에서 읽은 역할입니다. 오프라인 작업용으로 %1까지 유지됩니다.</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>Audit</source>
        <translation>감사</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>%1 (this PC&apos;s own; %2 cannot be reached)</source>
        <translation>%1 (이 PC의 저장소, %2에 연결할 수 없음)</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>%1 (cannot be reached)</source>
        <translation>%1 (연결할 수 없음)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>%1 (opening…)</source>
        <translation>%1 (여는 중…)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Store: %1</source>
        <translation>저장소: %1</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>connected</source>
        <translation>연결됨</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>not connected</source>
        <translation>연결 안 됨</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Only an admin can do this; you are signed in as %1 (%2).</source>
        <translation>관리자만 할 수 있습니다. 현재 사용자: %1 (%2).</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Only an admin can import a source; you are signed in as %1 (%2).</source>
        <translation>원천 데이터 가져오기는 관리자만 할 수 있습니다. 현재 사용자: %1 (%2).</translation>
    </message>
    <message>
        <location line="+42"/>
        <source>The store %1 cannot be reached: %2. Retry when the network or the server is back, or work on this PC&apos;s own store meanwhile: routings you save there are kept as drafts and offered for upload when %1 answers again.</source>
        <translation>저장소 %1에 연결할 수 없습니다: %2. 네트워크나 서버가 돌아오면 다시 시도하거나, 그동안 이 PC의 저장소로 작업하세요: 그곳에 저장한 라우팅은 임시 저장본으로 보관되고, %1에 다시 연결되면 업로드를 제안합니다.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>The store %1 cannot be reached: %2.</source>
        <translation>저장소 %1에 연결할 수 없습니다: %2.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The store %1 cannot be opened: %2.</source>
        <translation>저장소 %1을(를) 열 수 없습니다: %2.</translation>
    </message>
    <message>
        <location line="+43"/>
        <source>Working on this PC&apos;s own store %1 while %2 cannot be reached. Routings you save are kept as drafts for %2 and offered for upload when it answers again.</source>
        <translation>%2에 연결할 수 없어 이 PC의 저장소 %1로 작업 중입니다. 저장한 라우팅은 %2용 임시 저장본으로 보관되고, 다시 연결되면 업로드를 제안합니다.</translation>
    </message>
    <message>
        <location line="+26"/>
        <source>%1 answers again. Switch back to it; the %2 routings saved here meanwhile are offered for upload there.</source>
        <translation>%1에 다시 연결되었습니다. 원래 저장소로 돌아가세요. 그동안 여기 저장한 라우팅 %2건은 그곳에 업로드하도록 제안합니다.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>%1 answers again. Switch back to it.</source>
        <translation>%1에 다시 연결되었습니다. 원래 저장소로 돌아가세요.</translation>
    </message>
    <message>
        <location line="+27"/>
        <source>%1 routings kept on this PC have not been saved to this store yet (%2): open Drafts… to upload them.</source>
        <translation>이 PC에 보관된 라우팅 %1건이 아직 이 저장소에 저장되지 않았습니다 (%2): 임시 저장본…을 열어 업로드하세요.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>%1 routings kept on this PC wait for their store (%2).</source>
        <translation>이 PC에 보관된 라우팅 %1건이 저장소를 기다리고 있습니다 (%2).</translation>
    </message>
    <message>
        <location line="+24"/>
        <source>You have no role in Routing ML, so it can do nothing for you yet: %1</source>
        <translation>Routing ML에서 역할이 없으므로 아직 아무것도 할 수 없습니다: %1</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>ask an admin to give you one.</source>
        <translation>관리자에게 역할을 요청하세요.</translation>
    </message>
    <message>
        <location line="+15"/>
        <location line="+48"/>
        <source>Model: –</source>
        <translation>모델: –</translation>
    </message>
    <message>
        <location line="-39"/>
        <source>This store is empty. Import your plant&apos;s data with File ▸ Import a source.</source>
        <translation>저장소가 비어 있습니다. 파일 ▸ 원천 데이터 가져오기로 공장 데이터를 가져오세요.</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>Model: building the demo plant…</source>
        <translation>모델: 데모 공장 생성 중…</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>building the demo plant…</source>
        <translation>데모 공장 생성 중…</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>The demo plant is ready (model %1). Tick “Only items without routing”, pick an item and press Predict.</source>
        <translation>데모 공장이 준비되었습니다 (모델 %1). “라우팅 없는 품목만”을 체크하고 품목을 골라 예측을 누르세요.</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>The demo plant could not be built: %1</source>
        <translation>데모 공장을 만들지 못했습니다: %1</translation>
    </message>
    <message>
        <location line="+55"/>
        <source>No model trained yet: train one on the Training tab.</source>
        <translation>학습된 모델이 없습니다. 학습 탭에서 모델을 학습하세요.</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Model: not loaded</source>
        <translation>모델: 불러오지 못함</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Model %1 was activated by %2 at %3: predictions now use it instead of %4.</source>
        <translation>%2님이 %3에 모델 %1을(를) 활성화했습니다: 이제 예측에 %4 대신 이 모델을 씁니다.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Model %1 was activated by %2: predictions now use it instead of %4.</source>
        <translation>%2님이 모델 %1을(를) 활성화했습니다: 이제 예측에 %4 대신 이 모델을 씁니다.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Model %1 is active now: predictions use it instead of %4.</source>
        <translation>이제 모델 %1이(가) 활성 모델입니다: 예측에 %4 대신 이 모델을 씁니다.</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Model: %1 (new)</source>
        <translation>모델: %1 (새 모델)</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Model: %1</source>
        <translation>모델: %1</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Model: none</source>
        <translation>모델: 없음</translation>
    </message>
    <message>
        <location line="+19"/>
        <location line="+25"/>
        <source>Open a store file</source>
        <translation>저장소 파일 열기</translation>
    </message>
    <message>
        <location line="-24"/>
        <source>Routing ML store (*.sqlite *.db);;All files (*)</source>
        <translation>Routing ML 저장소 (*.sqlite *.db);;모든 파일 (*)</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>Wait for the running job to finish first.</source>
        <translation>실행 중인 작업이 끝날 때까지 기다리세요.</translation>
    </message>
    <message>
        <location line="+2"/>
        <location line="+13"/>
        <source>Another store is opened next; save your edited routing in this one first?</source>
        <translation>다른 저장소를 엽니다. 편집한 라우팅을 이 저장소에 먼저 저장할까요?</translation>
    </message>
    <message>
        <location line="+67"/>
        <source>Importing %1…</source>
        <translation>%1 가져오는 중…</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>Import not done: the source has far fewer rows than the store; the store is unchanged.</source>
        <translation>가져오지 않았습니다: 원본의 행이 저장소보다 훨씬 적습니다. 저장소는 그대로입니다.</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Imported %1: %2</source>
        <translation>%1 가져옴: %2</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Import failed: %1</source>
        <translation>가져오기 실패: %1</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Import cancelled; the store is unchanged.</source>
        <translation>가져오기를 취소했습니다. 저장소는 그대로입니다.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>importing…</source>
        <translation>가져오는 중…</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>The window is built again in the new language; save your edited routing first?</source>
        <translation>새 언어로 창을 다시 엽니다. 편집한 라우팅을 먼저 저장할까요?</translation>
    </message>
    <message>
        <location line="+22"/>
        <source>&lt;h3&gt;Routing ML %1&lt;/h3&gt;&lt;p&gt;Proposes routings for new items of a mechanical-seal plant from similar items and shop-floor results.&lt;/p&gt;&lt;p&gt;Store: %2&lt;/p&gt;</source>
        <translation>&lt;h3&gt;Routing ML %1&lt;/h3&gt;&lt;p&gt;유사 품목과 현장 작업 실적으로 메커니컬 씰 공장의 신규 품목 라우팅을 제안합니다.&lt;/p&gt;&lt;p&gt;저장소: %2&lt;/p&gt;</translation>
    </message>
</context>
<context>
    <name>MetricsModel</name>
    <message>
        <location filename="../../app/ui/training/models.py" line="+128"/>
        <source>Metric</source>
        <translation>지표</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>The plant&apos;s rule routings scored against the routings engineers wrote: what no method can pass (known for a demo plant).</source>
        <translation>공장 규칙 라우팅을 엔지니어가 작성한 라우팅과 비교한 점수: 어떤 방법도 넘을 수 없는 상한 (데모 공장에서만 알 수 있음).</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Top-1 %1 points above the model.</source>
        <translation>Top-1이 모델보다 %1 포인트 높음.</translation>
    </message>
    <message>
        <location line="+20"/>
        <source>%1: %2 of the predictions</source>
        <translation>%1: 예측의 %2</translation>
    </message>
</context>
<context>
    <name>Notes</name>
    <message>
        <location filename="../../app/ui/wording.py" line="-112"/>
        <source>same part type %1</source>
        <translation>같은 부품 유형 %1</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>same material %1</source>
        <translation>같은 재질 %1</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>similar dimensions</source>
        <translation>비슷한 치수</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>similar dimensions (OD %1 mm)</source>
        <translation>비슷한 치수 (외경 %1 mm)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>specification words %1</source>
        <translation>사양 단어 %1</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>similar seal specification</source>
        <translation>비슷한 씰 사양</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>similar classification</source>
        <translation>비슷한 분류</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>similar rotation</source>
        <translation>같은 회전 방향</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>%1: no attribute of this item is known to the model; nothing to compare</source>
        <translation>%1: 모델이 아는 이 품목의 속성이 없어 비교할 수 없습니다</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>%1: no similar item reaches the similarity threshold %2</source>
        <translation>%1: 유사도 임계값 %2 이상인 유사 품목이 없습니다</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>all %1 of the item&apos;s own work results are unusable (zero or missing hours)</source>
        <translation>품목 자체 작업 실적 %1건 모두 사용할 수 없음 (시간 0 또는 누락)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>all %1 work results of the items behind this candidate are unusable (zero or missing hours)</source>
        <translation>이 후보의 근거 품목 작업 실적 %1건 모두 사용할 수 없음 (시간 0 또는 누락)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>all %1 of the similar items&apos; work results are unusable (zero or missing hours)</source>
        <translation>유사 품목 작업 실적 %1건 모두 사용할 수 없음 (시간 0 또는 누락)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>all %1 of the item&apos;s own work results left out: impossible hours (negative, infinite, over a year for one order, or far outside the operation&apos;s range in the plant)</source>
        <translation>품목 자체 작업 실적 %1건 모두 제외: 불가능한 시간 (음수, 무한대, 한 작업지시에 1년 초과, 또는 공장 내 해당 공정 범위를 크게 벗어남)</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>all %1 work results of the items behind this candidate left out: impossible hours (negative, infinite, over a year for one order, or far outside the operation&apos;s range in the plant)</source>
        <translation>이 후보의 근거 품목 작업 실적 %1건 모두 제외: 불가능한 시간 (음수, 무한대, 한 작업지시에 1년 초과, 또는 공장 내 해당 공정 범위를 크게 벗어남)</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>all %1 of the similar items&apos; work results left out: impossible hours (negative, infinite, over a year for one order, or far outside the operation&apos;s range in the plant)</source>
        <translation>유사 품목 작업 실적 %1건 모두 제외: 불가능한 시간 (음수, 무한대, 한 작업지시에 1년 초과, 또는 공장 내 해당 공정 범위를 크게 벗어남)</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>all %1 of the item&apos;s own work results left out: %2 with impossible hours, the others with zero or missing hours</source>
        <translation>품목 자체 작업 실적 %1건 모두 제외: %2건은 불가능한 시간, 나머지는 시간 0 또는 누락</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>all %1 work results of the items behind this candidate left out: %2 with impossible hours, the others with zero or missing hours</source>
        <translation>이 후보의 근거 품목 작업 실적 %1건 모두 제외: %2건은 불가능한 시간, 나머지는 시간 0 또는 누락</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>all %1 of the similar items&apos; work results left out: %2 with impossible hours, the others with zero or missing hours</source>
        <translation>유사 품목 작업 실적 %1건 모두 제외: %2건은 불가능한 시간, 나머지는 시간 0 또는 누락</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>times taken from the item&apos;s own actuals</source>
        <translation>품목 자체 실적의 시간 사용</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>times taken from similar items&apos; actuals</source>
        <translation>유사 품목 실적의 시간 사용</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>times taken from the other similar items&apos; actuals</source>
        <translation>다른 유사 품목 실적의 시간 사용</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>times taken from standard times</source>
        <translation>표준 시간 사용</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>candidate %1, %2</source>
        <translation>후보 %1, %2</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>times estimated from the plant&apos;s work results for items of this size and material</source>
        <translation>이 크기와 재질의 품목에 대한 공장 작업 실적으로 추정한 시간</translation>
    </message>
    <message>
        <location line="+2"/>
        <location line="+10"/>
        <source>%1 of %2 similar items have it</source>
        <translation>유사 품목 %2개 중 %1개에 있음</translation>
    </message>
    <message>
        <location line="-9"/>
        <source>%1 of %2 similar items have it; %3 of %4 such items have it</source>
        <translation>유사 품목 %2개 중 %1개에 있음; 이런 품목 %4개 중 %3개에 있음</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>%1; %2 of %3 such items have it</source>
        <translation>%1; 이런 품목 %3개 중 %2개에 있음</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>%1 = %2</source>
        <translation>%1 = %2</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>%1 not %2</source>
        <translation>%1 ≠ %2</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>%1 &gt; %2</source>
        <translation>%1 &gt; %2</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>%1 ≤ %2</source>
        <translation>%1 ≤ %2</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>%1 %2 – %3</source>
        <translation>%1 %2 – %3</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>specification says %1</source>
        <translation>사양에 %1 있음</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>specification does not say %1</source>
        <translation>사양에 %1 없음</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>own actuals unusable</source>
        <translation>자체 실적 사용 불가</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>candidate&apos;s actuals unusable</source>
        <translation>후보 근거 품목 실적 사용 불가</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>similar actuals unusable</source>
        <translation>유사 품목 실적 사용 불가</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>own actuals left out: impossible hours</source>
        <translation>자체 실적 제외: 불가능한 시간</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>candidate&apos;s actuals left out: impossible hours</source>
        <translation>후보 근거 품목 실적 제외: 불가능한 시간</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>similar actuals left out: impossible hours</source>
        <translation>유사 품목 실적 제외: 불가능한 시간</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>own actuals left out: impossible, zero or missing hours</source>
        <translation>자체 실적 제외: 불가능하거나 0 또는 누락된 시간</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>candidate&apos;s actuals left out: impossible, zero or missing hours</source>
        <translation>후보 근거 품목 실적 제외: 불가능하거나 0 또는 누락된 시간</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>similar actuals left out: impossible, zero or missing hours</source>
        <translation>유사 품목 실적 제외: 불가능하거나 0 또는 누락된 시간</translation>
    </message>
</context>
<context>
    <name>OperationsModel</name>
    <message>
        <location filename="../../app/ui/routing_editor.py" line="+209"/>
        <source>Add %1</source>
        <translation>%1 추가</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Remove %1</source>
        <translation>%1 삭제</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Move %1</source>
        <translation>%1 이동</translation>
    </message>
    <message>
        <location line="+25"/>
        <source>RUN P10–P90</source>
        <translation>가공 P10–P90</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Based on</source>
        <translation>근거</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Time source</source>
        <translation>시간 출처</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Warning</source>
        <translation>경고</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Why</source>
        <translation>사유</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Sequence number (10, 20, 30 …)</source>
        <translation>공정 순번 (10, 20, 30 …)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Process code</source>
        <translation>공정 코드</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Resource / work centre (editable)</source>
        <translation>자원 / 작업장 (편집 가능)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>사내 = in-house, 외주 = outsourced (editable)</source>
        <translation>사내 = 사내 공정, 외주 = 외주 공정 (편집 가능)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Setup time per lot, minutes (editable)</source>
        <translation>로트당 준비 시간, 분 (편집 가능)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Run time per piece, minutes (editable)</source>
        <translation>개당 가공 시간, 분 (편집 가능)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Wait time, minutes (editable)</source>
        <translation>대기 시간, 분 (편집 가능)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Move time, minutes (editable)</source>
        <translation>이동 시간, 분 (편집 가능)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>10th to 90th percentile of the run time samples, minutes per piece</source>
        <translation>가공 시간 표본의 10–90 백분위, 개당 분</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>How many work-order results the times come from, or for standard times how many routings</source>
        <translation>시간의 근거가 된 작업 실적 수, 표준 시간이면 라우팅 수</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Where the times come from: the item&apos;s own actuals, similar items&apos; actuals, or standard routing times</source>
        <translation>시간 출처: 품목 자체 실적, 유사 품목 실적, 또는 표준 라우팅 시간</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Why the model proposes the operation: what decides it on this plant (learned from its routings) and how many such items have it</source>
        <translation>모델이 이 공정을 제안한 근거: 이 공장의 라우팅에서 학습한 결정 속성과, 이런 품목 중 몇 개에 이 공정이 있는지</translation>
    </message>
    <message>
        <location line="+21"/>
        <source>%1 routings</source>
        <translation>라우팅 %1건</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>%1 results</source>
        <translation>실적 %1건</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>item actuals</source>
        <translation>품목 실적</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>similar items&apos; actuals</source>
        <translation>유사 품목 실적</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>standard times</source>
        <translation>표준 시간</translation>
    </message>
    <message>
        <location line="+57"/>
        <source>changed by you</source>
        <translation>사용자가 변경함</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>setup P10–P90: %1 – %2 min</source>
        <translation>준비 P10–P90: %1 – %2 분</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>%1 of %2 (PROC_SEQ %3): “%4” could mean a thousands separator or a decimal comma; type it without the separator (1500) or with a decimal point (1.5). The value was not changed.</source>
        <translation>%2 (PROC_SEQ %3)의 %1: “%4”는 천 단위 구분 기호인지 소수점 쉼표인지 알 수 없습니다. 구분 기호 없이(1500) 또는 소수점으로(1.5) 입력하세요. 값은 바뀌지 않았습니다.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>%1 of %2 (PROC_SEQ %3): “%4” is not a number; the value was not changed.</source>
        <translation>%2 (PROC_SEQ %3)의 %1: “%4”은(는) 숫자가 아닙니다. 값을 바꾸지 않았습니다.</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>%1 of %2 (PROC_SEQ %3): a time cannot be negative (%4); the value was not changed.</source>
        <translation>%2 (PROC_SEQ %3)의 %1: 시간은 음수일 수 없습니다 (%4). 값을 바꾸지 않았습니다.</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>INSIDE_FLAG must be 사내 (in-house) or 외주 (outsourced), not “%1”.</source>
        <translation>INSIDE_FLAG는 사내 또는 외주여야 합니다 (“%1” 아님).</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>RES_CD of %1 cannot be empty for an in-house operation.</source>
        <translation>사내 공정 %1의 RES_CD는 비워 둘 수 없습니다.</translation>
    </message>
    <message>
        <location line="+23"/>
        <source>%1 of %2: %3 → %4</source>
        <translation>%2의 %1: %3 → %4</translation>
    </message>
</context>
<context>
    <name>PartTypeModel</name>
    <message>
        <location filename="../../app/ui/training/models.py" line="+15"/>
        <source>Held-out items</source>
        <translation>평가 품목</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Top-1 exact</source>
        <translation>1순위 일치</translation>
    </message>
</context>
<context>
    <name>PredictionTab</name>
    <message>
        <location filename="../../app/ui/prediction/tab.py" line="+573"/>
        <location line="+79"/>
        <source>New item</source>
        <translation>신규 품목</translation>
    </message>
    <message>
        <location line="-513"/>
        <source>Similar items</source>
        <translation>유사 품목</translation>
    </message>
    <message>
        <location line="-45"/>
        <source>Pick an item in the item master and press Predict (or Enter).</source>
        <translation>품목 마스터에서 품목을 고르고 예측(또는 Enter)을 누르세요.</translation>
    </message>
    <message>
        <location line="+65"/>
        <location line="+650"/>
        <source>draft</source>
        <translation>임시 저장</translation>
    </message>
    <message>
        <location line="-649"/>
        <location line="+649"/>
        <source>submitted</source>
        <translation>제출됨</translation>
    </message>
    <message>
        <location line="-648"/>
        <source>Save</source>
        <translation>저장</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Save this routing for the item (Ctrl+S)</source>
        <translation>이 품목의 라우팅으로 저장 (Ctrl+S)</translation>
    </message>
    <message>
        <location line="+21"/>
        <source>Reload saved routing</source>
        <translation>저장된 라우팅 다시 불러오기</translation>
    </message>
    <message>
        <location line="-40"/>
        <source>Time per operation</source>
        <translation>공정별 시간</translation>
    </message>
    <message>
        <location line="-6"/>
        <source>Candidate routings</source>
        <translation>후보 라우팅</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Click a routing to see and edit it below</source>
        <translation>라우팅을 클릭하면 아래에서 보고 편집할 수 있습니다</translation>
    </message>
    <message>
        <location line="+34"/>
        <source>new item&apos;s code</source>
        <translation>신규 품목 코드</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The new item&apos;s ITEM_CD, needed to save: a code that no item and no saved routing has yet</source>
        <translation>저장에 필요한 신규 품목의 ITEM_CD: 어떤 품목도, 저장된 어떤 라우팅도 쓰지 않는 코드</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Compare…</source>
        <translation>비교…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Their routing beside yours, the differences marked; nothing is saved</source>
        <translation>상대 라우팅과 내 라우팅을 나란히 보여 주고 차이를 표시합니다. 아무것도 저장하지 않습니다</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Retry</source>
        <translation>다시 시도</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Approve…</source>
        <translation>승인…</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Reject…</source>
        <translation>반려…</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Status the routing is saved with</source>
        <translation>라우팅을 저장할 상태</translation>
    </message>
    <message>
        <location line="+194"/>
        <source>the new item</source>
        <translation>신규 품목</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Your edited routing has changes that are not saved. Save them before going on?</source>
        <translation>편집한 라우팅에 저장하지 않은 변경이 있습니다. 계속하기 전에 저장할까요?</translation>
    </message>
    <message>
        <location line="+15"/>
        <location line="+156"/>
        <source>Select an item in the item master first.</source>
        <translation>먼저 품목 마스터에서 품목을 선택하세요.</translation>
    </message>
    <message>
        <location line="-150"/>
        <source>Paste or type at least one item code.</source>
        <translation>품목 코드를 하나 이상 붙여넣거나 입력하세요.</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>The model is still loading; try again in a moment.</source>
        <translation>모델을 아직 불러오는 중입니다. 잠시 후 다시 시도하세요.</translation>
    </message>
    <message>
        <location line="+55"/>
        <location line="+84"/>
        <source>predicting %1…</source>
        <translation>%1 예측 중…</translation>
    </message>
    <message>
        <location line="-79"/>
        <source>no prediction for %1</source>
        <translation>%1에 대한 예측 없음</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>predicting %1 items…</source>
        <translation>품목 %1개 예측 중…</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>%1 items: %2 with a candidate, %3 unknown — double-click a row to open it</source>
        <translation>품목 %1개: 후보 있음 %2개, 없는 품목 %3개 — 행을 더블클릭하면 엽니다</translation>
    </message>
    <message>
        <location line="+35"/>
        <source>Describe the new item first (at least its PART_TYPE).</source>
        <translation>먼저 신규 품목을 입력하세요 (최소한 PART_TYPE).</translation>
    </message>
    <message>
        <location line="+78"/>
        <location line="+418"/>
        <source>revision %1</source>
        <translation>개정 %1</translation>
    </message>
    <message>
        <location line="-398"/>
        <location line="+323"/>
        <source>described in the form</source>
        <translation>입력 양식으로 기술</translation>
    </message>
    <message>
        <location line="-305"/>
        <source>model %1</source>
        <translation>모델 %1</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>⚠ %1 notes</source>
        <translation>⚠ 참고 %1건</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>⚠ 1 note</source>
        <translation>⚠ 참고 1건</translation>
    </message>
    <message>
        <location line="+22"/>
        <source>%1 nearly tied: see “Differs by”</source>
        <translation>후보 %1 점수 비슷: “차이” 참조</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Candidates %1 score %2 to %3: the similar items are split between routings that differ in a few operations. “Differs by” shows those operations, “Supported by” the items behind each (with their similarity in its tooltip).</source>
        <translation>후보 %1의 점수 %2 ~ %3: 유사 품목들이 몇 개 공정만 다른 라우팅들로 나뉘어 있습니다. “차이”는 그 공정을, “근거 품목”은 각 후보의 근거 품목을 보여 줍니다 (유사도는 툴팁에).</translation>
    </message>
    <message>
        <location line="+52"/>
        <source>unsaved changes</source>
        <translation>저장하지 않은 변경</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>from candidate %1</source>
        <translation>후보 %1에서 시작</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>You are starting a new routing from candidate %1, but your edited routing has changes that are not saved. Save them first?</source>
        <translation>후보 %1에서 새 라우팅을 시작하려 하지만, 편집한 라우팅에 저장하지 않은 변경이 있습니다. 먼저 저장할까요?</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Start from candidate %1</source>
        <translation>후보 %1에서 시작</translation>
    </message>
    <message>
        <location line="+24"/>
        <source>Not saved yet for this item.</source>
        <translation>이 품목은 아직 저장되지 않았습니다.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>approved</source>
        <translation>승인됨</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>rejected</source>
        <translation>반려됨</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Saved revision %1 by %2 at %3 (%4)</source>
        <translation>개정 %1 저장됨 — %2, %3 (%4)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Last saved: revision %1 by %2 at %3 (%4)</source>
        <translation>최근 저장: 개정 %1 — %2, %3 (%4)</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>%1 by %2</source>
        <translation>%1 (검토: %2)</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Only an approver or an admin can approve or reject a routing; you are %1 (%2).</source>
        <translation>라우팅 승인·반려는 승인자나 관리자만 할 수 있습니다. 현재 사용자: %1 (%2).</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>no role</source>
        <translation>역할 없음</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Approve the submitted revision, with a comment if you like</source>
        <translation>제출된 개정을 승인합니다 (의견은 선택)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Send the submitted revision back, saying why</source>
        <translation>제출된 개정을 반려합니다 (사유 필요)</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>You submitted this revision yourself; another approver or admin must approve it.</source>
        <translation>이 리비전은 직접 제출하셨습니다. 다른 승인자나 관리자가 승인해야 합니다.</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Approve the routing of %1</source>
        <translation>%1 라우팅 승인</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Reject the routing of %1</source>
        <translation>%1 라우팅 반려</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Comment (optional):</source>
        <translation>의견 (선택):</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Why is it rejected?</source>
        <translation>반려 사유:</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>Not reviewed: %1</source>
        <translation>검토하지 못했습니다: %1</translation>
    </message>
    <message>
        <location line="+52"/>
        <source>No changes since revision %1: nothing to save.</source>
        <translation>개정 %1 이후 변경이 없어 저장할 것이 없습니다.</translation>
    </message>
    <message>
        <location line="+34"/>
        <source>Saving…</source>
        <translation>저장 중…</translation>
    </message>
    <message>
        <location line="+38"/>
        <source>Not saved: %1. Your edits are kept on this PC as a draft (also after a restart); Retry saves them when the store answers again.</source>
        <translation>저장 안 됨: %1. 편집 내용은 이 PC에 임시 저장본으로 보관됩니다 (다시 시작해도 남습니다). 저장소에 다시 연결되면 다시 시도로 저장하세요.</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Not saved: %1 changed the routing of %2 at %3 (now revision %4) after you opened it. Reload to see their version; your edits stay in your routing, and Undo brings them back after a reload.</source>
        <translation>저장하지 않았습니다: 이 화면을 연 뒤 %1님이 %3에 %2의 라우팅을 변경했습니다 (현재 개정 %4). 다시 불러와 변경 내용을 확인하세요. 내 편집은 내 라우팅에 남아 있고, 다시 불러온 뒤에도 실행 취소로 되돌릴 수 있습니다.</translation>
    </message>
    <message>
        <location line="+20"/>
        <source>Theirs: revision %1, saved by %2 at %3</source>
        <translation>상대: 개정 %1, %2님이 %3에 저장</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>The routing of %1 is no longer in the store.</source>
        <translation>%1의 라우팅이 더 이상 저장소에 없습니다.</translation>
    </message>
    <message>
        <location line="+39"/>
        <source>Reload revision %1</source>
        <translation>개정 %1 다시 불러오기</translation>
    </message>
    <message>
        <location line="+25"/>
        <source>draft kept %1</source>
        <translation>%1에 보관된 임시 저장본</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>Draft of %1 kept on this PC at %2: not in the store yet; Save sends it.</source>
        <translation>%2에 이 PC에 보관된 %1의 임시 저장본: 아직 저장소에 없습니다. 저장하면 보냅니다.</translation>
    </message>
    <message>
        <location line="-96"/>
        <location line="+4"/>
        <source>Not saved: %1</source>
        <translation>저장하지 않았습니다: %1</translation>
    </message>
</context>
<context>
    <name>PreviewPanel</name>
    <message>
        <location filename="../../app/ui/export/preview_panel.py" line="+31"/>
        <source>Press Preview to see the rows as they would be written.</source>
        <translation>미리보기를 누르면 기록될 행을 그대로 보여 줍니다.</translation>
    </message>
    <message>
        <location line="+62"/>
        <source>%1 routings: %2 valid, %3 invalid.</source>
        <translation>라우팅 %1개: 정상 %2개, 오류 %3개.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>%1 warnings (yellow cells).</source>
        <translation>경고 %1건 (노란 칸).</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Red cells cannot be exported; hover one for the reason.</source>
        <translation>빨간 칸은 내보낼 수 없습니다. 칸에 마우스를 올리면 사유가 보입니다.</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>%1 item(s) gave no routing: %2</source>
        <translation>라우팅이 없는 품목 %1개: %2</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>Problems: %1 errors, %2 warnings</source>
        <translation>문제: 오류 %1건, 경고 %2건</translation>
    </message>
    <message>
        <location line="+1"/>
        <source> (the first %1 listed)</source>
        <translation> (처음 %1건 표시)</translation>
    </message>
</context>
<context>
    <name>ProfilePanel</name>
    <message>
        <location filename="../../app/ui/export/profile_panel.py" line="+45"/>
        <source>Save profile</source>
        <translation>프로필 저장</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Revert</source>
        <translation>되돌리기</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Import…</source>
        <translation>가져오기…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Read a profile from a JSON file another site shared</source>
        <translation>다른 사업장이 공유한 JSON 파일에서 프로필을 읽습니다</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Export…</source>
        <translation>파일로 내보내기…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Write this profile to a JSON file to share it</source>
        <translation>이 프로필을 JSON 파일로 써서 공유합니다</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Profile</source>
        <translation>프로필</translation>
    </message>
    <message>
        <location line="+23"/>
        <source>Target table</source>
        <translation>대상 테이블</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Source: routing.F, operation.F, item.COLUMN, setting.NAME, user.name, export.now, identity; empty takes the default. Transform: lookup NAME | map A=B, *=C | minutes_to_hours.</source>
        <translation>원천: routing.F, operation.F, item.열, setting.이름, user.name, export.now, identity — 비우면 기본값을 씁니다. 변환: lookup 이름 | map A=B, *=C | minutes_to_hours.</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Setting</source>
        <translation>설정</translation>
    </message>
    <message>
        <location line="+0"/>
        <location line="+21"/>
        <source>Value</source>
        <translation>값</translation>
    </message>
    <message>
        <location line="-9"/>
        <source>a missing key is an error</source>
        <translation>없는 키는 오류</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>a missing key is written empty, with a warning</source>
        <translation>없는 키는 빈 값으로 쓰고 경고</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>a missing key is written empty</source>
        <translation>없는 키는 빈 값으로 씀</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>a missing key is written as it is</source>
        <translation>없는 키는 그대로 씀</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Key</source>
        <translation>키</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Add row</source>
        <translation>행 추가</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Remove row</source>
        <translation>행 삭제</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Lookup</source>
        <translation>조회 테이블</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>Columns</source>
        <translation>열</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Settings</source>
        <translation>설정</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Lookups</source>
        <translation>조회 테이블</translation>
    </message>
    <message>
        <location line="+70"/>
        <source>one row per routing</source>
        <translation>라우팅마다 한 행</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>one row per operation</source>
        <translation>공정마다 한 행</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>one row per alternative resource</source>
        <translation>대체 자원마다 한 행</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>one row per component</source>
        <translation>투입 자재마다 한 행</translation>
    </message>
    <message>
        <location line="+20"/>
        <source>Filled from the plant&apos;s data: every resource in the imported routings. %1</source>
        <translation>공장 데이터에서 채워집니다: 가져온 라우팅의 모든 자원. %1</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Key: %1. %2</source>
        <translation>키: %1. %2</translation>
    </message>
    <message>
        <location line="+26"/>
        <source>Revision %1, saved by %2 on %3</source>
        <translation>개정 %1, %3에 %2 저장</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Changed, not saved yet — previews use the changes. </source>
        <translation>변경됨, 아직 저장 안 됨 — 미리보기는 변경 내용을 씁니다. </translation>
    </message>
    <message>
        <location line="+44"/>
        <source>Import a mapping profile</source>
        <translation>매핑 프로필 가져오기</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Mapping profile (*.json);;All files (*)</source>
        <translation>매핑 프로필 (*.json);;모든 파일 (*)</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Export the mapping profile</source>
        <translation>매핑 프로필 내보내기</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Mapping profile (*.json)</source>
        <translation>매핑 프로필 (*.json)</translation>
    </message>
</context>
<context>
    <name>RegistryModel</name>
    <message>
        <location filename="../../app/ui/training/models.py" line="-108"/>
        <source>Version</source>
        <translation>버전</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>the active version: predictions use it</source>
        <translation>활성 버전: 예측에 이 버전을 사용합니다</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Trained</source>
        <translation>학습 일시</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>By</source>
        <translation>학습자</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Weights</source>
        <translation>가중치</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The feature weights this version was trained with</source>
        <translation>이 버전을 학습할 때 쓴 특성 가중치</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Items</source>
        <translation>품목</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Routed items in the version&apos;s similarity index</source>
        <translation>이 버전의 유사도 색인에 있는 라우팅 보유 품목 수</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Top-1</source>
        <translation>1순위</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Top-3</source>
        <translation>3순위</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Run ±25 %</source>
        <translation>가공 ±25 %</translation>
    </message>
    <message>
        <location line="+27"/>
        <source>custom: %1</source>
        <translation>사용자 지정: %1</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>This version&apos;s registry entry does not say which weights it was trained with.</source>
        <translation>이 버전의 등록 정보에는 학습에 쓴 가중치가 기록되어 있지 않습니다.</translation>
    </message>
    <message>
        <location line="-46"/>
        <source>not evaluated yet</source>
        <translation>아직 평가하지 않음</translation>
    </message>
</context>
<context>
    <name>RegistryPanel</name>
    <message>
        <location filename="../../app/ui/training/registry_panel.py" line="+21"/>
        <source>Model versions</source>
        <translation>모델 버전</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Activate</source>
        <translation>활성화</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Roll back</source>
        <translation>롤백</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Evaluate</source>
        <translation>평가</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+84"/>
        <source>Hold out 20 % of the routed items and score this version and the baselines on them</source>
        <translation>라우팅이 있는 품목의 20 %를 떼어 두고 이 버전과 기준 방법을 평가</translation>
    </message>
    <message>
        <location line="-18"/>
        <source>Only an admin can do this; you are signed in as %1 (%2).</source>
        <translation>관리자만 할 수 있습니다. 현재 사용자: %1 (%2).</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Make the selected version the one predictions use</source>
        <translation>선택한 버전을 예측에 사용</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>No earlier active version to go back to</source>
        <translation>되돌아갈 이전 활성 버전이 없습니다</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Go back to version %1, which was active before %2</source>
        <translation>%2 이전에 활성이던 버전 %1(으)로 되돌립니다</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>Model %1 is now active.</source>
        <translation>이제 모델 %1이 활성입니다.</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Rolled back to model %1.</source>
        <translation>모델 %1로 롤백했습니다.</translation>
    </message>
</context>
<context>
    <name>ResultPanel</name>
    <message>
        <location filename="../../app/ui/export/result_panel.py" line="+22"/>
        <source>The result of the last export shows here.</source>
        <translation>마지막 내보내기 결과가 여기에 표시됩니다.</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Dry run — nothing was written. %1 routing(s) would go to %2 through profile %3:</source>
        <translation>시험 실행 — 아무것도 쓰지 않았습니다. 라우팅 %1개가 프로필 %3(으)로 %2에 들어갈 예정입니다:</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Exported %1 routing(s) to %2 through profile %3:</source>
        <translation>라우팅 %1개를 프로필 %3(으)로 %2에 내보냈습니다:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>folder %1</source>
        <translation>폴더 %1</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>file %1</source>
        <translation>파일 %1</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>rows</source>
        <translation>행</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Files:</source>
        <translation>파일:</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Replaced %1 routing(s) the target had already.</source>
        <translation>대상에 이미 있던 라우팅 %1개를 교체했습니다.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>%1 warning(s), e.g. %2</source>
        <translation>경고 %1건, 예: %2</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Left out (%1):</source>
        <translation>제외됨 (%1):</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Not exported:</source>
        <translation>내보내지 않음:</translation>
    </message>
</context>
<context>
    <name>RolesDialog</name>
    <message>
        <location filename="../../app/ui/roles_dialog.py" line="+33"/>
        <source>Roles and audit</source>
        <translation>역할과 감사</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>engineer</source>
        <translation>엔지니어</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>approver</source>
        <translation>승인자</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>admin</source>
        <translation>관리자</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>A role table in the store, managed here</source>
        <translation>저장소의 역할 표 (여기서 관리)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Active Directory / LDAP groups</source>
        <translation>Active Directory / LDAP 그룹</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>no role</source>
        <translation>역할 없음</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Where roles come from</source>
        <translation>역할을 가져오는 곳</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Users not named get</source>
        <translation>목록에 없는 사용자의 역할</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Kerberos (the signed-in Windows account, no password)</source>
        <translation>Kerberos (로그인한 Windows 계정, 비밀번호 없음)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Service account over LDAPS</source>
        <translation>LDAPS 서비스 계정</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>kept in the Windows Credential Manager / OS keyring</source>
        <translation>Windows 자격 증명 관리자 / OS 키링에 보관</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>from the base DN, e.g. KSM</source>
        <translation>기본 DN에서 (예: KSM)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Only accounts of this Windows domain (DOMAIN\user) get a role from the directory: a PC&apos;s local account or another domain&apos;s with the same user name gets none.</source>
        <translation>이 Windows 도메인의 계정(DOMAIN\user)만 디렉터리에서 역할을 받습니다. 같은 사용자 이름이라도 PC의 로컬 계정이나 다른 도메인의 계정은 역할을 받지 않습니다.</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>the system&apos;s certificates</source>
        <translation>시스템 인증서</translation>
    </message>
    <message>
        <location line="+5"/>
        <source> h</source>
        <translation> 시간</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Group (CN or DN)</source>
        <translation>그룹 (CN 또는 DN)</translation>
    </message>
    <message>
        <location line="+0"/>
        <location line="+24"/>
        <source>Role</source>
        <translation>역할</translation>
    </message>
    <message>
        <location line="-19"/>
        <source>Add group</source>
        <translation>그룹 추가</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Directory</source>
        <translation>디렉터리</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Server</source>
        <translation>서버</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Base DN</source>
        <translation>기본 DN</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Bind</source>
        <translation>바인드 방식</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Service account</source>
        <translation>서비스 계정</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Password</source>
        <translation>비밀번호</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>User name attribute</source>
        <translation>사용자 이름 속성</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Windows domain</source>
        <translation>Windows 도메인</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>CA certificate (PEM)</source>
        <translation>CA 인증서 (PEM)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Keep a role offline for</source>
        <translation>오프라인에서 역할 유지 기간</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>User</source>
        <translation>사용자</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Given by</source>
        <translation>부여자</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Set role</source>
        <translation>역할 지정</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Users and roles</source>
        <translation>사용자와 역할</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>Browse…</source>
        <translation>찾아보기…</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Audit checkpoints</source>
        <translation>감사 체크포인트</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Signed checkpoints of the audit trail are written here (choose a share engineers cannot change); Verify reads them to notice deleted events.</source>
        <translation>감사 기록의 서명된 체크포인트를 여기에 저장합니다 (엔지니어가 바꿀 수 없는 공유 폴더를 고르세요). 검증할 때 이를 읽어 삭제된 이벤트를 찾아냅니다.</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Save</source>
        <translation>저장</translation>
    </message>
    <message>
        <location line="+37"/>
        <source>A Kerberos bind over ldap:// is neither signed nor sealed: someone on the network could change the groups the directory answers. Use ldaps://.</source>
        <translation>ldap://를 통한 Kerberos 바인드는 서명도 암호화도 되지 않습니다. 네트워크의 누군가가 디렉터리가 응답하는 그룹을 바꿀 수 있습니다. ldaps://를 사용하세요.</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>Folder for audit checkpoints</source>
        <translation>감사 체크포인트 폴더</translation>
    </message>
    <message>
        <location line="+56"/>
        <source>This row does not count: %1</source>
        <translation>이 행은 인정되지 않습니다: %1</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Enter the user as Windows names them, e.g. KSM\kim.</source>
        <translation>Windows 계정 이름으로 입력하세요 (예: KSM\kim).</translation>
    </message>
</context>
<context>
    <name>RoutingEditor</name>
    <message>
        <location filename="../../app/ui/routing_editor.py" line="+68"/>
        <source>Undo</source>
        <translation>실행 취소</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Redo</source>
        <translation>다시 실행</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>↶ Undo</source>
        <translation>↶ 실행 취소</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>↷ Redo</source>
        <translation>↷ 다시 실행</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Undo: %1 (Ctrl+Z)</source>
        <translation>실행 취소: %1 (Ctrl+Z)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Redo: %1 (Ctrl+Y)</source>
        <translation>다시 실행: %1 (Ctrl+Y)</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Operation to add…</source>
        <translation>추가할 공정…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The operation to add: type part of its code or name to filter</source>
        <translation>추가할 공정: 코드나 이름 일부를 입력해 찾으세요</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Add</source>
        <translation>추가</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Insert the chosen operation after the selected row, with its typical resource and times</source>
        <translation>선택한 행 다음에 공정을 대표 자원과 시간으로 추가</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Remove</source>
        <translation>삭제</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Move the selected operation up</source>
        <translation>선택한 공정을 위로</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Move the selected operation down</source>
        <translation>선택한 공정을 아래로</translation>
    </message>
    <message>
        <location line="+108"/>
        <source>Why %1 %2: %3</source>
        <translation>근거 %1 %2: %3</translation>
    </message>
    <message>
        <location line="+34"/>
        <source>Choose an operation from the list first.</source>
        <translation>먼저 목록에서 공정을 고르세요.</translation>
    </message>
</context>
<context>
    <name>SaveQuestion</name>
    <message>
        <location filename="../../app/ui/prediction/questions.py" line="+16"/>
        <source>Unsaved routing</source>
        <translation>저장하지 않은 라우팅</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Save changes to %1?</source>
        <translation>%1의 변경 내용을 저장할까요?</translation>
    </message>
</context>
<context>
    <name>SelectionPanel</name>
    <message>
        <location filename="../../app/ui/export/selection_panel.py" line="+28"/>
        <source>What to export</source>
        <translation>내보낼 대상</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The routing in the editor</source>
        <translation>편집기의 라우팅</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The last batch prediction</source>
        <translation>마지막 일괄 예측</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Saved routings</source>
        <translation>저장된 라우팅</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>any status</source>
        <translation>모든 상태</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>submitted</source>
        <translation>제출됨</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>draft</source>
        <translation>임시 저장</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>approved</source>
        <translation>승인됨</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Approved only</source>
        <translation>승인된 것만</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Saved since</source>
        <translation>저장일 이후</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>anyone</source>
        <translation>누구나</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Preview</source>
        <translation>미리보기</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Build every row through the profile and mark each bad cell</source>
        <translation>프로필로 모든 행을 만들고 잘못된 칸을 표시합니다</translation>
    </message>
    <message>
        <location line="+19"/>
        <source>by</source>
        <translation>저장자</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>open a routing on the Prediction tab first</source>
        <translation>먼저 예측 탭에서 라우팅을 여세요</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>predict a list of items on the Prediction tab first</source>
        <translation>먼저 예측 탭에서 품목 목록을 예측하세요</translation>
    </message>
</context>
<context>
    <name>ShrinkQuestion</name>
    <message>
        <location filename="../../app/ui/dialogs.py" line="+44"/>
        <source>Import fewer rows?</source>
        <translation>더 적은 행을 가져올까요?</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>%1: %2 rows in the source, %3 in the store now</source>
        <translation>%1: 원본 %2행, 현재 저장소 %3행</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>The source has less than half the rows the store holds now:</source>
        <translation>원본의 행 수가 현재 저장소의 절반도 되지 않습니다:</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Import it anyway, replacing the store&apos;s rows? Say Yes for another plant or a smaller extract; No if a file may be cut off or a view filtered by mistake (the store stays as it is).</source>
        <translation>그래도 가져와서 저장소의 행을 바꿀까요? 다른 공장이거나 일부만 추출한 것이면 예, 파일이 잘렸거나 뷰가 잘못 필터링되었을 수 있으면 아니요를 누르십시오 (저장소는 그대로 둡니다).</translation>
    </message>
</context>
<context>
    <name>SideModel</name>
    <message>
        <location filename="../../app/ui/prediction/compare.py" line="-52"/>
        <source>not in this routing</source>
        <translation>이 라우팅에는 없음</translation>
    </message>
</context>
<context>
    <name>SimilarItemsModel</name>
    <message>
        <location filename="../../app/ui/prediction/models.py" line="-127"/>
        <source>Similarity</source>
        <translation>유사도</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>What makes it similar</source>
        <translation>유사한 이유</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Share of the similarity: %1</source>
        <translation>유사도 구성: %1</translation>
    </message>
</context>
<context>
    <name>Sources</name>
    <message>
        <location filename="../../app/ui/wording.py" line="+85"/>
        <source>SQLite file %1</source>
        <translation>SQLite 파일 %1</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Access file %1</source>
        <translation>Access 파일 %1</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>folder %1</source>
        <translation>폴더 %1</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>SQL Server %1, database %2 (Windows login)</source>
        <translation>SQL Server %1, 데이터베이스 %2 (Windows 로그인)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>SQL Server %1, database %2 (SQL login %3)</source>
        <translation>SQL Server %1, 데이터베이스 %2 (SQL 로그인 %3)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>demo plant (%1 items, seed %2)</source>
        <translation>데모 공장 (품목 %1개, 시드 %2)</translation>
    </message>
</context>
<context>
    <name>SqlServerFields</name>
    <message>
        <location filename="../../app/ui/sql_server_fields.py" line="+30"/>
        <source>Windows authentication</source>
        <translation>Windows 인증</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>SQL login</source>
        <translation>SQL 로그인</translation>
    </message>
    <message>
        <location line="+19"/>
        <source>kept in the Windows Credential Manager / OS keyring</source>
        <translation>Windows 자격 증명 관리자 / OS 키링에 보관</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Newest installed (%1)</source>
        <translation>설치된 최신 드라이버 (%1)</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>No SQL Server ODBC driver is installed</source>
        <translation>SQL Server ODBC 드라이버가 설치되어 있지 않습니다</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Install “Microsoft ODBC Driver 18 for SQL Server” (ask IT).</source>
        <translation>“Microsoft ODBC Driver 18 for SQL Server”를 설치하세요 (IT 부서에 요청).</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>the driver&apos;s default (Driver 18: yes)</source>
        <translation>드라이버 기본값 (Driver 18: 사용)</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>yes</source>
        <translation>있음</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>strict (TDS 8)</source>
        <translation>엄격 (strict, TDS 8)</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>no</source>
        <translation>사용 안 함 (no)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Trust server certificate</source>
        <translation>서버 인증서 신뢰</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>For a plant server with its own (self-signed) certificate, which this PC does not know: the connection stays encrypted, but the server is not checked (TrustServerCertificate=yes).</source>
        <translation>이 PC가 모르는 자체 서명 인증서를 쓰는 공장 서버용입니다. 연결은 계속 암호화되지만 서버는 확인하지 않습니다 (TrustServerCertificate=yes).</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Server</source>
        <translation>서버</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Database</source>
        <translation>데이터베이스</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Sign-in</source>
        <translation>로그인 방식</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>User</source>
        <translation>사용자</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Password</source>
        <translation>비밀번호</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>ODBC driver</source>
        <translation>ODBC 드라이버</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Encryption</source>
        <translation>암호화</translation>
    </message>
</context>
<context>
    <name>StoreDialog</name>
    <message>
        <location filename="../../app/ui/store_dialog.py" line="+37"/>
        <source>Store</source>
        <translation>저장소</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Where Routing ML keeps its saved routings, models, mapping profiles and audit trail. A shared server lets every engineer see the same routings.</source>
        <translation>Routing ML이 저장한 라우팅, 모델, 매핑 프로필, 감사 기록을 보관하는 곳입니다. 공유 서버를 쓰면 모든 엔지니어가 같은 라우팅을 봅니다.</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>SQLite file</source>
        <translation>SQLite 파일</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>PostgreSQL</source>
        <translation>PostgreSQL</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>SQL Server</source>
        <translation>SQL Server</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Browse…</source>
        <translation>찾아보기…</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>File</source>
        <translation>파일</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>A file on this PC (made at first use). On a network share only one PC should use it at a time; for a team, use a server.</source>
        <translation>이 PC의 파일입니다 (처음 사용할 때 만들어짐). 네트워크 공유 폴더에서는 한 번에 한 PC만 써야 합니다. 여러 명이 쓰려면 서버를 사용하세요.</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>this PC&apos;s user name when empty</source>
        <translation>비워 두면 이 PC의 사용자 이름</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>the driver&apos;s default</source>
        <translation>드라이버 기본값</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>off (disable)</source>
        <translation>사용 안 함 (disable)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>when the server offers it (prefer)</source>
        <translation>서버가 지원하면 사용 (prefer)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>always (require)</source>
        <translation>항상 사용 (require)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>always, and check the server (verify-full)</source>
        <translation>항상 사용하고 서버 확인 (verify-full)</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Server</source>
        <translation>서버</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Database</source>
        <translation>데이터베이스</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>User</source>
        <translation>사용자</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Encryption</source>
        <translation>암호화</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>A password, if the server asks for one, is read from pgpass.conf or PGPASSWORD (ask IT); it is never kept in a setting.</source>
        <translation>서버가 비밀번호를 요구하면 pgpass.conf 또는 PGPASSWORD에서 읽습니다 (IT 부서에 문의). 설정에는 절대 저장하지 않습니다.</translation>
    </message>
    <message>
        <location line="+23"/>
        <source>The same address works with --store and ROUTING_ML_STORE</source>
        <translation>같은 주소를 --store와 ROUTING_ML_STORE에도 쓸 수 있습니다</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Test connection</source>
        <translation>연결 테스트</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>Save and open</source>
        <translation>저장하고 열기</translation>
    </message>
    <message>
        <location line="-2"/>
        <source>Save</source>
        <translation>저장</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Keep this store for the next start</source>
        <translation>다음 시작부터 이 저장소를 사용합니다</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Keep this store and open it now</source>
        <translation>이 저장소를 저장하고 지금 엽니다</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Close</source>
        <translation>닫기</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Address</source>
        <translation>주소</translation>
    </message>
    <message>
        <location line="+56"/>
        <source>Choose the store file</source>
        <translation>저장소 파일 선택</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Routing ML store (*.sqlite *.db);;All files (*)</source>
        <translation>Routing ML 저장소 (*.sqlite *.db);;모든 파일 (*)</translation>
    </message>
    <message>
        <location line="+62"/>
        <source>Saved for you on this PC and used from the next start (Save and open: at once). --store and ROUTING_ML_STORE still come first.</source>
        <translation>이 PC에 사용자별로 저장되며 다음 시작부터 사용됩니다 (저장하고 열기: 바로). --store와 ROUTING_ML_STORE가 여전히 우선합니다.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Without a choice here, the store IT set for this PC is used: %1.</source>
        <translation>여기서 고르지 않으면 IT 부서가 이 PC에 지정한 저장소를 씁니다: %1.</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Choose the store file.</source>
        <translation>저장소 파일을 고르세요.</translation>
    </message>
    <message>
        <location line="+2"/>
        <location line="+2"/>
        <source>Enter the server name.</source>
        <translation>서버 이름을 입력하세요.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Enter the database name.</source>
        <translation>데이터베이스 이름을 입력하세요.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Enter the SQL login&apos;s user name.</source>
        <translation>SQL 로그인 사용자 이름을 입력하세요.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The server name cannot be read; write it as SERVER, SERVER\INSTANCE or SERVER,PORT.</source>
        <translation>서버 이름을 읽을 수 없습니다. SERVER, SERVER\INSTANCE 또는 SERVER,PORT 형식으로 쓰세요.</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>saved in the OS keyring; type to replace it</source>
        <translation>OS 키링에 저장됨. 바꾸려면 새로 입력하세요</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>connecting…</source>
        <translation>연결 중…</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Connected to %1: a Routing ML store (schema %2) with %3 saved routings and %4 models.</source>
        <translation>%1에 연결됨: Routing ML 저장소 (스키마 %2), 저장된 라우팅 %3건, 모델 %4개.</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Connected to %1: the database is empty; the store&apos;s tables are made when it is first opened (this needs the right to create tables).</source>
        <translation>%1에 연결됨: 데이터베이스가 비어 있습니다. 처음 열 때 저장소 테이블을 만듭니다 (테이블 생성 권한이 필요합니다).</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>%1 does not exist yet; it is made when the store is first opened.</source>
        <translation>%1은(는) 아직 없습니다. 저장소를 처음 열 때 만들어집니다.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>%1 holds other tables (%2): it is not a Routing ML store; choose another database.</source>
        <translation>%1에 다른 테이블(%2)이 있습니다: Routing ML 저장소가 아닙니다. 다른 데이터베이스를 고르세요.</translation>
    </message>
    <message>
        <location line="+22"/>
        <source>Saved: Routing ML opens %1 from the next start.</source>
        <translation>저장됨: 다음 시작부터 Routing ML이 %1을(를) 엽니다.</translation>
    </message>
</context>
<context>
    <name>TargetPanel</name>
    <message>
        <location filename="../../app/ui/export/target_panel.py" line="+17"/>
        <source>Where to</source>
        <translation>보낼 곳</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>CSV files (one per table)</source>
        <translation>CSV 파일 (테이블마다 하나)</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>CSV files</source>
        <translation>CSV 파일</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Excel workbook (a sheet per table)</source>
        <translation>엑셀 통합 문서 (테이블마다 시트 하나)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Database tables</source>
        <translation>데이터베이스 테이블</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Browse…</source>
        <translation>찾아보기…</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Replace routings the target has already</source>
        <translation>대상에 이미 있는 라우팅 교체</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>A routing with the same ITEM_CD and ROUT_NO is removed and written anew, in the same transaction</source>
        <translation>ITEM_CD와 ROUT_NO가 같은 라우팅을 같은 트랜잭션 안에서 지우고 새로 씁니다</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Make missing tables (staging)</source>
        <translation>없는 테이블 만들기 (스테이징)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Dry run: show what would be written, write nothing</source>
        <translation>시험 실행: 쓸 내용만 보이고 아무것도 쓰지 않음</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>export none</source>
        <translation>모두 내보내지 않음</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>export only the valid ones</source>
        <translation>정상인 것만 내보내기</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Export</source>
        <translation>내보내기</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>When some routings are invalid:</source>
        <translation>일부 라우팅에 오류가 있으면:</translation>
    </message>
    <message>
        <location line="+30"/>
        <source>a folder for the TABLE.csv files</source>
        <translation>TABLE.csv 파일을 둘 폴더</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>mssql://SERVER/DB, postgresql://… or .sqlite</source>
        <translation>mssql://서버/DB, postgresql://… 또는 .sqlite</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>a folder: P_BOP_PROC_MASTER.csv … are written into it</source>
        <translation>폴더: P_BOP_PROC_MASTER.csv … 가 여기에 쓰입니다</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>a file, e.g. C:\ERP\routings.xlsx</source>
        <translation>파일, 예: C:\ERP\routings.xlsx</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>mssql://SERVER/KsmErp, postgresql://HOST/DB or a .sqlite file</source>
        <translation>mssql://서버/KsmErp, postgresql://호스트/DB 또는 .sqlite 파일</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Folder for the CSV files</source>
        <translation>CSV 파일을 둘 폴더</translation>
    </message>
    <message>
        <location line="-81"/>
        <location line="+83"/>
        <source>Excel workbook</source>
        <translation>엑셀 통합 문서</translation>
    </message>
    <message>
        <location line="-13"/>
        <source>an .xlsx file, a sheet per table</source>
        <translation>.xlsx 파일 (테이블마다 시트 하나)</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>Excel workbook (*.xlsx)</source>
        <translation>엑셀 통합 문서 (*.xlsx)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>SQLite file</source>
        <translation>SQLite 파일</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>SQLite file (*.sqlite *.db)</source>
        <translation>SQLite 파일 (*.sqlite *.db)</translation>
    </message>
</context>
<context>
    <name>TimeChart</name>
    <message>
        <location filename="../../app/ui/time_chart.py" line="+104"/>
        <source> pcs</source>
        <translation> 개</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>1 = setup + run for one piece; more = setup + run × lot size</source>
        <translation>1 = 한 개의 준비 + 가공, 그 이상 = 준비 + 가공 × 로트 크기</translation>
    </message>
    <message>
        <location line="+36"/>
        <source>minutes</source>
        <translation>분</translation>
    </message>
    <message>
        <location line="-27"/>
        <source>setup</source>
        <translation>준비</translation>
    </message>
    <message>
        <location line="-11"/>
        <source>lot </source>
        <translation>로트 </translation>
    </message>
    <message>
        <location line="+12"/>
        <source>run × lot</source>
        <translation>가공 × 로트</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>P10–P90</source>
        <translation>P10–P90</translation>
    </message>
    <message>
        <location line="+45"/>
        <source>No routing shown.</source>
        <translation>표시할 라우팅이 없습니다.</translation>
    </message>
    <message>
        <location line="+23"/>
        <source>Total for one piece:</source>
        <translation>한 개 합계:</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Total for a lot of %1 pcs:</source>
        <translation>로트 %1개 합계:</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>min</source>
        <translation>분</translation>
    </message>
</context>
<context>
    <name>TrainPanel</name>
    <message>
        <location filename="../../app/ui/training/train_panel.py" line="+25"/>
        <source>Feature weights and training</source>
        <translation>특성 가중치와 학습</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>custom</source>
        <translation>사용자 지정</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Preset</source>
        <translation>프리셋</translation>
    </message>
    <message>
        <location line="+26"/>
        <source>Train new model</source>
        <translation>새 모델 학습</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Evaluate after training</source>
        <translation>학습 후 평가</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Log: imports, training and evaluations appear here</source>
        <translation>로그: 가져오기, 학습, 평가 기록이 여기에 표시됩니다</translation>
    </message>
    <message>
        <location line="+67"/>
        <source>Train a new model version with these weights</source>
        <translation>이 가중치로 새 모델 버전을 학습</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Only an admin can do this; you are signed in as %1 (%2).</source>
        <translation>관리자만 할 수 있습니다. 현재 사용자: %1 (%2).</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>Training started with weights %1</source>
        <translation>가중치 %1로 학습 시작</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>training…</source>
        <translation>학습 중…</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>model %1 trained</source>
        <translation>모델 %1 학습 완료</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Model %1 trained and activated.</source>
        <translation>모델 %1을 학습하고 활성화했습니다.</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Training failed: %1</source>
        <translation>학습 실패: %1</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Training cancelled; the active model is unchanged (%1).</source>
        <translation>학습을 취소했습니다. 활성 모델은 그대로입니다 (%1).</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>none</source>
        <translation>없음</translation>
    </message>
</context>
<context>
    <name>TrainingTab</name>
    <message>
        <location filename="../../app/ui/training/tab.py" line="+38"/>
        <source>Evaluation against the baselines</source>
        <translation>기준 방법 대비 평가</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>What it learned</source>
        <translation>학습한 내용</translation>
    </message>
    <message>
        <location line="+83"/>
        <source>Evaluating model %1…</source>
        <translation>모델 %1 평가 중…</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Evaluation failed: %1</source>
        <translation>평가 실패: %1</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Evaluation cancelled.</source>
        <translation>평가를 취소했습니다.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>evaluating %1…</source>
        <translation>%1 평가 중…</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Model %1: top-1 exact %2, top-3 hit %3 on %4 held-out items.</source>
        <translation>모델 %1: 평가 품목 %4개에서 1순위 일치 %2, 3순위 내 적중 %3.</translation>
    </message>
</context>
</TS>
