@echo off
rem Runs the whole test suite. Works from cmd.exe and PowerShell, whatever the execution policy.
powershell.exe -NoProfile -ExecutionPolicy Bypass -File "%~dp0test.ps1" %*
exit /b %ERRORLEVEL%
