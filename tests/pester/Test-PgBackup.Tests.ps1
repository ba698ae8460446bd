BeforeDiscovery {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    Import-Module $manifest -Force
    $examples = Get-HelpExample Test-PgBackup
}

BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    Import-Module $manifest -Force
    $database = 'ro_pester_testbackup'
    New-TestDatabase $database -Rows 120
    $dir = Join-Path $TestDrive 'testbackup'
    $null = New-Item -ItemType Directory -Path $dir
    Push-Location $dir
    $backup = Backup-PgDatabase -Database $database -Server 127.0.0.1 -Port $PgPort -Credential $PgCredential -Destination backups -TableChecksum
}

AfterAll {
    Pop-Location
    Remove-TestDatabase ro_pester_testbackup
}

Describe 'Test-PgBackup' {
    It 'test-restores a piped backup and reports every level' {
        $result = $backup | Test-PgBackup -Credential $PgCredential
        $result | Should -BeOfType ([ReleaseOps.Backup.BackupVerification])
        $result.Passed | Should -BeTrue
        $result.Levels.Level | Should -Be 'Checksum', 'List', 'Restore', 'RowCounts'
    }

    It 'takes manifests by relative path and wildcard, and from Get-ChildItem' {
        (Test-PgBackup -ManifestPath backups/*.manifest.json -Credential $PgCredential -Quick).Passed | Should -BeTrue
        (Get-ChildItem backups/*.manifest.json | Test-PgBackup -Credential $PgCredential -Quick).Passed | Should -BeTrue
    }

    It 'reports a missing manifest among several as ObjectNotFound and tests the others' {
        $results = Test-PgBackup -ManifestPath backups/none.manifest.json, backups/*.manifest.json -Credential $PgCredential -Quick -ErrorVariable failures -ErrorAction SilentlyContinue
        @($results).Count | Should -Be 1
        $failures[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
    }

    It 'reports a damaged backup as a failed result and an error' {
        $copy = Join-Path $dir 'damaged'
        $null = New-Item -ItemType Directory -Path $copy
        Copy-Item $backup.ManifestPath, $backup.DataPath $copy
        $data = Join-Path $copy (Split-Path $backup.DataPath -Leaf)
        $bytes = [System.IO.File]::ReadAllBytes($data); $bytes[20] = $bytes[20] -bxor 0xff; [System.IO.File]::WriteAllBytes($data, $bytes)
        $result = Test-PgBackup -ManifestPath damaged/*.manifest.json -Credential $PgCredential -ErrorVariable failures -ErrorAction SilentlyContinue
        $result.Passed | Should -BeFalse
        $failures[0].FullyQualifiedErrorId | Should -BeLike 'BackupIntegrityFailure,*'
    }

    Context 'help and formats' {
        It 'has generated help for every parameter' { Assert-CommandHelp Test-PgBackup }

        It 'runs example <Index>' -ForEach $examples { Invoke-HelpExample $Code }

        It 'formats results as text for people' {
            Assert-ReadableFormat @($backup | Test-PgBackup -Credential $PgCredential -Quick)
        }
    }
}
