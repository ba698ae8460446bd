# The example scripts, run as their readers run them, against the real services.
BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    Import-Module $manifest -Force
}

Describe 'examples/backup-and-verify.ps1' {
    BeforeAll {
        New-TestDatabase ro_pester_example -Rows 30
        Push-Location $TestDrive
    }
    AfterAll {
        Pop-Location
        Remove-TestDatabase ro_pester_example
        Remove-TestDatabase ro_pester_example_copy
    }

    It 'backs up, proves both backups, and restores a copy' {
        $restored = & (Join-Path $examples 'backup-and-verify.ps1') -Database ro_pester_example -PgPort $PgPort -PgCredential $PgCredential `
            -RedisPort $RedisPort -RedisCredential $RedisCredential -Destination ./backups 6>$null
        $restored.TargetDatabase | Should -Be 'ro_pester_example_copy'
        Invoke-Psql -Database ro_pester_example_copy -Sql 'SELECT count(*) FROM visits' | Should -Be 30
        (Get-ReleaseBackup ./backups/pg, ./backups/redis).Verified | Should -Be $true, $true
    }
}

Describe 'examples/runbooks/release.ps1' {
    BeforeAll {
        $dir = Join-Path $TestDrive 'runbook'
        $file = New-TestPlan -Directory $dir -Application ro-pester-runbook-example -Port 26195
        Remove-TestContainer ro-pester-runbook-example
        Push-Location $dir
    }
    AfterAll {
        Pop-Location
        Remove-TestContainer ro-pester-runbook-example
    }

    It 'changes nothing with -WhatIf' {
        & (Join-Path $examples 'runbooks/release.ps1') -Plan releaseplan.yml -Version v2 -WhatIf 6>$null | Should -BeNullOrEmpty
        Join-Path $dir 'journal' | Should -Not -Exist
    }

    It 'gates by stage, deploys, watches and ends with the journal''s record' {
        $record = & (Join-Path $examples 'runbooks/release.ps1') -Plan releaseplan.yml -Version v2 -WatchFor 2s 6>$null
        $record.Status | Should -Be 'Succeeded'
        $record.Version | Should -Be 'v2'
        Get-ServedVersion 26195 | Should -Be 'v2'
    }
}

Describe 'examples/quickstart (scripts/quickstart.sh, the README''s first command)' {
    AfterAll { & bash (Join-Path $root 'scripts/quickstart.sh') down | Out-Null }

    It 'runs the whole release through the module in pwsh' {
        $env:RELEASEOPS_SKIP_BUILD = '1'
        try { $output = & bash (Join-Path $root 'scripts/quickstart.sh') 2>&1 | Out-String }
        finally { Remove-Item Env:RELEASEOPS_SKIP_BUILD }
        $LASTEXITCODE | Should -Be 0 -Because $output
        $output | Should -Match '== roll back'
        $output | Should -Match 'serving: v1'
        $output | Should -Match 'quickstart: done'
    }
}
