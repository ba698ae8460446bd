BeforeDiscovery {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    Import-Module $manifest -Force
    $examples = Get-HelpExample Get-ReleaseChecklist
}

BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    . (Join-Path $PSScriptRoot 'Checklist.Common.ps1')
    Import-Module $manifest -Force
    $dir = Join-Path $TestDrive 'status'
    New-ChecklistSandbox -Directory $dir -Application ro-pester-status -Port 26402 | Out-Null
    Push-Location $dir
}

AfterAll { Pop-Location }

Describe 'Get-ReleaseChecklist' {
    Context 'results' {
        It 'returns every item with its state, binding and evidence for a version' {
            $items = Get-ReleaseChecklist releaseplan.yml -Version v1
            $items | Should -BeOfType ([ReleaseOps.Checklists.ChecklistItemStatus])
            $items.Count | Should -Be 6
            ($items | Where-Object { $_.Item.Text -like 'GDPR*' }).State | Should -Be NotApplicable
            ($items | Where-Object { $_.Item.Text -eq 'Stakeholders told' }).State | Should -Be Unbound
            ($items | Where-Object { $_.Item.Text -like 'Code reviewed*' }).Evidence | Should -Be 'waiting for Security Lead to attest v1'
        }

        It 'shows an attestation once it is recorded, and -State filters' {
            Confirm-ReleaseChecklistItem -PlanPath releaseplan.yml -Id 'code reviewed' -Version v1 -CertificatePath sam.pem -KeyPath sam.key -Confirm:$false | Out-Null
            $attested = @(Get-ReleaseChecklist releaseplan.yml -Version v1 -State Attested)
            $attested.Count | Should -Be 1
            $attested[0].Evidence | Should -BeLike 'attested by sam@example.com (Security Lead) at *'
            $attested[0].Attestations[0].Valid | Should -BeTrue
        }

        It '-Coverage returns the counts per file, and takes a piped plan' {
            $coverage = Get-ReleasePlan releaseplan.yml | Get-ReleaseChecklist -Coverage -Version v1
            $coverage | Should -BeOfType ([ReleaseOps.Checklists.ChecklistCoverage])
            $coverage.Total, $coverage.Automated, $coverage.Attestation, $coverage.NotApplicable, $coverage.Unbound | Should -Be 6, 2, 2, 1, 1
            $coverage.Attested | Should -Be 1
        }

        It 'reports a binding that picks nothing as a configuration error with its position' {
            $broken = Join-Path $TestDrive 'broken'
            Copy-Item $dir $broken -Recurse
            (Get-Content (Join-Path $broken 'releaseplan.yml') -Raw) -replace 'match: GDPR', 'match: penetration test' | Set-Content (Join-Path $broken 'releaseplan.yml')
            { Get-ReleaseChecklist (Join-Path $broken 'releaseplan.yml') -ErrorAction Stop } | Should -Throw -ErrorId 'ChecklistBindingInvalid,*'
            (Test-ReleasePlan (Join-Path $broken 'releaseplan.yml')).Message | Should -Contain "match 'penetration test' finds no item in checklist.md"
        }
    }

    Context 'help and formats' {
        It 'has generated help for every parameter' { Assert-CommandHelp Get-ReleaseChecklist }

        It 'runs example <Index>' -ForEach $examples { Invoke-HelpExample $Code }

        It 'formats statuses and coverage as text for people' {
            Assert-ReadableFormat @(Get-ReleaseChecklist releaseplan.yml -Version v1)
            Assert-ReadableFormat @(Get-ReleaseChecklist releaseplan.yml -Coverage)
        }
    }
}
