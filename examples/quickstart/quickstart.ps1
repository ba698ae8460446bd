#Requires -Version 7.4
<#
.SYNOPSIS
    The quickstart release, driven from PowerShell: validate, gates, deploy v1 and v2, watch, roll back, history.
.DESCRIPTION
    scripts/quickstart.sh prepares the Docker engine, PostgreSQL, the demo images and nginx, installs the
    pinned pwsh when it is missing, then runs this script. Paths in the plan are relative to the plan, so
    it runs from any current directory; the demo's state (journal, backups, nginx upstream) is kept in
    examples/quickstart/.releaseops/.
#>
[CmdletBinding()]
param(
    # The release plan to run; default the quickstart plan beside this script.
    [string] $PlanPath = (Join-Path $PSScriptRoot 'releaseplan.yml'),
    # How long to watch the release after v2 is deployed.
    [string] $WatchFor = '10s',
    # Where the service answers through nginx.
    [string] $ServedUrl = 'http://127.0.0.1:18180/version'
)
$ErrorActionPreference = 'Stop'
Import-Module (Join-Path $PSScriptRoot '../../ReleaseOps.psd1')
function Get-Served { try { (Invoke-RestMethod $ServedUrl -TimeoutSec 2).Trim() } catch { '(nothing)' } }

Write-Host '== validate the plan'
$problems = Test-ReleasePlan $PlanPath
if ($problems) { $problems | Format-Table | Out-Host; throw 'the quickstart plan is invalid' }
$plan = Get-ReleasePlan $PlanPath
$plan | Format-List | Out-Host

Write-Host '== preflight gates'
$gates = $plan | Test-ReleaseGate -Tag preflight
$gates | Format-Table | Out-Host
if ($gates | Where-Object IsBlocking) { throw 'a preflight gate blocks the release' }

Write-Host '== deploy v1, then v2 (pre-deploy backup, blue-green switch, post-deploy gates)'
foreach ($version in 'v1', 'v2') {
    # A deployment that fails or is rolled back is an error: with ErrorActionPreference Stop it ends the script here.
    $result = $plan | Invoke-Deployment -Version $version -Confirm:$false | Select-Object -Last 1
    $result | Format-List | Out-Host
    Write-Host "serving: $(Get-Served)"
}

Write-Host '== watch the release'
$plan | Watch-ReleaseHealth -Duration $WatchFor | Select-Object -Last 1 | Format-List | Out-Host

Write-Host '== roll back'
$plan | Invoke-Rollback -Confirm:$false | Select-Object -Last 1 | Format-List | Out-Host
Write-Host "serving: $(Get-Served)"

Write-Host '== history and backups'
$plan | Get-Deployment -Last 5 | Format-Table | Out-Host
$plan | Get-ReleaseBackup | Format-Table | Out-Host
