BeforeDiscovery {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    Import-Module $manifest -Force
    $examples = Get-HelpExample Test-ReleaseJournal
}

BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    . (Join-Path $PSScriptRoot 'Checklist.Common.ps1')
    Import-Module $manifest -Force
    $dir = Join-Path $TestDrive 'journal'
    New-ChecklistSandbox -Directory $dir -Application ro-pester-journal -Port 26405 | Out-Null
    Push-Location $dir
    foreach ($version in 'v1', 'v2') {
        Confirm-ReleaseChecklistItem -PlanPath releaseplan.yml -Id 'release manager' -Version $version -CertificatePath dana.pem -KeyPath dana.key -Note "ok for $version" -Confirm:$false | Out-Null
    }
}

AfterAll { Pop-Location }

Describe 'Test-ReleaseJournal' {
    Context 'results' {
        It 'finds an intact journal intact and names its head' {
            $check = Test-ReleaseJournal releaseplan.yml
            $check | Should -BeOfType ([ReleaseOps.Journal.JournalVerification])
            $check.IsIntact | Should -BeTrue
            $check.Entries | Should -Be 2
            $check.Head.Sequence | Should -Be 2
            Test-ReleaseJournal releaseplan.yml -Anchor $check.Head.ToString() -Quiet | Should -BeTrue
        }

        It 'finds an edited entry, and a wrong anchor' {
            $first = (Get-JournalChain $dir ro-pester-journal)[0]
            (Get-Content $first.FullName -Raw) -replace 'ok for v1', 'ok for everything' | Set-Content $first.FullName -NoNewline
            $check = Get-ReleasePlan releaseplan.yml | Test-ReleaseJournal
            $check.IsIntact | Should -BeFalse
            $check.Problems.Kind | Should -Be Edited
            $check.Problems[0].Sequence | Should -Be 1
            Test-ReleaseJournal releaseplan.yml -Quiet | Should -BeFalse
            (Test-ReleaseJournal releaseplan.yml -Anchor "2:sha256:$('0' * 64)").Problems.Kind | Should -Contain AnchorMismatch
        }

        It 'refuses an anchor that is not SEQUENCE:sha256:HEX' {
            { Test-ReleaseJournal releaseplan.yml -Anchor 'head' } | Should -Throw -ErrorId 'JournalAnchorInvalid,*'
        }
    }

    Context 'help and formats' {
        BeforeAll {
            $sandbox = Join-Path $TestDrive 'examples'
            New-ChecklistSandbox -Directory $sandbox -Application ro-pester-journal-ex -Port 26406 | Out-Null
            Push-Location $sandbox
        }
        AfterAll { Pop-Location }

        It 'has generated help for every parameter' { Assert-CommandHelp Test-ReleaseJournal }

        It 'runs example <Index>' -ForEach $examples { Invoke-HelpExample $Code }

        It 'formats the verification as text for people' { Assert-ReadableFormat @(Test-ReleaseJournal releaseplan.yml) }
    }
}
