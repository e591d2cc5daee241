# Runs the whole test suite (offscreen for the window tests).
# From cmd.exe, or where scripts are not allowed to run: scripts\test.cmd
$Here = Get-Location
$QtPlatform = $env:QT_QPA_PLATFORM
try {
    . "$PSScriptRoot\_venv.ps1"
    if (-not $env:QT_QPA_PLATFORM) { $env:QT_QPA_PLATFORM = "offscreen" }
    & $VenvPython -m pytest @args
    $Code = $LASTEXITCODE
} finally {
    # Leave the caller's session as it was: with "offscreen" left set, the next run.ps1 in this
    # window would open no window at all.
    $env:QT_QPA_PLATFORM = $QtPlatform
    Set-Location $Here
}
exit $Code
