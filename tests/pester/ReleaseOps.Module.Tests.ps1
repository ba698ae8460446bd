# Pester 5 specs that import the built module into a real PowerShell 7.4+ session.
# Run by scripts/test.sh where pwsh and Pester exist (users' machines, their CI); the build
# machines of this project have no PowerShell runtime, and the test command says so.
BeforeAll {
    $root = Resolve-Path (Join-Path $PSScriptRoot '../..')
    Import-Module (Join-Path $root 'ReleaseOps.psd1') -Force
    $example = Join-Path $root 'examples/quickstart/releaseplan.yml'
}

Describe 'ReleaseOps module' {
    It 'exports exactly the cmdlets the manifest lists' {
        $manifest = Import-PowerShellDataFile (Join-Path $root 'ReleaseOps.psd1')
        (Get-Command -Module ReleaseOps).Name | Sort-Object | Should -Be ($manifest.CmdletsToExport | Sort-Object)
    }

    It 'loads the engine and its dependencies into their own load context' {
        $engine = [AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { $_.GetName().Name -eq 'ReleaseOps' }
        [System.Runtime.Loader.AssemblyLoadContext]::GetLoadContext($engine).Name | Should -Be 'ReleaseOps'
        $yaml = [AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { $_.GetName().Name -eq 'YamlDotNet' }
        [System.Runtime.Loader.AssemblyLoadContext]::GetLoadContext($yaml).Name | Should -Be 'ReleaseOps'
    }

    It 'has help for every cmdlet' {
        foreach ($command in Get-Command -Module ReleaseOps) {
            (Get-Help $command.Name).Synopsis | Should -Not -BeNullOrEmpty
        }
    }
}

Describe 'Get-ReleasePlan' {
    It 'reads a plan from a path' {
        $plan = Get-ReleasePlan $example
        $plan.Application | Should -Be 'quickstart'
        $plan.Services[0].Name | Should -Be 'web'
    }

    It 'binds FileInfo objects from the pipeline' {
        $plans = Get-ChildItem (Split-Path $example) -Filter *.yml | Get-ReleasePlan
        $plans.Count | Should -BeGreaterThan 0
    }

    It 'reports an invalid plan as a non-terminating error with positions' {
        $bad = Join-Path $TestDrive 'bad.yml'
        Set-Content $bad "api_version: releaseops/v1`napplication: a`nenvironment: b`nservices:`n  - name: web`n    imagee: x`n"
        $null = Get-ReleasePlan $bad -ErrorVariable problems -ErrorAction SilentlyContinue
        $problems[0].FullyQualifiedErrorId | Should -BeLike 'PlanInvalid,*'
        $problems[0].Exception.Message | Should -BeLike "*bad.yml:6:5: unknown key 'imagee'; did you mean 'image'?*"
    }
}

Describe 'Test-ReleasePlan' {
    It 'returns $true for a valid plan with -Quiet' {
        Test-ReleasePlan $example -Quiet | Should -BeTrue
    }

    It 'returns diagnostics for an invalid plan' {
        $bad = Join-Path $TestDrive 'bad.yml'
        Set-Content $bad "api_version: releaseops/v1`napplication: a`nenvironment: b`nwatch: { duration: soon }`n"
        $diagnostic = Test-ReleasePlan $bad
        $diagnostic.Line | Should -Be 4
        $diagnostic.Code | Should -Be 'InvalidValue'
    }
}
