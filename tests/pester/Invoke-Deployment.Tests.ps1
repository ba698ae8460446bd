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
