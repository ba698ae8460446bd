BeforeDiscovery {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    Import-Module $manifest -Force
    $examples = Get-HelpExample Test-ReleaseGate
}

BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    Import-Module $manifest -Force
    $dir = Join-Path $TestDrive 'gates'
    $file = New-TestPlan -Directory $dir -Application ro-pester-gate -Port 26121
    $plan = Get-ReleasePlan $file
    Push-Location $dir
}

AfterAll { Pop-Location }

Describe 'Test-ReleaseGate' {
    Context 'parameter sets and pipeline' {
        It 'takes a plan from the pipeline by value' {
            ($plan | Test-ReleaseGate -Tag preflight).Name | Should -Be 'database-port'
        }

        It 'takes the plan file by position and from Get-ChildItem by property name' {
            (Test-ReleaseGate releaseplan.yml -Tag preflight).Status | Should -Be 'Passed'
            (Get-ChildItem releaseplan.yml | Test-ReleaseGate -Tag preflight).Status | Should -Be 'Passed'
        }

        It 'runs piped hashtables together as inline gates' {
            $results = @{ type = 'tcp'; host = '127.0.0.1'; port = $PgPort }, @{ type = 'tcp'; name = 'closed'; host = '127.0.0.1'; port = 26129 } | Test-ReleaseGate
            $results.Count | Should -Be 2
            ($results | Where-Object Name -eq closed).Status | Should -Be 'Failed'
        }

        It 'selects gates by stage' {
            ($plan | Test-ReleaseGate -Stage Manual).Name | Should -Be 'by-hand'
            ($plan | Test-ReleaseGate -Stage PreDeploy, Manual).Name | Sort-Object | Should -Be 'by-hand', 'database-port'
        }

        It 'refuses -Plan 42 as a parameter binding error' {
            { Test-ReleaseGate -Plan 42 } | Should -Throw -ErrorId 'CannotConvertArgumentNoMessage,ReleaseOps.Cmdlets.Gates.TestReleaseGateCommand'
        }
    }

    Context 'durations' {
        It 'reads -Timeout 2s as two seconds and shows it in the message' {
            # A listener that accepts connections and never answers: the attempt runs until the timeout.
            $silent = [System.Net.Sockets.TcpListener]::new([ipaddress]::Loopback, 26128)
            $silent.Start()
            try { $took = Measure-Command { $script:result = @{ type = 'http'; url = 'http://127.0.0.1:26128/' } | Test-ReleaseGate -Timeout 2s } }
            finally { $silent.Stop() }
            $result.Status | Should -Be 'Error'
            $result.ErrorId | Should -Be 'GateTimeout'
            $result.Message | Should -Match 'within 2s'
            # Timers may fire a hair early; a second is far above 2 ticks (or 2 ms) and far below a wrong 2 minutes.
            $took | Should -BeGreaterOrEqual ([timespan]::FromSeconds(1)) -Because 'the attempt waits for its timeout, which must not be 2 ticks'
            $took | Should -BeLessThan ([timespan]::FromSeconds(30))
        }

        It 'takes a TimeSpan and TimeSpan text, and refuses a number without a unit' {
            (@{ type = 'tcp'; host = '127.0.0.1'; port = $PgPort } | Test-ReleaseGate -Timeout ([timespan]::FromSeconds(3))).Status | Should -Be 'Passed'
            (@{ type = 'tcp'; host = '127.0.0.1'; port = $PgPort } | Test-ReleaseGate -Timeout 00:00:03).Status | Should -Be 'Passed'
            { @{ type = 'tcp'; host = '127.0.0.1'; port = $PgPort } | Test-ReleaseGate -Timeout 5 } |
                Should -Throw -ErrorId 'ParameterArgumentTransformationError,ReleaseOps.Cmdlets.Gates.TestReleaseGateCommand'
        }
    }

    Context 'reports and -WhatIf' {
        It 'writes reports relative to the current location' {
            $plan | Test-ReleaseGate -Tag preflight -JUnitPath reports/gates.xml -JsonPath reports/gates.json -MarkdownPath reports/gates.md | Out-Null
            Join-Path $dir 'reports/gates.xml' | Should -FileContentMatch '<testcase name="database-port"'
            Join-Path $dir 'reports/gates.json' | Should -Exist
            Join-Path $dir 'reports/gates.md' | Should -Exist
        }

        It 'writes no report with -WhatIf, and still returns the results' {
            $results = $plan | Test-ReleaseGate -Tag preflight -JUnitPath whatif/gates.xml -WhatIf
            $results.Status | Should -Be 'Passed'
            Join-Path $dir 'whatif' | Should -Not -Exist
        }
    }

    Context 'errors' {
        It 'refuses a plain-text secret with the stable id SecretNotSecure' {
            { @{ type = 'http'; url = 'http://127.0.0.1:26129/'; headers = @{ Authorization = '${secret:token}' } } |
                Test-ReleaseGate -Secret @{ token = 'plain text' } -ErrorAction Stop } |
                Should -Throw -ErrorId 'SecretNotSecure,ReleaseOps.Cmdlets.Gates.TestReleaseGateCommand'
        }

        It 'ends the command on an inline gate with an unknown setting, naming the settings it takes' {
            $failure = { Test-ReleaseGate -Gate @{ type = 'tcp'; host = '127.0.0.1'; prot = 80 } } | Should -Throw -PassThru
            $failure.FullyQualifiedErrorId | Should -BeLike 'InlineGateInvalid,*'
            $failure.ErrorDetails.RecommendedAction | Should -Match 'host, port'
        }
    }

    Context 'monitoring, logs, scan reports and secrets' {
        BeforeAll {
            $token = ConvertTo-SecureString $TestEnv.RELEASEOPS_TEST_PROMETHEUS_TOKEN -AsPlainText -Force
            $canary = 'canary-' + [guid]::NewGuid().ToString('N').Substring(0, 20)
            $wrong = ConvertTo-SecureString $canary -AsPlainText -Force
            $bearer = $TestEnv.RELEASEOPS_TEST_MONITORING_PROXY + '/bearer'
        }

        It 'queries Prometheus with a bearer token over TLS, and a wrong token is an error that never shows it' {
            $ok = @{ type = 'prometheus'; url = $bearer; ca_file = $TestEnv.RELEASEOPS_TEST_NGINX_CERT; query = 'vector(0.0004)'; condition = 'value < 0.001'; bearer_token = '${secret:prom}' } |
                Test-ReleaseGate -Secret @{ prom = $token }
            $ok.Status | Should -Be 'Passed'
            $refused = @{ type = 'prometheus'; url = $bearer; ca_file = $TestEnv.RELEASEOPS_TEST_NGINX_CERT; query = 'up'; bearer_token = '${secret:prom}' } |
                Test-ReleaseGate -Secret @{ prom = $wrong }
            $refused.Status | Should -Be 'Error'
            $refused.ErrorId | Should -Be 'MonitoringUnauthorized'
            ($refused | Format-List * | Out-String) + ($refused | ConvertTo-Json -Depth 6) | Should -Not -Match $canary
        }

        It 'finds no firing alert for an incident nobody raised' {
            $quiet = @{ type = 'alertmanager'; url = $TestEnv.RELEASEOPS_TEST_ALERTMANAGER_URL; matchers = "incident=`"$([guid]::NewGuid())`"" } | Test-ReleaseGate
            $quiet.Status | Should -Be 'Passed'
            $quiet.Evidence.firing | Should -Be 0
        }

        It 'fails a scan report of the engine''s image on its critical finding' {
            $id = & docker -H $DockerHost image inspect --format '{{.Id}}' releaseops-test/web:v1
            $report = Join-Path $TestDrive 'trivy.json'
            @{
                SchemaVersion = 2; ArtifactName = 'releaseops-test/web:v1'; ArtifactType = 'container_image'
                Metadata = @{ ImageID = $id; RepoTags = @('releaseops-test/web:v1'); RepoDigests = @() }
                Results = @(@{ Target = 'os'; Class = 'os-pkgs'; Vulnerabilities = @(@{ VulnerabilityID = 'CVE-2024-9999'; PkgName = 'zlib'; InstalledVersion = '1.2'; Severity = 'CRITICAL' }) })
            } | ConvertTo-Json -Depth 6 | Set-Content $report
            # An inline gate reads the engine from DOCKER_HOST, as the docker command line does.
            $result = Use-Environment @{ DOCKER_HOST = $DockerHost } { @{ type = 'scan-report'; file = $report; image = 'releaseops-test/web:v1' } | Test-ReleaseGate }
            $result.Status | Should -Be 'Failed'
            $result.Message | Should -Match 'CVE-2024-9999 \(critical, zlib 1.2\)'
        }

        It 'measures the strength of the secrets it is given and never shows them' {
            $weak = @{ type = 'secret-strength'; secrets = 'short' } | Test-ReleaseGate -Secret @{ short = (ConvertTo-SecureString 'canary-abc' -AsPlainText -Force) }
            $weak.Status | Should -Be 'Failed'
            $weak.Message | Should -Match 'short is weak: 10 characters, fewer than 16'
            ($weak | ConvertTo-Json -Depth 6) | Should -Not -Match 'canary-abc'
        }
    }

    Context 'help and formats' {
        BeforeAll {
            $plan = Enter-ExampleSandbox -Application ro-pester-gate-ex -Port 26122
        }
        AfterAll { Pop-Location }

        It 'has generated help for every parameter' { Assert-CommandHelp Test-ReleaseGate }

        It 'runs example <Index>' -ForEach $examples { Invoke-HelpExample $Code }

        It 'formats results and summaries as text for people' {
            Assert-ReadableFormat @(($plan | Test-ReleaseGate -Tag preflight), ($plan | Test-ReleaseGate -Tag preflight -Summary))
        }
    }
}
