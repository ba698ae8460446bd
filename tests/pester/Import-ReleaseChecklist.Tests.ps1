BeforeDiscovery {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    Import-Module $manifest -Force
    $examples = Get-HelpExample Import-ReleaseChecklist
}

BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    . (Join-Path $PSScriptRoot 'Checklist.Common.ps1')
    Import-Module $manifest -Force
    $dir = Join-Path $TestDrive 'import'
    New-ChecklistSandbox -Directory $dir -Application ro-pester-import -Port 26401 | Out-Null
    Copy-Item (Join-Path $examples 'checklists/seeds/medianest-production-procedures.md') $dir
    Push-Location $dir
}

AfterAll { Pop-Location }

Describe 'Import-ReleaseChecklist' {
    Context 'results' {
        It 'returns one ChecklistItem per box, step and sign-off line, with its id, kind and line' {
            $items = Import-ReleaseChecklist checklist.md
            $items | Should -BeOfType ([ReleaseOps.Checklists.ChecklistItem])
            $items.Count | Should -Be 6
            $items.Kind | Should -Be Box, Box, Box, Box, ProcedureStep, SignOff
            ($items | Where-Object Kind -eq SignOff).Role | Should -Be 'Release Manager'
            $items[1].Id | Should -Be 'checklist/before/code-reviewed-by-two-seniors'
            $items[1].Line | Should -Be 5
        }

        It 'finds the boxes of a file mis-saved through Mac OS Roman, with a warning' {
            $items = Import-ReleaseChecklist medianest-production-procedures.md -WarningVariable warnings -WarningAction SilentlyContinue
            $items.Count | Should -Be 43
            ($items | Where-Object Kind -eq CodeBlockBox).Count | Should -Be 33
            $warnings.Count | Should -Be 1
        }

        It '-Kind keeps only those kinds; wildcards and Get-ChildItem select files' {
            (Import-ReleaseChecklist ./*.md -Kind SignOff).Count | Should -Be 5
            (Get-ChildItem checklist.md | Import-ReleaseChecklist).Count | Should -Be 6
        }

        It 'reports a missing file as an error of that file and reads the others' {
            $items = Import-ReleaseChecklist missing.md, checklist.md -ErrorVariable failures -ErrorAction SilentlyContinue
            $items.Count | Should -Be 6
            $failures.Count | Should -Be 1
            $failures[0].FullyQualifiedErrorId | Should -BeLike 'ChecklistNotFound,*'
        }
    }

    Context 'help and formats' {
        It 'has generated help for every parameter' { Assert-CommandHelp Import-ReleaseChecklist }

        It 'runs example <Index>' -ForEach $examples { Invoke-HelpExample $Code }

        It 'formats items as text for people' { Assert-ReadableFormat @(Import-ReleaseChecklist checklist.md) }
    }
}
