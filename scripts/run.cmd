@echo off
rem Opens Routing ML. Works from cmd.exe, Explorer and PowerShell, whatever the execution policy.
powershell.exe -NoProfile -ExecutionPolicy Bypass -File "%~dp0run.ps1" %*
exit /b %ERRORLEVEL%
