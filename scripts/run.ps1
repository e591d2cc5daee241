# Opens Routing ML on its demo plant (builds the demo plant and a first model on first start).
. "$PSScriptRoot\_venv.ps1"
& .venv\Scripts\python.exe -m app @args
exit $LASTEXITCODE
