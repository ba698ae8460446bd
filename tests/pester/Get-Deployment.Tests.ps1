BeforeDiscovery {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    Import-Module $manifest -Force
    $examples = Get-HelpExample Get-Deployment
}

BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    Import-Module $manifest -Force
    $dir = Join-Path $TestDrive 'history'
    $file = New-TestPlan -Directory $dir -Application ro-pester-history -Port 26151
    $plan = Get-ReleasePlan $file
    Remove-TestContainer ro-pester-history
    $plan | Invoke-Deployment -Version v1 -Confirm:$false | Out-Null
    $plan | Invoke-Deployment -Version v9 -Confirm:$false -ErrorAction SilentlyContinue | Out-Null
    Push-Location $dir
}

AfterAll {
    Pop-Location
    Remove-TestContainer ro-pester-history
}

Describe 'Get-Deployment' {
    Context 'parameter sets and pipeline' {
        It 'lists the journal of a piped plan, newest first' {
            $history = $plan | Get-Deployment
            $history | Should -BeOfType ([ReleaseOps.Journal.ReleaseRecord])
            $history.Version | Should -Be 'v9', 'v1'
            $history.Status | Should -Be 'Failed', 'Succeeded'
        }

        It 'reads the journal beside the plan file, whatever the current location' {
            Push-Location $TestDrive
            try { (Get-Deployment history/releaseplan.yml).Count | Should -Be 2 } finally { Pop-Location }
            (Get-ChildItem releaseplan.yml | Get-Deployment -Last 1).Version | Should -Be 'v9'
        }

        It 'filters by status, version, kind and count' {
            ($plan | Get-Deployment -Status Succeeded).Version | Should -Be 'v1'
            $plan | Get-Deployment -Version v7 | Should -BeNullOrEmpty
            $plan | Get-Deployment -Kind Rollback | Should -BeNullOrEmpty
            @($plan | Get-Deployment -Last 1).Count | Should -Be 1
        }

        It 'refuses -Plan 42 as a parameter binding error' {
            { Get-Deployment -Plan 42 } | Should -Throw -ErrorId 'CannotConvertArgumentNoMessage,ReleaseOps.Cmdlets.Deploy.GetDeploymentCommand'
        }
    }

    Context 'errors' {
        It 'reports a missing plan file among several as ObjectNotFound and lists the others' {
            $history = Get-Deployment missing.yml, releaseplan.yml -ErrorVariable failures -ErrorAction SilentlyContinue
            $history.Count | Should -Be 2
            $failures[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        }
    }

    Context 'help and formats' {
        BeforeAll {
            $plan = Get-ReleasePlan ./releaseplan.yml
        }

        It 'has generated help for every parameter' { Assert-CommandHelp Get-Deployment }

        It 'runs example <Index>' -ForEach $examples { Invoke-HelpExample $Code }

        It 'formats releases as text for people' {
            Assert-ReadableFormat @($plan | Get-Deployment)
        }
    }
}
