BeforeDiscovery {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    Import-Module $manifest -Force
    $examples = Get-HelpExample Backup-PgDatabase
}

BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    Import-Module $manifest -Force
    $database = 'ro_pester_backup'
    New-TestDatabase $database
    $dir = Join-Path $TestDrive 'backup'
    $file = New-TestPlan -Directory $dir -Application ro-pester-backup -Port 26181 -Database $database
    $plan = Get-ReleasePlan $file
    Push-Location $dir
}

AfterAll {
    Pop-Location
    Remove-TestDatabase ro_pester_backup
}

Describe 'Backup-PgDatabase' {
    Context 'by connection' {
        It 'backs up into a destination relative to the current location' {
            $backup = Backup-PgDatabase -Database $database -Server 127.0.0.1 -Port $PgPort -Credential $PgCredential -Destination adhoc -Release r1
            $backup | Should -BeOfType ([ReleaseOps.Backup.ReleaseBackup])
            $backup.Directory | Should -Be (Join-Path $dir 'adhoc')
            $backup.Release | Should -Be 'r1'
            $backup.ManifestPath | Should -Exist
        }

        It 'takes database names from the pipeline' {
            ($database | Backup-PgDatabase -Server 127.0.0.1 -Port $PgPort -Credential $PgCredential -Destination adhoc).Database | Should -Be $database
        }

        It 'reports missing credentials as an AuthenticationError, not a generic failure' {
            Backup-PgDatabase -Database $database -Server 127.0.0.1 -Port $PgPort -User $TestEnv.RELEASEOPS_TEST_PG_USER -Destination nocreds `
                -ErrorVariable failures -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
            $failures[0].FullyQualifiedErrorId | Should -BeLike 'PgPasswordMissing,*'
            $failures[0].CategoryInfo.Category | Should -Be 'AuthenticationError'
        }
    }

    Context 'by plan' {
        It 'takes a piped plan''s backups as the plan says: test-restored, then its retention (keep 2)' {
            $taken = 1..3 | ForEach-Object { $plan | Backup-PgDatabase -Confirm:$false }
            $taken.Count | Should -Be 3
            $taken | ForEach-Object { $_.Verified | Should -BeTrue }
            $taken[0].Release | Should -Be 'v1'
            @(Get-ChildItem (Join-Path $dir 'backups') -Filter *.manifest.json).Count | Should -Be 2
        }

        It 'takes one backup definition piped from $plan.Backups, with the credential given' {
            $backup = $plan.Backups[0] | Backup-PgDatabase -Credential $PgCredential -Destination fromdefinition
            $backup.Name | Should -Be 'app-db'
            $backup.Verified | Should -BeTrue
            $backup.Directory | Should -Be (Join-Path $dir 'fromdefinition')
        }

        It 'writes nothing with -WhatIf' {
            $plan | Backup-PgDatabase -WhatIf | Should -BeNullOrEmpty
            Backup-PgDatabase -PlanPath releaseplan.yml -BackupName app-db -WhatIf | Should -BeNullOrEmpty
            @(Get-ChildItem (Join-Path $dir 'backups') -Filter *.manifest.json).Count | Should -Be 2
        }

        It 'refuses an unknown backup name with the stable id BackupNotInPlan, and -Plan 42 as a binding error' {
            { $plan | Backup-PgDatabase -BackupName nosuch } | Should -Throw -ErrorId 'BackupNotInPlan,ReleaseOps.Cmdlets.Backup.BackupPgDatabaseCommand'
            { Backup-PgDatabase -Plan 42 } | Should -Throw -ErrorId 'CannotConvertArgumentNoMessage,ReleaseOps.Cmdlets.Backup.BackupPgDatabaseCommand'
        }

        It 'never shows a wrong password, whichever way it was given' {
            $canary = 'canary-' + [guid]::NewGuid().ToString('N').Substring(0, 20)
            $env:RO_PESTER_CANARY = $canary
            try {
                $all = & {
                    $plan.Backups[0] | Backup-PgDatabase -PasswordVariable RO_PESTER_CANARY -Destination canary -Verbose -ErrorAction Continue
                    Backup-PgDatabase -Database $database -Server 127.0.0.1 -Port $PgPort -User $TestEnv.RELEASEOPS_TEST_PG_USER `
                        -Credential (New-TestCredential $TestEnv.RELEASEOPS_TEST_PG_USER $canary) -Destination canary -Verbose -ErrorAction Continue
                } *>&1 | Out-String -Width 500
                ([regex]::Matches($all, 'refused the credentials')).Count | Should -BeGreaterOrEqual 2
                $all | Should -Not -Match $canary
            } finally { Remove-Item Env:RO_PESTER_CANARY }
        }
    }

    Context 'help and formats' {
        BeforeAll {
            $plan = Enter-ExampleSandbox -Application ro-pester-backup-ex -Port 26182 -Database $database
        }
        AfterAll { Pop-Location }

        It 'has generated help for every parameter' { Assert-CommandHelp Backup-PgDatabase }

        It 'runs example <Index>' -ForEach $examples { Invoke-HelpExample $Code }

        It 'formats backups as text for people' {
            Assert-ReadableFormat @(Get-ReleaseBackup ./backups)
        }
    }
}
