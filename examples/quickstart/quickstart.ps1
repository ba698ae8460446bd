#Requires -Version 7.4
# The quickstart release, driven from PowerShell: scripts/quickstart.sh runs this where pwsh exists.
$ErrorActionPreference = 'Stop'
$root = Resolve-Path (Join-Path $PSScriptRoot '../..')
Import-Module (Join-Path $root 'ReleaseOps.psd1') -Force
$planPath = Join-Path $PSScriptRoot 'releaseplan.yml'

Write-Host '== validate the plan'
$problems = Test-ReleasePlan $planPath
if ($problems) { $problems | Format-Table; throw 'the quickstart plan is invalid' }

Write-Host '== the plan'
$plan = Get-ReleasePlan $planPath
$plan | Format-List Application, Environment, Version, Description
$plan.Services | Format-Table
$plan.Gates | Format-Table
