#!/usr/bin/env bash
# Updates the translation sources from the window's code (lupdate) and compiles them (lrelease).
# Translate new strings in resources/translations/routing_ml_ko.ts (Qt Linguist: pyside6-linguist),
# then run this again and commit both the .ts and the small .qm.
set -euo pipefail
cd "$(dirname "$0")/.."
TS=resources/translations/routing_ml_ko.ts
.venv/bin/pyside6-lupdate -no-obsolete -locations relative -source-language en -target-language ko_KR $(find app/ui -name "*.py" | sort) -ts "$TS"
.venv/bin/pyside6-lrelease "$TS" -qm "${TS%.ts}.qm"
