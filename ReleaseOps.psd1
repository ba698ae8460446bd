@{
    # One nested module, module/ReleaseOps.Cmdlets.psd1, which loads the cmdlets, the engine and their
    # dependencies into a load context of the module's own (docs/architecture.md, "Load contexts").
    # Build first: dotnet build ReleaseOps.sln -c Release. scripts/package.sh makes the installable
    # packages from this layout (README.md, "Install").
    NestedModules        = @('module/ReleaseOps.Cmdlets.psd1')
    # Written by the build from <Version> in Directory.Build.props, the one place the version is set.
    ModuleVersion        = '0.1.0'
    GUID                 = '9fa4264d-b974-4bca-8bcb-888da17edffa'
    Author               = 'ReleaseOps'
    CompanyName          = 'ReleaseOps'
    Copyright            = '(c) 2026 ReleaseOps contributors. MIT License.'
    Description          = 'Release operations as code: validated release plans, release gates, health-gated deployments on Docker, health watches, verified backups and fast rollbacks.'
    PowerShellVersion    = '7.4'
    CompatiblePSEditions = @('Core')

    CmdletsToExport      = @(
        'Backup-PgDatabase'
        'Backup-RedisData'
        'Confirm-ReleaseChecklistItem'
        'Export-ReleaseRecord'
        'Get-Deployment'
        'Get-ReleaseBackup'
        'Get-ReleaseChecklist'
        'Get-ReleasePlan'
        'Import-ReleaseChecklist'
        'Invoke-Deployment'
        'Invoke-Rollback'
        'Remove-ReleaseBackup'
        'Restore-PgDatabase'
        'Stop-DeploymentStandby'
        'Test-PgBackup'
        'Test-RedisBackup'
        'Test-ReleasePlan'
        'Test-ReleaseGate'
        'Test-ReleaseJournal'
        'Unlock-Deployment'
        'Watch-ReleaseHealth'
    )
    FunctionsToExport    = @()
    AliasesToExport      = @()
    VariablesToExport    = @()

    FormatsToProcess     = @(
        'ReleaseOps.Format.ps1xml'
        'formats/Deploy.Format.ps1xml'
        'formats/Backup.Format.ps1xml'
        'formats/Gates.Format.ps1xml'
        'formats/Health.Format.ps1xml'
        'formats/Checklists.Format.ps1xml'
    )
    TypesToProcess       = @('ReleaseOps.Types.ps1xml')

    PrivateData          = @{
        PSData = @{
            Tags         = @('Release', 'Deployment', 'Docker', 'PostgreSQL', 'Redis', 'Rollback', 'Backup', 'HealthCheck', 'DevOps', 'Linux')
            ProjectUri   = 'https://github.com/releaseops/releaseops'
            LicenseUri   = 'https://github.com/releaseops/releaseops/blob/main/LICENSE'
            ReleaseNotes = 'The first packaged release: validated YAML release plans; release gates with JUnit, JSON and Markdown reports; blue-green, rolling and canary deployments on Docker with journal, lock and rollback; health watches with rollback on breach; verified PostgreSQL and Redis backups with retention. Install with Install-PSResource ReleaseOps, as a zip in Azure Automation, or the releaseops CLI as the .NET tool ReleaseOps.Cli.'
        }
    }
}
