BeforeDiscovery {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    Import-Module $manifest -Force
    $examples = Get-HelpExample Test-ReleasePlan
}

BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    Import-Module $manifest -Force
    $dir = Join-Path $TestDrive 'plans'
    New-TestPlan -Directory $dir -Application ro-pester-testplan -Port 26111 | Out-Null
    Set-Content (Join-Path $dir 'typo.yml') "api_version: releaseops/v1`napplication: x`nenvironment: y`nservices:`n  - name: web`n    imagee: x/web`n"
    Push-Location $dir
}

AfterAll { Pop-Location }

Describe 'Test-ReleasePlan' {
    Context 'results' {
        It 'returns nothing for a valid plan and one PlanDiagnostic per problem, with its position' {
            Test-ReleasePlan releaseplan.yml | Should -BeNullOrEmpty
            $problems = Test-ReleasePlan typo.yml
            $problems | Should -BeOfType ([ReleaseOps.Plans.PlanDiagnostic])
            $problems.Code | Should -Contain 'UnknownKey'
            ($problems | Where-Object Code -eq UnknownKey).Line | Should -Be 6
        }

        It '-Quiet returns $true or $false per plan, and $false for a file that does not exist' {
            Test-ReleasePlan releaseplan.yml, typo.yml, missing.yml -Quiet | Should -Be $true, $false, $false
        }

        It 'expands wildcards and takes files from Get-ChildItem' {
            @(Test-ReleasePlan ./*.yml -Quiet).Count | Should -Be 2
            Get-ChildItem releaseplan.yml | Test-ReleasePlan -Quiet | Should -BeTrue
        }

        It 'reports a missing file without -Quiet as ObjectNotFound and tests the others' {
            $results = Test-ReleasePlan missing.yml, releaseplan.yml -Quiet:$false -ErrorVariable failures -ErrorAction SilentlyContinue
            $results | Should -BeNullOrEmpty
            $failures.Count | Should -Be 1
            $failures[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
            $failures[0].FullyQualifiedErrorId | Should -BeLike 'PlanNotFound,*'
        }
    }

    Context 'help and formats' {
        BeforeAll {
            $plan = Enter-ExampleSandbox -Application ro-pester-testplan-ex -Port 26112
        }
        AfterAll { Pop-Location }

        It 'has generated help for every parameter' { Assert-CommandHelp Test-ReleasePlan }

        It 'runs example <Index>' -ForEach $examples { Invoke-HelpExample $Code }

        It 'formats diagnostics as text for people' {
            Push-Location $dir
            try { Assert-ReadableFormat @(Test-ReleasePlan typo.yml) } finally { Pop-Location }
        }
    }
}
