@echo off
rem Silent install of the Operations Manager agent, written by opsmgr-enroll.
rem Keep this file next to MOMAgent.msi and run it as Administrator.
cd /d "%~dp0"
msiexec /i MOMAgent.msi /qn USE_SETTINGS_FROM_AD=0 USE_MANUALLY_SPECIFIED_SETTINGS=1 MANAGEMENT_GROUP="Contoso Ops 1" MANAGEMENT_SERVER_DNS=ms01.contoso.example SECURE_PORT=5723 ACTIONS_USE_COMPUTER_ACCOUNT=1 AcceptEndUserLicenseAgreement=1
exit /b %ERRORLEVEL%
