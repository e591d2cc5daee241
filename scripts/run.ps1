# Opens Routing ML on its demo plant (builds the demo plant and a first model on first start).
# From cmd.exe or Explorer, or where scripts are not allowed to run: scripts\run.cmd
$Here = Get-Location
try {
    . "$PSScriptRoot\_venv.ps1"
    & $VenvPython -m app @args
    $Code = $LASTEXITCODE
} finally {
    Set-Location $Here   # the caller's window stays in its own folder
}
exit $Code
