# The module as a whole: help generated from CommandInfo and checked in, the about topic, a spec file
# per cmdlet, and the conventions every cmdlet keeps (durations, plans).
BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    Import-Module $manifest -Force
    $cmdlets = Get-Command -Module ReleaseOps -CommandType Cmdlet
}

Describe 'Module conventions' {
    It 'has checked-in help that is exactly what scripts/Write-ReleaseOpsHelp.ps1 generates' {
        $generated = Join-Path $TestDrive 'help.xml'
        & (Join-Path $root 'scripts/Write-ReleaseOpsHelp.ps1') -OutputPath $generated
        $committed = Join-Path $root 'en-US/ReleaseOps.Cmdlets.dll-Help.xml'
        (Get-Content -Raw $generated) | Should -BeExactly (Get-Content -Raw $committed) -Because 'run scripts/pwsh -NoProfile -File scripts/Write-ReleaseOpsHelp.ps1 after changing a cmdlet'
    }

    It 'has an about_ReleaseOps topic' {
        $about = Get-Help about_ReleaseOps | Out-String
        $about | Should -Match 'about_ReleaseOps'
        $about | Should -Match 'EXAMPLES IN HELP'
    }

    It 'has a spec file for every exported cmdlet' {
        foreach ($cmdlet in $cmdlets) {
            Join-Path $PSScriptRoot "$($cmdlet.Name).Tests.ps1" | Should -Exist -Because "$($cmdlet.Name) is exported"
        }
    }

    It 'reads every TimeSpan parameter through the one duration transformation' {
        foreach ($cmdlet in $cmdlets) {
            foreach ($parameter in $cmdlet.Parameters.Values | Where-Object { ([Nullable]::GetUnderlyingType($_.ParameterType) ?? $_.ParameterType) -eq [timespan] }) {
                ($parameter.Attributes | ForEach-Object { $_.GetType().Name }) | Should -Contain 'DurationAttribute' -Because "$($cmdlet.Name) -$($parameter.Name) is a duration"
            }
        }
    }

    It 'takes a plan the same way on every cmdlet that has -Plan: a ReleasePlan, by value, in a set with -PlanPath' {
        foreach ($cmdlet in $cmdlets | Where-Object { $_.Parameters.ContainsKey('Plan') }) {
            $plan = $cmdlet.Parameters['Plan']
            $plan.ParameterType | Should -Be ([ReleaseOps.Plans.ReleasePlan])
            $plan.ParameterSets.Values.ValueFromPipeline | Should -Be $true
            $cmdlet.Parameters.ContainsKey('PlanPath') | Should -BeTrue -Because "$($cmdlet.Name) takes plans"
            ($cmdlet.Parameters['PlanPath'].Attributes | ForEach-Object { $_.GetType().Name }) | Should -Contain 'SupportsWildcardsAttribute'
        }
    }
}
