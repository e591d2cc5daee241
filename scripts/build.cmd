@echo off
rem Builds and checks the Windows executable and MSI (scripts\build.ps1), whatever the execution policy.
powershell.exe -NoProfile -ExecutionPolicy Bypass -File "%~dp0build.ps1" %*
exit /b %ERRORLEVEL%
