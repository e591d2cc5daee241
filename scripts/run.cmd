@echo off
rem Opens Routing ML, from cmd.exe, Explorer or PowerShell. No PowerShell script is involved, so no
rem execution policy can refuse it (not even one set by Group Policy). The Python that sets up the
rem environment: %PYTHON%, else the py launcher's newest 64-bit Python 3 (py -3-64).
setlocal
set "SETUP=%~dp0setup_env.py"
if defined PYTHON goto named
py -3-64 -c "" >nul 2>nul
if errorlevel 1 goto nopython
py -3-64 "%SETUP%" -- app %*
exit /b %ERRORLEVEL%
:named
"%PYTHON%" "%SETUP%" -- app %*
exit /b %ERRORLEVEL%
:nopython
echo Routing ML needs a 64-bit Python 3.11 or newer, and the py launcher found none. Install Python 3.12 from python.org (the "Windows installer (64-bit)", with the py launcher; no administrator rights needed), then run this again; or name a Python: set PYTHON=C:\path\to\python.exe
exit /b 1
