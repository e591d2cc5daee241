# Runs the whole test suite (offscreen for the window tests).
. "$PSScriptRoot\_venv.ps1"
if (-not $env:QT_QPA_PLATFORM) { $env:QT_QPA_PLATFORM = "offscreen" }
& .venv\Scripts\python.exe -m pytest @args
exit $LASTEXITCODE
