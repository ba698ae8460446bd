BeforeDiscovery {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    Import-Module $manifest -Force
    $examples = Get-HelpExample Invoke-Deployment
}

BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    Import-Module $manifest -Force
    $dir = Join-Path $TestDrive 'deploy'
    $file = New-TestPlan -Directory $dir -Application ro-pester-deploy -Port 26131
    $plan = Get-ReleasePlan $file
    Remove-TestContainer ro-pester-deploy
    Push-Location $dir
}

AfterAll {
    Pop-Location
    Remove-TestContainer ro-pester-deploy
    Remove-TestContainer ro-pester-deploy-ex
}

Describe 'Invoke-Deployment' {
    Context '-WhatIf and parameter sets' {
        It 'shows the exact steps of a piped plan and writes nothing, not even the journal' {
            $output = $plan | Invoke-Deployment -Version v2 -WhatIf
            $output | Should -BeNullOrEmpty
            Join-Path $dir 'journal' | Should -Not -Exist
        }

        It 'takes the plan file by position and from Get-ChildItem' {
            { Invoke-Deployment releaseplan.yml v2 -WhatIf } | Should -Not -Throw
            { Get-ChildItem releaseplan.yml | Invoke-Deployment -Version v2 -WhatIf } | Should -Not -Throw
            Join-Path $dir 'journal' | Should -Not -Exist
        }

        It 'refuses -Plan 42 as a parameter binding error' {
            { Invoke-Deployment -Plan 42 -Version v1 -WhatIf } | Should -Throw -ErrorId 'CannotConvertArgumentNoMessage,ReleaseOps.Cmdlets.Deploy.InvokeDeploymentCommand'
        }
    }

    Context 'deploying' {
        It 'streams each step, then the result, and serves the new version' {
            $records = $plan | Invoke-Deployment -Version v1 -Confirm:$false
            $? | Should -BeTrue
            $records[0..($records.Count - 2)] | ForEach-Object { $_ | Should -BeOfType ([ReleaseOps.Deploy.DeploymentStep]) }
            $records[-1] | Should -BeOfType ([ReleaseOps.Deploy.DeploymentResult])
            $records[-1].Outcome | Should -Be 'Succeeded'
            Get-ServedVersion 26131 | Should -Be 'v1'
        }

        It 'reports a failed deployment as an error besides its result: $? is false, -ErrorAction Stop throws' {
            $records = $plan | Invoke-Deployment -Version v9 -Confirm:$false -ErrorVariable failures -ErrorAction SilentlyContinue
            $records[-1].Outcome | Should -Be 'Failed'
            $failures.Count | Should -Be 1
            $failures[0].FullyQualifiedErrorId | Should -BeLike 'DeploymentFailed,*'
            $plan | Invoke-Deployment -Version v9 -Confirm:$false -ErrorAction SilentlyContinue | Out-Null
            $? | Should -BeFalse
            { $plan | Invoke-Deployment -Version v9 -Confirm:$false -ErrorAction Stop } | Should -Throw -ErrorId 'DeploymentFailed,*'
            Get-ServedVersion 26131 | Should -Be 'v1'
        }

        It 'reports a deployment rolled back after failed verification as DeploymentRolledBack' {
            $records = $plan | Invoke-Deployment -Version broken -Confirm:$false -ErrorVariable failures -ErrorAction SilentlyContinue
            $records[-1].Outcome | Should -Be 'RolledBack'
            $failures[0].FullyQualifiedErrorId | Should -BeLike 'DeploymentRolledBack,*'
            $failures[0].CategoryInfo.Category | Should -Be 'InvalidOperation'
            $failures[0].ErrorDetails.RecommendedAction | Should -Not -BeNullOrEmpty
            Get-ServedVersion 26131 | Should -Be 'v1'
        }

        It 'ends the command on an invalid request with the engine''s id and category' {
            $failure = { $plan | Invoke-Deployment -Version v1 -Service nosuch -WhatIf } | Should -Throw -PassThru
            $failure.FullyQualifiedErrorId | Should -BeLike 'ServiceNotInPlan,*'
            $failure.CategoryInfo.Category | Should -Be 'InvalidArgument'
            $failure.ErrorDetails.RecommendedAction | Should -Match 'web'
        }
    }

    Context 'the watch after the deployment (watch.after_deploy)' {
        BeforeAll {
            $watchDir = Join-Path $TestDrive 'watched'
            $watchFile = New-TestPlan -Directory $watchDir -Application ro-pester-deploy-watch -Port 26133
            Add-Content -LiteralPath $watchFile -Value '  after_deploy: true'
            $watched = Get-ReleasePlan $watchFile
            Remove-TestContainer ro-pester-deploy-watch
        }
        AfterAll { Remove-TestContainer ro-pester-deploy-watch }

        It 'is Succeeded only after the watch ended healthy, and journals the verdict' {
            $records = $watched | Invoke-Deployment -Version v1 -Confirm:$false
            $records[-1].Outcome | Should -Be 'Succeeded'
            $watch = $records | Where-Object { $_ -is [ReleaseOps.Deploy.DeploymentStep] -and $_.Name -eq 'watch' }
            $watch.Status | Should -Be 'Succeeded'
            $watch.Detail | Should -BeLike 'Healthy after *'
            (Get-Deployment $watchFile -Last 1).Steps.Name | Should -Contain 'watch'
        }

        It 'skips it with -Watch:$false and says so' {
            $records = $watched | Invoke-Deployment -Version v2 -Watch:$false -Confirm:$false
            $records[-1].Outcome | Should -Be 'Succeeded'
            $watch = $records | Where-Object { $_ -is [ReleaseOps.Deploy.DeploymentStep] -and $_.Name -eq 'watch' }
            $watch.Status | Should -Be 'Skipped'
            $watch.Detail | Should -BeLike '*-Watch:$false*'
            Get-ServedVersion 26133 | Should -Be 'v2'
        }
    }

    Context 'help and formats' {
        BeforeAll {
            $plan = Enter-ExampleSandbox -Application ro-pester-deploy-ex -Port 26132 -Version v2
        }
        AfterAll { Pop-Location }

        It 'has generated help for every parameter' { Assert-CommandHelp Invoke-Deployment }

        It 'runs example <Index>' -ForEach $examples { Invoke-HelpExample $Code }

        It 'formats steps and results as text for people' {
            Assert-ReadableFormat @($plan | Invoke-Deployment -Version v1 -Confirm:$false)
        }
    }
}
