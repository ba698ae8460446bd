BeforeDiscovery {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    Import-Module $manifest -Force
    $examples = Get-HelpExample Export-ReleaseRecord
}

BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    . (Join-Path $PSScriptRoot 'Checklist.Common.ps1')
    Import-Module $manifest -Force
    $dir = Join-Path $TestDrive 'export'
    New-ChecklistSandbox -Directory $dir -Application ro-pester-export -Port 26407 | Out-Null
    Push-Location $dir
    # The sign-offs the checklist requires before deploying, then a real deployment of v1.
    Confirm-ReleaseChecklistItem -PlanPath releaseplan.yml -Id 'release manager' -Version v1 -CertificatePath dana.pem -KeyPath dana.key -Confirm:$false | Out-Null
    Confirm-ReleaseChecklistItem -PlanPath releaseplan.yml -Id 'code reviewed' -Version v1 -CertificatePath sam.pem -KeyPath sam.key -Confirm:$false | Out-Null
    $deployed = Invoke-Deployment releaseplan.yml -Version v1 -Confirm:$false | Select-Object -Last 1
}

AfterAll {
    Pop-Location
    Remove-TestContainer ro-pester-export
}

Describe 'Export-ReleaseRecord' {
    Context 'results' {
        It 'the deployment went through once its sign-offs were recorded' {
            $deployed.Outcome | Should -Be Succeeded
        }

        It 'writes the release as JSON, Markdown and one self-contained HTML page' {
            $record = Export-ReleaseRecord releaseplan.yml -Version v1 -Path records
            $record | Should -BeOfType ([ReleaseOps.Records.ExportedReleaseRecord])
            $record.ReleaseId | Should -Be $deployed.ReleaseId
            $record.Files.Count | Should -Be 3
            $record.Attestations | Should -Be 2
            $record.JournalIntact | Should -BeTrue
            $json = Get-Content ($record.Files | Where-Object { $_ -like '*.json' }) -Raw | ConvertFrom-Json
            $json.release.status | Should -Be 'Succeeded'
            ($json.checklist | Where-Object { $_.item.text -like 'Database reachable*' }).state | Should -Be 'Passed'
            $html = Get-Content ($record.Files | Where-Object { $_ -like '*.html' }) -Raw
            $html | Should -Match 'ro-pester-export/test v1'
            $html | Should -Not -Match '<script|src=|url\('
        }

        It '-Format picks the forms and -WhatIf writes nothing' {
            (Export-ReleaseRecord releaseplan.yml -Path only-html -Format Html).Files | Should -BeLike '*.html'
            Export-ReleaseRecord releaseplan.yml -Path not-written -WhatIf | Should -BeNullOrEmpty
            'not-written' | Should -Not -Exist
        }

        It 'reports a version never deployed as ObjectNotFound' {
            { Export-ReleaseRecord releaseplan.yml -Version v9 -ErrorAction Stop } | Should -Throw -ErrorId 'ReleaseNotFound,*'
        }
    }

    Context 'help and formats' {
        It 'has generated help for every parameter' { Assert-CommandHelp Export-ReleaseRecord }

        It 'runs example <Index>' -ForEach $examples { Invoke-HelpExample $Code }

        It 'formats what it wrote as text for people' { Assert-ReadableFormat @(Export-ReleaseRecord releaseplan.yml -Path records) }
    }
}
