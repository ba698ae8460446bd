BeforeDiscovery {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    Import-Module $manifest -Force
    $examples = Get-HelpExample Get-ReleasePlan
}

BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    Import-Module $manifest -Force
    $dir = Join-Path $TestDrive 'plans'
    New-TestPlan -Directory $dir -Application ro-pester-plan -Port 26101 | Out-Null
    Copy-Item (Join-Path $dir 'releaseplan.yml') (Join-Path $dir 'other.yml')
    (Get-Content (Join-Path $dir 'other.yml')) -replace 'ro-pester-plan', 'ro-pester-other' | Set-Content (Join-Path $dir 'other.yml')
    Set-Content (Join-Path $dir 'broken.yml') "api_version: releaseops/v1`napplication: x`nenvironment: y`nreplicas: many`n"
    Push-Location $dir
}

AfterAll { Pop-Location }

Describe 'Get-ReleasePlan' {
    Context 'paths' {
        It 'reads a path relative to the current location and returns a ReleasePlan' {
            $plan = Get-ReleasePlan releaseplan.yml
            $plan | Should -BeOfType ([ReleaseOps.Plans.ReleasePlan])
            $plan.Application | Should -Be 'ro-pester-plan'
            $plan.SourcePath | Should -Be (Join-Path $dir 'releaseplan.yml')
        }

        It 'expands wildcards' {
            (Get-ReleasePlan ./*plan.yml, ./oth*.yml).Application | Should -Be 'ro-pester-plan', 'ro-pester-other'
        }

        It 'resolves paths inside the plan against the plan file, not the current location' {
            Push-Location $TestDrive
            try { (Get-ReleasePlan plans/releaseplan.yml).Journal.Path | Should -Be (Join-Path $dir 'journal') }
            finally { Pop-Location }
        }

        It 'reports a missing file among several as ObjectNotFound and reads the others' {
            $plans = Get-ReleasePlan releaseplan.yml, missing.yml, other.yml, nomatch*.yml -ErrorVariable failures -ErrorAction SilentlyContinue
            $plans.Application | Should -Be 'ro-pester-plan', 'ro-pester-other'
            $failures.Count | Should -Be 2
            $failures.CategoryInfo.Category | Should -Be 'ObjectNotFound', 'ObjectNotFound'
            $failures[0].FullyQualifiedErrorId | Should -BeLike 'PlanNotFound,*'
            $failures[1].FullyQualifiedErrorId | Should -BeLike 'PathNotFound,*'
        }
    }

    Context 'pipeline' {
        It 'binds FileInfo objects from Get-ChildItem by property name and strings by value' {
            (Get-ChildItem *.yml -Exclude broken.yml | Get-ReleasePlan).Count | Should -Be 2
            ('releaseplan.yml' | Get-ReleasePlan).Application | Should -Be 'ro-pester-plan'
        }
    }

    Context 'errors' {
        It 'reports an invalid plan as a non-terminating PlanInvalid error with every problem, and goes on' {
            $plans = Get-ReleasePlan broken.yml, releaseplan.yml -ErrorVariable failures -ErrorAction SilentlyContinue
            $plans.Application | Should -Be 'ro-pester-plan'
            $failures[0].FullyQualifiedErrorId | Should -BeLike 'PlanInvalid,*'
            $failures[0].CategoryInfo.Category | Should -Be 'InvalidData'
            $failures[0].Exception.Message | Should -Match 'broken\.yml:4:1'
            $failures[0].ErrorDetails.RecommendedAction | Should -Not -BeNullOrEmpty
        }

        It 'applies -Variable overrides' {
            (Get-ReleasePlan releaseplan.yml -Variable @{ unused = 'x' }).Application | Should -Be 'ro-pester-plan'
        }
    }

    Context 'help and formats' {
        BeforeAll {
            $plan = Enter-ExampleSandbox -Application ro-pester-plan-ex -Port 26102
        }
        AfterAll { Pop-Location }

        It 'has generated help for every parameter' { Assert-CommandHelp Get-ReleasePlan }

        It 'runs example <Index>' -ForEach $examples { Invoke-HelpExample $Code }

        It 'formats a plan and its parts as text for people' {
            $plan = Get-ReleasePlan releaseplan.yml
            Assert-ReadableFormat @($plan, $plan.Services[0], $plan.Gates[0], $plan.Watch, $plan.Watch.Probes[0], $plan.Watch.Criteria[0])
        }
    }
}
