BeforeDiscovery {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    Import-Module $manifest -Force
    $examples = Get-HelpExample Invoke-Rollback
}

BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    Import-Module $manifest -Force
    $dir = Join-Path $TestDrive 'rollback'
    $file = New-TestPlan -Directory $dir -Application ro-pester-rollback -Port 26141
    $plan = Get-ReleasePlan $file
    Remove-TestContainer ro-pester-rollback
    Push-Location $dir
}

AfterAll {
    Pop-Location
    Remove-TestContainer ro-pester-rollback
    Remove-TestContainer ro-pester-rollback-ex
}

Describe 'Invoke-Rollback' {
    Context 'without history' {
        It 'asks with high impact; -WhatIf changes nothing' {
            (Get-Command Invoke-Rollback).ImplementingType.GetCustomAttributes([System.Management.Automation.CmdletAttribute], $false).ConfirmImpact |
                Should -Be 'High'
            $plan | Invoke-Rollback -WhatIf | Should -BeNullOrEmpty
            Join-Path $dir 'journal' | Should -Not -Exist
        }

        It 'reports that there is nothing to roll back as a typed, non-terminating error' {
            $plan | Invoke-Rollback -Confirm:$false -ErrorVariable failures -ErrorAction SilentlyContinue | Out-Null
            $failures[0].FullyQualifiedErrorId | Should -BeLike 'NothingToRollBack,*'
            $failures[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        }

        It 'refuses -Plan 42 as a parameter binding error' {
            { Invoke-Rollback -Plan 42 -WhatIf } | Should -Throw -ErrorId 'CannotConvertArgumentNoMessage,ReleaseOps.Cmdlets.Deploy.InvokeRollbackCommand'
        }
    }

    Context 'after two releases' {
        BeforeAll {
            foreach ($version in 'v1', 'v2') { $plan | Invoke-Deployment -Version $version -Confirm:$false | Out-Null }
        }

        It 'puts the previous release back, by plan file and position, and writes the steps then the result' {
            Get-ServedVersion 26141 | Should -Be 'v2'
            $records = Invoke-Rollback releaseplan.yml -Confirm:$false
            $records[-1] | Should -BeOfType ([ReleaseOps.Deploy.RollbackResult])
            $records[-1].Outcome | Should -Be 'Succeeded'
            $records[-1].ToVersion | Should -Be 'v1'
            Get-ServedVersion 26141 | Should -Be 'v1'
        }
    }

    Context 'help and formats' {
        BeforeAll {
            $plan = Enter-ExampleSandbox -Application ro-pester-rollback-ex -Port 26142
            foreach ($version in 'v1', 'v2', 'v1', 'v2') { $plan | Invoke-Deployment -Version $version -Confirm:$false | Out-Null }
        }
        AfterAll { Pop-Location }

        It 'has generated help for every parameter' { Assert-CommandHelp Invoke-Rollback }

        It 'runs example <Index>' -ForEach $examples { Invoke-HelpExample $Code }

        It 'formats rollback results as text for people' {
            $plan | Invoke-Deployment -Version v2 -Confirm:$false | Out-Null
            Assert-ReadableFormat @($plan | Invoke-Rollback -Confirm:$false)
        }
    }
}
