#Requires -Version 7.4
# The quickstart release, driven from PowerShell. scripts/quickstart.sh prepares the Docker
# engine, PostgreSQL, the demo images and nginx, then runs this where pwsh exists.
$ErrorActionPreference = 'Stop'
$root = Resolve-Path (Join-Path $PSScriptRoot '../..')
Import-Module (Join-Path $root 'ReleaseOps.psd1') -Force
Set-Location $root
$planPath = 'examples/quickstart/releaseplan.yml'
function Get-Served { try { (Invoke-RestMethod http://127.0.0.1:18180/version -TimeoutSec 2).Trim() } catch { '(nothing)' } }

Write-Host '== validate the plan'
$problems = Test-ReleasePlan $planPath
if ($problems) { $problems | Format-Table; throw 'the quickstart plan is invalid' }
$plan = Get-ReleasePlan $planPath
$plan | Format-Table
$plan.Services | Format-Table

Write-Host '== preflight gates'
$gates = $plan | Test-ReleaseGate -Tag preflight
$gates | Format-Table
if ($gates | Where-Object IsBlocking) { throw 'a preflight gate blocks the release' }

Write-Host '== deploy v1, then v2 (pre-deploy backup, blue-green switch, post-deploy gates)'
foreach ($version in 'v1', 'v2') {
    $result = $plan | Invoke-Deployment -Version $version -Confirm:$false | Select-Object -Last 1
    $result | Format-List
    if ($result.Outcome -ne 'Succeeded') { throw "deployment of $version: $($result.Reason)" }
    Write-Host "serving: $(Get-Served)"
}

Write-Host '== watch the release'
$plan | Watch-ReleaseHealth -Duration (New-TimeSpan -Seconds 10) | Select-Object -Last 1 | Format-List

Write-Host '== roll back'
$plan | Invoke-Rollback -Confirm:$false | Select-Object -Last 1 | Format-List
Write-Host "serving: $(Get-Served)"

Write-Host '== history and backups'
$plan | Get-Deployment | Format-Table
Get-ReleaseBackup -Path .releaseops/backups | Format-Table
