# Builds dist\RoutingML (PyInstaller, build.spec), self-tests it, and builds and checks
# dist\RoutingML-<version>-x64.msi. From cmd.exe, or where scripts may not run: scripts\build.cmd
# The MSI needs msitools from MSYS2 (pacman -S mingw-w64-ucrt-x86_64-msitools); without it,
# scripts\build.cmd --no-msi builds and self-tests the executables only.
$Here = Get-Location
$QtPlatform = $env:QT_QPA_PLATFORM
try {
    . "$PSScriptRoot\_venv.ps1"
    $Hash = (Get-FileHash pyproject.toml -Algorithm SHA256).Hash.Substring(0, 16).ToLower()
    $Stamp = Join-Path $Venv ".build-installed-$Hash"
    if (-not (Test-Path $Stamp)) {
        & $VenvPython -m pip install -q -e ".[dev,build]"
        if ($LASTEXITCODE -ne 0) { exit $LASTEXITCODE }
        Remove-Item (Join-Path $Venv ".build-installed-*") -ErrorAction SilentlyContinue
        New-Item -ItemType File $Stamp | Out-Null
    }
    & $VenvPython -m installer.build @args
    $Code = $LASTEXITCODE
} finally {
    $env:QT_QPA_PLATFORM = $QtPlatform
    Set-Location $Here
}
exit $Code
