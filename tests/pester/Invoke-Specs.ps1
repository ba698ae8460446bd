<#
.SYNOPSIS
    Runs the Pester specs against the built module in this pwsh and writes their counts.
.DESCRIPTION
    Used by scripts/test.sh after the build. Each spec file imports ../../ReleaseOps.psd1 itself.
    Writes "passed failed skipped" to -CountsFile (skipped counts tests that did not run: skipped,
    inconclusive or not run, so a skip never passes for a pass) and a JUnit report beside it.
    Exits 0 only when every test ran and passed.
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)] [string] $CountsFile,
    [string[]] $Path = $PSScriptRoot,
    [string] $FullNameFilter
)
$ErrorActionPreference = 'Stop'
Import-Module Pester -MinimumVersion 5.7.1

$configuration = New-PesterConfiguration
$configuration.Run.Path = $Path
$configuration.Run.PassThru = $true
$configuration.Output.Verbosity = 'Detailed'
$configuration.TestResult.Enabled = $true
$configuration.TestResult.OutputFormat = 'JUnitXml'
$configuration.TestResult.OutputPath = [System.IO.Path]::ChangeExtension($CountsFile, '.junit.xml')
if ($FullNameFilter) { $configuration.Filter.FullName = $FullNameFilter }

$run = Invoke-Pester -Configuration $configuration
$notRun = $run.SkippedCount + $run.NotRunCount + $run.InconclusiveCount
# A failure in BeforeAll/AfterAll of a container fails its tests without counting them as failed.
$failed = $run.FailedCount + $run.FailedBlocksCount + $run.FailedContainersCount
Set-Content -LiteralPath $CountsFile -Value "$($run.PassedCount) $failed $notRun"
exit ([int]($failed -gt 0 -or $notRun -gt 0 -or $run.Result -ne 'Passed'))
