# A release end to end with the module, against the real services, as a runbook does it:
# plan | gates | deploy v1, v2 | watch | rollback | history, and backup | test-restore.
BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    Import-Module $manifest -Force
    New-TestDatabase ro_pester_e2e -Rows 200
    $dir = Join-Path $TestDrive 'e2e'
    New-TestPlan -Directory $dir -Application ro-pester-e2e -Port 26191 -Database ro_pester_e2e -BeforeDeploy | Out-Null
    Remove-TestContainer ro-pester-e2e
    Push-Location $dir
}

AfterAll {
    Pop-Location
    Remove-TestContainer ro-pester-e2e
    Remove-TestDatabase ro_pester_e2e
}

Describe 'A release, end to end' {
    It 'reads a valid plan' {
        Test-ReleasePlan releaseplan.yml -Quiet | Should -BeTrue
        $script:plan = Get-ReleasePlan releaseplan.yml
    }

    It 'passes its preflight gates' {
        $gates = $plan | Test-ReleaseGate -Tag preflight
        $gates.Status | Should -Be 'Passed'
        $gates | Where-Object IsBlocking | Should -BeNullOrEmpty
    }

    It 'deploys v1 then v2, each after a verified pre-deploy backup, and serves each' {
        foreach ($version in 'v1', 'v2') {
            $result = $plan | Invoke-Deployment -Version $version -Confirm:$false | Select-Object -Last 1
            $result.Outcome | Should -Be 'Succeeded'
            Get-ServedVersion 26191 | Should -Be $version
        }
        $backups = $plan | Get-ReleaseBackup -Reason pre-deploy
        $backups.Count | Should -Be 2
        $backups.Verified | Should -Be $true, $true
    }

    It 'watches v2 and finds it healthy' {
        $verdict = $plan | Watch-ReleaseHealth -VerdictOnly
        $verdict.Status | Should -Be 'Healthy'
        $verdict.Samples | Should -BeGreaterThan 0
    }

    It 'rolls back to v1' {
        $result = $plan | Invoke-Rollback -Confirm:$false | Select-Object -Last 1
        $result.Outcome | Should -Be 'Succeeded'
        $result.ToVersion | Should -Be 'v1'
        Get-ServedVersion 26191 | Should -Be 'v1'
    }

    It 'shows the history, newest first' {
        $history = $plan | Get-Deployment
        $history.Kind | Should -Be 'Rollback', 'Deployment', 'Deployment'
        $history.Version | Should -Be 'v1', 'v2', 'v1'
        $history.Status | Should -Be 'Succeeded', 'Succeeded', 'Succeeded'
    }

    It 'backs the database up and proves the backup restores' {
        $verification = $plan | Backup-PgDatabase -Confirm:$false | Test-PgBackup -Credential $PgCredential
        $verification.Passed | Should -BeTrue
        ($verification.Levels | Where-Object Level -eq RowCounts).Detail | Should -Match '200 rows'
    }
}
