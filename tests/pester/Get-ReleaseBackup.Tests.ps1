BeforeDiscovery {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    Import-Module $manifest -Force
    $examples = Get-HelpExample Get-ReleaseBackup
}

BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    Import-Module $manifest -Force
    $database = 'ro_pester_listbackup'
    New-TestDatabase $database
    $dir = Join-Path $TestDrive 'list'
    $file = New-TestPlan -Directory $dir -Application ro-pester-list -Port 26183 -Database $database
    $plan = Get-ReleasePlan $file
    Push-Location $dir
    $first = $plan | Backup-PgDatabase -Release r1
    $second = $plan | Backup-PgDatabase -Release r2
}

AfterAll {
    Pop-Location
    Remove-TestDatabase ro_pester_listbackup
}

Describe 'Get-ReleaseBackup' {
    It 'lists a directory relative to the current location, newest first' {
        (Get-ReleaseBackup backups).Id | Should -Be $second.Id, $first.Id
        (Get-ReleaseBackup backups -Latest).Id | Should -Be $second.Id
        (Get-ReleaseBackup backups -Release r1).Id | Should -Be $first.Id
    }

    It 'lists the backups of a piped plan''s destinations, and of the plan file' {
        ($plan | Get-ReleaseBackup -Latest).Id | Should -Be $second.Id
        (Get-ReleaseBackup -PlanPath releaseplan.yml).Count | Should -Be 2
        ($plan.Backups | Get-ReleaseBackup -Latest).Id | Should -Be $second.Id
    }

    It 'expands wildcards, and reports a missing directory among several as ObjectNotFound' {
        (Get-ReleaseBackup back* -Latest).Id | Should -Be $second.Id
        $listed = Get-ReleaseBackup nowhere, backups -ErrorVariable failures -ErrorAction SilentlyContinue
        $listed.Count | Should -Be 2
        $failures[0].FullyQualifiedErrorId | Should -BeLike 'BackupDirectoryNotFound,*'
        $failures[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
    }

    It 'refuses -Plan 42 as a parameter binding error' {
        { Get-ReleaseBackup -Plan 42 } | Should -Throw -ErrorId 'CannotConvertArgumentNoMessage,ReleaseOps.Cmdlets.Backup.GetReleaseBackupCommand'
    }

    Context 'help and formats' {
        It 'has generated help for every parameter' { Assert-CommandHelp Get-ReleaseBackup }

        It 'runs example <Index>' -ForEach $examples { Invoke-HelpExample $Code }

        It 'formats backups as text for people' { Assert-ReadableFormat @(Get-ReleaseBackup backups) }
    }
}
