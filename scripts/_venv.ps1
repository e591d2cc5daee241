# Shared by run.ps1, test.ps1 and build.ps1 (dot-sourced): create or update the virtual environment
# from pyproject.toml through scripts\setup_env.py (which run.cmd and test.cmd use as well) and set
# $VenvPython and $Venv. The callers restore the working folder afterwards.
$ErrorActionPreference = "Stop"
$Root = Split-Path -Parent $PSScriptRoot
Set-Location $Root
# PYTHON names a Python; else the py launcher's newest 64-bit Python 3 (a 32-bit one has no PySide6).
if ($env:PYTHON) { $Py = $env:PYTHON; $PyArgs = @() } else { $Py = "py"; $PyArgs = @("-3-64") }
if (-not (Get-Command $Py -ErrorAction SilentlyContinue)) {
    Write-Host "Routing ML needs a 64-bit Python 3.11 or newer, and '$Py' was not found. Install Python 3.12 from python.org (the `"Windows installer (64-bit)`", with the py launcher), then run this again."
    exit 1
}
# setup_env.py prints the environment's python.exe in UTF-8. Windows PowerShell decodes a program's
# output with [Console]::OutputEncoding (the OEM code page, 437 or 949) and encodes what it pipes to one
# with $OutputEncoding: a Korean or accented user name in the path would come back garbled. Both are
# UTF-8 for this one call and given back afterwards (this runs in the caller's own session).
$SavedConsoleEncoding = [Console]::OutputEncoding
$SavedOutputEncoding = $OutputEncoding
try {
    [Console]::OutputEncoding = New-Object System.Text.UTF8Encoding $false
    $OutputEncoding = New-Object System.Text.UTF8Encoding $false
    $VenvPython = (& $Py @PyArgs "$PSScriptRoot\setup_env.py" --print | Out-String).Trim()
    $SetupCode = $LASTEXITCODE
} finally {
    [Console]::OutputEncoding = $SavedConsoleEncoding
    $OutputEncoding = $SavedOutputEncoding
}
if ($SetupCode -ne 0 -or -not $VenvPython) {
    if (($SetupCode -eq 103 -or $SetupCode -eq 112) -and -not $env:PYTHON) {   # py launcher: no (suitable) Python
        Write-Host "Routing ML needs a 64-bit Python 3.11 or newer, and the py launcher found none. Install Python 3.12 from python.org (the `"Windows installer (64-bit)`"), or name one: `$env:PYTHON = `"C:\path\to\python.exe`""
    }
    exit 1
}
$Venv = Split-Path -Parent (Split-Path -Parent $VenvPython)
