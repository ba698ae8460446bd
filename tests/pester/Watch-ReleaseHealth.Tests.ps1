BeforeDiscovery {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    Import-Module $manifest -Force
    $examples = Get-HelpExample Watch-ReleaseHealth
}

BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    Import-Module $manifest -Force
    $dir = Join-Path $TestDrive 'watch'
    $file = New-TestPlan -Directory $dir -Application ro-pester-watch -Port 26171
    $plan = Get-ReleasePlan $file
    Remove-TestContainer ro-pester-watch
    $plan | Invoke-Deployment -Version v1 -Confirm:$false | Out-Null
    Push-Location $dir
}

AfterAll {
    Pop-Location
    Remove-TestContainer ro-pester-watch
    Remove-TestContainer ro-pester-watch-ex
}

Describe 'Watch-ReleaseHealth' {
    Context 'parameter sets, pipeline and durations' {
        It 'watches a piped plan: samples as they come, the verdict last, the summary saved to the journal' {
            $records = $plan | Watch-ReleaseHealth
            $records[0] | Should -BeOfType ([ReleaseOps.Health.HealthSample])
            $records[-1] | Should -BeOfType ([ReleaseOps.Health.HealthVerdict])
            $records[-1].Status | Should -Be 'Healthy'
            @(Get-ChildItem (Join-Path $dir 'journal/watches') -Filter *.json).Count | Should -Be 1
        }

        It 'reads -Duration 1500ms and 2s as written' {
            $verbose = Watch-ReleaseHealth releaseplan.yml -Duration 1500ms -VerdictOnly -NoSave -Verbose 4>&1 | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }
            $verbose.Message -match 'Watching 1 probe\(s\) for 1s500ms with 1 criteria' | Should -Not -BeNullOrEmpty
            $verbose = Watch-ReleaseHealth releaseplan.yml -Duration 1s -Interval 100ms -VerdictOnly -NoSave -Verbose 4>&1 | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }
            $verbose.Message -match 'Watching 1 probe\(s\) for 1s with 1 criteria' | Should -Not -BeNullOrEmpty
        }

        It 'watches probes given inline, without a plan' {
            $verdict = Watch-ReleaseHealth -Probe @{ Name = 'web'; Url = 'http://127.0.0.1:26171/health'; Interval = '200ms' } `
                -Criterion @{ Name = 'errors'; Expect = 'error_rate < 5%'; Window = '1s' } -Duration 1s -VerdictOnly
            $verdict.Status | Should -Be 'Healthy'
            $verdict.Criteria.Name | Should -Be 'errors'
        }

        It 'watches the team''s figures inline: a PromQL query and a command with its secret in its environment' {
            $canary = 'canary-' + [guid]::NewGuid().ToString('N').Substring(0, 20)
            $records = Watch-ReleaseHealth -Probe @{ Name = 'memory'; Type = 'prometheus'; Url = $TestEnv.RELEASEOPS_TEST_PROMETHEUS_URL; Query = 'vector(0.93)'; Interval = '200ms' },
                @{ Name = 'queue'; Type = 'command'; Run = '/bin/sh', '-c', 'echo "checked with $TOKEN"'; Env = @{ TOKEN = '${secret:token}' }; Interval = '200ms'; Expect = 'output contains "checked"' } `
                -Criterion @{ Name = 'memory'; Expect = 'value < 0.8'; Probe = 'memory' } -Secret @{ token = (ConvertTo-SecureString $canary -AsPlainText -Force) } -Duration 1s -NoSave -WarningAction SilentlyContinue
            $verdict = $records[-1]
            $verdict.Status | Should -Be 'Breached'
            $verdict.Criterion | Should -Be 'memory'
            $verdict.Observed | Should -Be 0.93
            @($records | Where-Object { $_.Probe -eq 'queue' -and $_.Success }).Count | Should -BeGreaterThan 0
            ($records | Out-String) + ($verdict | ConvertTo-Json -Depth 6) | Should -Not -Match $canary
        }

        It 'refuses a command probe with a secret in its arguments' {
            { Watch-ReleaseHealth -Probe @{ Name = 'c'; Type = 'command'; Run = 'curl', '-u', 'admin:${secret:pw}' } -Duration 1s -ErrorAction Stop } |
                Should -Throw -ErrorId 'ProbeSecretInArguments,ReleaseOps.Cmdlets.Health.WatchReleaseHealthCommand'
        }

        It 'refuses a duration without a unit and -Plan 42 as binding errors' {
            { $plan | Watch-ReleaseHealth -Duration 5 } | Should -Throw -ErrorId 'ParameterArgumentTransformationError,ReleaseOps.Cmdlets.Health.WatchReleaseHealthCommand'
            { Watch-ReleaseHealth -Plan 42 } | Should -Throw -ErrorId 'CannotConvertArgumentNoMessage,ReleaseOps.Cmdlets.Health.WatchReleaseHealthCommand'
        }
    }

    Context 'reports and -WhatIf' {
        It 'writes its reports relative to the current location' {
            # As long as the plan's criterion window (2s): a shorter watch could not judge it and would be Inconclusive.
            $plan | Watch-ReleaseHealth -Duration 2s -NoSave -JsonPath out/health.json -JUnitPath out/health.xml -MarkdownPath out/health.md | Out-Null
            Join-Path $dir 'out/health.json' | Should -FileContentMatch '"status": "Healthy"'
            Join-Path $dir 'out/health.xml' | Should -Exist
            Join-Path $dir 'out/health.md' | Should -Exist
        }

        It 'writes nothing with -WhatIf: no summary, no report' {
            $before = @(Get-ChildItem (Join-Path $dir 'journal/watches') -ErrorAction Ignore).Count
            $verdict = $plan | Watch-ReleaseHealth -Duration 2s -JsonPath whatif/health.json -VerdictOnly -WhatIf
            $verdict.Status | Should -Be 'Healthy'
            $verdict.SummaryPath | Should -BeNullOrEmpty
            @(Get-ChildItem (Join-Path $dir 'journal/watches') -ErrorAction Ignore).Count | Should -Be $before
            Join-Path $dir 'whatif' | Should -Not -Exist
        }
    }

    Context 'rollback on breach' {
        It 'rolls a breached release back to the previous one through the deployment engine' {
            $plan | Invoke-Deployment -Version v2 -Confirm:$false | Out-Null
            Get-ServedVersion 26171 | Should -Be 'v2'
            & docker -H $DockerHost stop -t 0 (& docker -H $DockerHost ps -q --filter 'label=org.releaseops.application=ro-pester-watch') | Out-Null

            $verdict = $plan | Watch-ReleaseHealth -Duration 20s -RollbackOnBreach -NoSave -VerdictOnly -Confirm:$false -WarningAction SilentlyContinue
            $verdict.Status | Should -Be 'Breached'
            $verdict.RolledBack | Should -BeTrue -Because $verdict.RollbackError
            $verdict.StoppedEarly | Should -BeTrue
            Get-ServedVersion 26171 | Should -Be 'v1'
            ($plan | Get-Deployment -Last 1).Kind | Should -Be 'Rollback'
        }
    }

    Context 'help and formats' {
        BeforeAll {
            $plan = Enter-ExampleSandbox -Application ro-pester-watch-ex -Port 26172
            $plan | Invoke-Deployment -Version v1 -Confirm:$false | Out-Null
            $healthUrl = 'http://127.0.0.1:26172/health'
        }
        AfterAll { Pop-Location }

        It 'has generated help for every parameter' { Assert-CommandHelp Watch-ReleaseHealth }

        It 'runs example <Index>' -ForEach $examples { Invoke-HelpExample $Code }

        It 'formats samples and verdicts as text for people' {
            $records = $plan | Watch-ReleaseHealth -Duration 1s -NoSave
            Assert-ReadableFormat @($records[0], $records[-1])
        }
    }
}
