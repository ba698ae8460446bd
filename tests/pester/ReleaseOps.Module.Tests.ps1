# The module as PowerShell loads it: the manifest, its two nested modules, the load contexts, the
# engine's type names, re-import and removal, and isolation from other versions of our dependencies.
BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    $example = Join-Path $examples 'quickstart/releaseplan.yml'
    Import-Module $manifest -Force
}

Describe 'The ReleaseOps manifest' {
    It 'passes Test-ModuleManifest' {
        $info = Test-ModuleManifest $manifest -ErrorAction Stop
        $info.Name | Should -Be 'ReleaseOps'
        $info.PowerShellVersion | Should -Be ([version]'7.4')
        $info.CompatiblePSEditions | Should -Be @('Core')
    }

    It 'exports exactly the cmdlets it lists, and nothing else' {
        $listed = (Import-PowerShellDataFile $manifest).CmdletsToExport | Sort-Object
        (Get-Command -Module ReleaseOps).Name | Sort-Object | Should -Be $listed
        (Get-Module ReleaseOps).ExportedFunctions.Count | Should -Be 0
    }
}

Describe 'Load contexts' {
    It 'keeps only the loader in the default context' {
        (Get-Module ReleaseOps).NestedModules.Name | Should -Be 'ReleaseOps.Cmdlets'
        $loader = [AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { $_.GetName().Name -eq 'ReleaseOps.Loader' }
        Get-LoadContextName $loader | Should -Be 'Default'
    }

    It 'loads the cmdlets, the engine and their dependencies into the module''s own context' {
        $cmdlets = (Get-Command Get-ReleasePlan).ImplementingType.Assembly
        Get-LoadContextName $cmdlets | Should -Be 'ReleaseOps'
        $plan = Get-ReleasePlan $example
        Get-LoadContextName $plan.GetType().Assembly | Should -Be 'ReleaseOps'
        $yaml = [AppDomain]::CurrentDomain.GetAssemblies() |
            Where-Object { $_.GetName().Name -eq 'YamlDotNet' -and (Get-LoadContextName $_) -eq 'ReleaseOps' }
        $yaml.Location | Should -Be (Join-Path $root 'module/bin/YamlDotNet.dll')
    }

    It 'shares PowerShell''s own assembly with the default context' {
        $sma = (Get-Command Get-ReleasePlan).ImplementingType.BaseType.BaseType.BaseType.Assembly
        $sma.GetName().Name | Should -Be 'System.Management.Automation'
        Get-LoadContextName $sma | Should -Be 'Default'
    }

    It 'uses its own YamlDotNet when YamlDotNet <Version> (<Case>) was loaded first' -ForEach @(
        @{ Case = 'newer than ours'; Version = '18.1.0' }
    ) {
        $Path = Join-Path $root ".tools/packages/yamldotnet/$Version/lib/net8.0/YamlDotNet.dll"
        $Path | Should -Exist
        $result = Invoke-FreshPwsh @"
Add-Type -LiteralPath '$Path'
`$other = [YamlDotNet.Core.Parser].Assembly.GetName().Version
Import-Module '$manifest'
`$plan = Get-ReleasePlan '$example'
`$ours = [AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { `$_.GetName().Name -eq 'YamlDotNet' -and `$_ -ne [YamlDotNet.Core.Parser].Assembly }
"other=`$other ours=`$(`$ours.GetName().Version) app=`$(`$plan.Application)"
"@
        $result.ExitCode | Should -Be 0 -Because $result.Output
        $result.Output | Should -Match 'other=18\.0\.0\.0 ours=16\.0\.0\.0 app=quickstart'
    }
}

Describe 'Type names' {
    It 'makes the engine''s records nameable in scripts' {
        $plan = Get-ReleasePlan $example
        $plan -is [ReleaseOps.Plans.ReleasePlan] | Should -BeTrue
        ('ReleaseOps.Deploy.DeploymentStep' -as [type]).FullName | Should -Be 'ReleaseOps.Deploy.DeploymentStep'
    }

    It 'binds engine types as parameter types of a user''s function' {
        function Get-PlanName([Parameter(Mandatory)][ReleaseOps.Plans.ReleasePlan] $Plan) { $Plan.Application }
        Get-PlanName -Plan (Get-ReleasePlan $example) | Should -Be 'quickstart'
        { Get-PlanName -Plan 42 } | Should -Throw -ErrorId 'ParameterArgumentTransformationError,Get-PlanName'
    }

    It 'names them the same as the objects the cmdlets return (one type, not a look-alike)' {
        (Get-ReleasePlan $example).GetType() | Should -Be ([ReleaseOps.Plans.ReleasePlan])
    }
}

Describe 'Re-import and removal' {
    It 'still exports every cmdlet after Import-Module -Force' {
        $result = Invoke-FreshPwsh "Import-Module '$manifest'; Import-Module '$manifest' -Force; (Get-Command -Module ReleaseOps).Count; (Get-ReleasePlan '$example').Application"
        $result.ExitCode | Should -Be 0 -Because $result.Output
        $result.Output | Should -Match "^$((Import-PowerShellDataFile $manifest).CmdletsToExport.Count)\r?\nquickstart"
    }

    It 'removes its commands with Remove-Module and brings them back on the next import' {
        $result = Invoke-FreshPwsh "Import-Module '$manifest'; Remove-Module ReleaseOps; [bool](Get-Command Get-ReleasePlan -ErrorAction Ignore); Import-Module '$manifest'; (Get-ReleasePlan '$example').Application"
        $result.ExitCode | Should -Be 0 -Because $result.Output
        $result.Output | Should -Match "^False\r?\nquickstart"
    }
}
