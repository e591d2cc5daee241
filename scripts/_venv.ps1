# Shared by run.ps1 and test.ps1: create or update .venv from pyproject.toml (Windows).
$ErrorActionPreference = "Stop"
$Root = Split-Path -Parent $PSScriptRoot
Set-Location $Root
$Py = if ($env:PYTHON) { $env:PYTHON } else { "py" }
$PyArgs = if ($Py -eq "py") { @("-3") } else { @() }
& $Py @PyArgs -c "import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)"
if ($LASTEXITCODE -ne 0) { Write-Error "Routing ML needs Python 3.11 or newer"; exit 1 }
if (-not (Test-Path ".venv\Scripts\python.exe")) { & $Py @PyArgs -m venv .venv }
$Hash = (Get-FileHash pyproject.toml -Algorithm SHA256).Hash.Substring(0, 16).ToLower()
$Stamp = ".venv\.installed-$Hash"
if (-not (Test-Path $Stamp)) {
    & .venv\Scripts\python.exe -m pip install -q --upgrade pip
    & .venv\Scripts\python.exe -m pip install -q -e ".[dev]"
    if ($LASTEXITCODE -ne 0) { exit $LASTEXITCODE }
    Remove-Item .venv\.installed-* -ErrorAction SilentlyContinue
    New-Item -ItemType File $Stamp | Out-Null
}
