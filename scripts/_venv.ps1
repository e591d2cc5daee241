# Shared by run.ps1 and test.ps1 (dot-sourced): create or update the virtual environment from
# pyproject.toml and set $VenvPython. The callers restore the working folder afterwards.
$ErrorActionPreference = "Stop"
$Root = Split-Path -Parent $PSScriptRoot
Set-Location $Root
if ($env:PYTHON) { $Py = $env:PYTHON; $PyArgs = @() } else { $Py = "py"; $PyArgs = @("-3") }
if (-not (Get-Command $Py -ErrorAction SilentlyContinue)) {
    Write-Host "Routing ML needs a 64-bit Python 3.11 or newer, and '$Py' was not found. Install Python 3.12 from python.org (the `"Windows installer (64-bit)`", with the py launcher), then run this again."
    exit 1
}
# 64-bit, version, and a folder for the environment short enough for Windows' 260-character limit.
$Venv = (& $Py @PyArgs "$PSScriptRoot\check_python.py" $Root | Out-String).Trim()
if ($LASTEXITCODE -ne 0) { Write-Host $Venv; exit 1 }
if ($Venv -ne (Join-Path $Root ".venv")) { Write-Host "Routing ML: the folder is too deep for Windows' path limit; its Python environment goes to $Venv" }
$VenvPython = Join-Path $Venv "Scripts\python.exe"
if (-not (Test-Path $VenvPython)) {
    & $Py @PyArgs -m venv $Venv
    if ($LASTEXITCODE -ne 0) { exit $LASTEXITCODE }
}
$Hash = (Get-FileHash pyproject.toml -Algorithm SHA256).Hash.Substring(0, 16).ToLower()
$Stamp = Join-Path $Venv ".installed-$Hash"
if (-not (Test-Path $Stamp)) {
    & $VenvPython -m pip install -q --upgrade pip
    & $VenvPython -m pip install -q -e ".[dev]"
    if ($LASTEXITCODE -ne 0) { exit $LASTEXITCODE }
    Remove-Item (Join-Path $Venv ".installed-*") -ErrorAction SilentlyContinue
    New-Item -ItemType File $Stamp | Out-Null
}
