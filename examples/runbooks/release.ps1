#Requires -Version 7.4
<#
.SYNOPSIS
    Releases the example stack: gates, deploys, watches, and rolls back on a breach.
.DESCRIPTION
    A runbook for a scheduled task, an Azure Automation job or a person at a terminal. It reads the plan once,
    runs the pre-deploy release gates (Test-ReleaseGate), deploys the version (Invoke-Deployment: lock, backup,
    migrations, rollout by strategy, verification, automatic rollback when verification fails), then watches the
    release (Watch-ReleaseHealth) and rolls it back (Invoke-Rollback) when a criterion breaches. Every step is
    also in the deployment journal: Get-Deployment shows it afterwards.
.EXAMPLE
    ./examples/runbooks/release.ps1 -Plan examples/quickstart/releaseplan.yml -Version v2
.EXAMPLE
    ./examples/runbooks/release.ps1 -Plan examples/quickstart/releaseplan.yml -Version v2 -WatchFor 30s -WhatIf
#>
[CmdletBinding(SupportsShouldProcess)]
param(
    # The release plan to release.
    [Parameter(Mandatory)] [string] $Plan,
    # The version (image tag) to release; default the plan's version.
    [string] $Version,
    # How long to watch after the deployment (10m, 90s or a TimeSpan); default the plan's watch.duration.
    [string] $WatchFor,
    # Skip the post-deployment watch (for example in a dry run of the pipeline).
    [switch] $NoWatch
)

$ErrorActionPreference = 'Stop'
Import-Module (Join-Path $PSScriptRoot '../../ReleaseOps.psd1')

$releasePlan = Get-ReleasePlan -Path $Plan
$target = '{0}/{1}' -f $releasePlan.Application, $releasePlan.Environment
Write-Host "Releasing $target $(if ($Version) { $Version } else { $releasePlan.Version })"

# 1. Gates before anything changes: a failed critical or high gate stops the release here.
$gates = $releasePlan | Test-ReleaseGate -Stage PreDeploy
$gates | Format-Table -AutoSize | Out-Host
$blocking = @($gates | Where-Object { $_.Status -ne 'Passed' -and $_.Severity -in 'Critical', 'High' })
if ($blocking.Count -gt 0) {
    throw "Release of $target stopped by $($blocking.Count) gate(s): $($blocking.Name -join ', ')"
}

# 2. Deploy. Steps stream as they happen; the last object is the DeploymentResult. A deployment that
#    fails (nothing changed) or is rolled back (the previous release serves again) is also an error,
#    which ErrorActionPreference Stop turns into the end of this runbook.
$deployment = @{ WhatIf = $WhatIfPreference; Confirm = $false }
if ($Version) { $deployment.Version = $Version }
$records = $releasePlan | Invoke-Deployment @deployment
$records | Where-Object { $_ -is [ReleaseOps.Deploy.DeploymentStep] } | Format-Table -AutoSize | Out-Host
$result = $records | Where-Object { $_ -is [ReleaseOps.Deploy.DeploymentResult] } | Select-Object -Last 1
if ($WhatIfPreference) { return }
Write-Host "Deployed $target $($result.Version) (was $($result.PreviousVersion)) in $([int]$result.Duration.TotalSeconds) s"

# 3. Watch the release; on a breach, roll back (the watch can also do it itself with -RollbackOnBreach).
if (-not $NoWatch) {
    $watch = @{}
    if ($PSBoundParameters.ContainsKey('WatchFor')) { $watch.Duration = $WatchFor }
    $verdict = $releasePlan | Watch-ReleaseHealth @watch -VerdictOnly
    if ($verdict.Status -eq 'Breached') {
        Write-Warning "Health breached after release: $($verdict.Criterion) $($verdict.Observed) (limit $($verdict.Threshold)); rolling back."
        $rollback = $releasePlan | Invoke-Rollback -Confirm:$false | Select-Object -Last 1
        throw "Rolled back $target to $($rollback.ToVersion) in $([math]::Round($rollback.Duration.TotalSeconds, 1)) s after a health breach."
    }
    if ($verdict.Status -eq 'Inconclusive') {
        # No evidence either way (a criterion never had data): the release stays, and a person decides.
        Write-Warning "Health of $target was not judged: $($verdict.Reason)"
    }
}

$releasePlan | Get-Deployment -Last 1
