BeforeDiscovery {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    Import-Module $manifest -Force
    $examples = Get-HelpExample Remove-ReleaseBackup
}

BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    Import-Module $manifest -Force
    $database = 'ro_pester_removebackup'
    New-TestDatabase $database
    $dir = Join-Path $TestDrive 'remove'
    $null = New-Item -ItemType Directory -Path $dir
    Push-Location $dir
    function New-Backup { Backup-PgDatabase -Database $database -Server 127.0.0.1 -Port $PgPort -Credential $PgCredential -Destination backups }
}

AfterAll {
    Pop-Location
    Remove-TestDatabase ro_pester_removebackup
}

Describe 'Remove-ReleaseBackup' {
    It 'shows what retention would remove with -WhatIf, reasons with durations as written, and removes nothing' {
        $old = New-Backup; New-Backup | Out-Null
        $planned = Remove-ReleaseBackup backups -KeepCount 1 -MaxAge 1ms -WhatIf
        $planned.Id | Should -Contain $old.Id
        $planned.Removed | Should -Not -Contain $true
        ($planned | Where-Object Id -eq $old.Id).Reason | Should -Be 'beyond the newest 1'
        $old.ManifestPath | Should -Exist
    }

    It 'applies retention given -MaxAge as a duration, never the newest verified backup' {
        $newest = New-Backup
        $newest | Test-PgBackup -Credential $PgCredential | Out-Null
        $removed = Remove-ReleaseBackup backups -MaxAge 1ms -Confirm:$false
        $removed.Reason | Sort-Object -Unique | Should -Be 'older than 1ms'
        (Get-ReleaseBackup backups).Id | Should -Be $newest.Id
    }

    It 'keeps the newest verified backup piped in by hand unless forced (BackupIsLastVerified)' {
        $kept = Get-ReleaseBackup backups -Latest
        $kept | Remove-ReleaseBackup -Confirm:$false -ErrorVariable failures -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $failures[0].FullyQualifiedErrorId | Should -BeLike 'BackupIsLastVerified,*'
        $failures[0].CategoryInfo.Category | Should -Be 'ResourceBusy'
        ($kept | Remove-ReleaseBackup -Force -Confirm:$false).Removed | Should -BeTrue
        Get-ReleaseBackup backups | Should -BeNullOrEmpty
    }

    It 'refuses retention without a rule, and a duration without a unit' {
        { Remove-ReleaseBackup backups -Confirm:$false } | Should -Throw -ErrorId 'RetentionRuleMissing,ReleaseOps.Cmdlets.Backup.RemoveReleaseBackupCommand'
        { Remove-ReleaseBackup backups -MaxAge 30 } | Should -Throw -ErrorId 'ParameterArgumentTransformationError,*'
    }

    Context 'help and formats' {
        BeforeAll {
            $plan = Enter-ExampleSandbox -Application ro-pester-remove-ex -Port 26184 -Database $database
            $plan | Backup-PgDatabase | Out-Null
        }
        AfterAll { Pop-Location }

        It 'has generated help for every parameter' { Assert-CommandHelp Remove-ReleaseBackup }

        It 'runs example <Index>' -ForEach $examples { Invoke-HelpExample $Code }

        It 'formats removals as text for people' {
            $plan | Backup-PgDatabase | Out-Null
            Assert-ReadableFormat @(Remove-ReleaseBackup ./backups -KeepCount 0 -WhatIf)
        }
    }
}
