BeforeDiscovery {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    Import-Module $manifest -Force
    $examples = Get-HelpExample Unlock-Deployment
}

BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    Import-Module $manifest -Force
    $dir = Join-Path $TestDrive 'unlock'
    $file = New-TestPlan -Directory $dir -Application ro-pester-unlock -Port 26161
    $plan = Get-ReleasePlan $file
    Push-Location $dir

    function Set-DeployLock([int] $HolderPid) {
        # The file journal's lock, as a deployment in another process leaves it.
        $lock = Join-Path $dir 'journal/ro-pester-unlock/test/deploy.lock'
        $null = New-Item -ItemType Directory -Force -Path (Split-Path $lock)
        $json = @{ application = 'ro-pester-unlock'; environment = 'test'; releaseId = 'held-by-test'; holder = 'tester'; host = [Environment]::MachineName
                   pid = $HolderPid; acquiredAt = (Get-Date).ToUniversalTime().ToString('o') } | ConvertTo-Json
        Set-Content -LiteralPath $lock -Value $json
    }
}

AfterAll { Pop-Location }

Describe 'Unlock-Deployment' {
    It 'does nothing and writes nothing when the plan is not locked, not even a journal folder' {
        $plan | Unlock-Deployment -WhatIf | Should -BeNullOrEmpty
        $plan | Unlock-Deployment -Confirm:$false | Should -BeNullOrEmpty
        $plan | Get-Deployment | Should -BeNullOrEmpty
        Join-Path $dir 'journal' | Should -Not -Exist
    }

    It 'refuses a lock held by a live process without -Force, with the stable id DeploymentLockHeld' {
        Set-DeployLock $PID
        $plan | Unlock-Deployment -Confirm:$false -ErrorVariable failures -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $failures[0].FullyQualifiedErrorId | Should -BeLike 'DeploymentLockHeld,*'
        $failures[0].CategoryInfo.Category | Should -Be 'ResourceBusy'
    }

    It 'leaves the lock with -WhatIf and removes it with -Force, returning the lock' {
        $plan | Unlock-Deployment -Force -WhatIf | Should -BeNullOrEmpty
        ($plan | Unlock-Deployment -Force -WhatIf:$false -Confirm:$false).ReleaseId | Should -Be 'held-by-test'
        $plan | Unlock-Deployment -Confirm:$false | Should -BeNullOrEmpty
    }

    It 'removes a dead holder''s lock given the plan file' {
        Set-DeployLock 999999
        (Unlock-Deployment releaseplan.yml -Confirm:$false).Pid | Should -Be 999999
    }

    It 'refuses -Plan 42 as a parameter binding error' {
        { Unlock-Deployment -Plan 42 } | Should -Throw -ErrorId 'CannotConvertArgumentNoMessage,ReleaseOps.Cmdlets.Deploy.UnlockDeploymentCommand'
    }

    Context 'help and formats' {
        BeforeEach { Set-DeployLock 999999 }

        It 'has generated help for every parameter' { Assert-CommandHelp Unlock-Deployment }

        It 'runs example <Index>' -ForEach $examples { Invoke-HelpExample $Code }

        It 'formats a lock as text for people' {
            Assert-ReadableFormat @($plan | Unlock-Deployment -Confirm:$false)
        }
    }
}
