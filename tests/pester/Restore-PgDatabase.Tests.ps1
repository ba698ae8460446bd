BeforeDiscovery {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    Import-Module $manifest -Force
    $examples = Get-HelpExample Restore-PgDatabase
}

BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    Import-Module $manifest -Force
    $database = 'ro_pester_restore'
    New-TestDatabase $database -Rows 80
    $dir = Join-Path $TestDrive 'restore'
    $null = New-Item -ItemType Directory -Path $dir
    Push-Location $dir
    $backup = Backup-PgDatabase -Database $database -Server 127.0.0.1 -Port $PgPort -Credential $PgCredential -Destination backups
}

AfterAll {
    Pop-Location
    'ro_pester_restore', 'ro_pester_restore_copy', 'shop_copy' | ForEach-Object { Remove-TestDatabase $_ }
}

Describe 'Restore-PgDatabase' {
    It 'asks with high impact, and -WhatIf changes nothing' {
        (Get-Command Restore-PgDatabase).ImplementingType.GetCustomAttributes([System.Management.Automation.CmdletAttribute], $false).ConfirmImpact |
            Should -Be 'High'
        $backup | Restore-PgDatabase -Database ro_pester_restore_copy -Credential $PgCredential -WhatIf | Should -BeNullOrEmpty
        Invoke-Psql -Sql "SELECT count(*) FROM pg_database WHERE datname = 'ro_pester_restore_copy'" | Should -Be 0
    }

    It 'restores a piped backup into a new database, with the row counts of the manifest' {
        $result = $backup | Restore-PgDatabase -Database ro_pester_restore_copy -Credential $PgCredential -Confirm:$false
        $result.TargetDatabase | Should -Be 'ro_pester_restore_copy'
        Invoke-Psql -Database ro_pester_restore_copy -Sql 'SELECT count(*) FROM visits' | Should -Be 80
    }

    It 'replaces an existing database after an emergency backup into a destination relative to the current location' {
        Invoke-Psql -Database ro_pester_restore_copy -Sql 'DELETE FROM visits' | Out-Null
        $result = Restore-PgDatabase -ManifestPath backups/*.manifest.json -Database ro_pester_restore_copy -Credential $PgCredential `
            -EmergencyBackupDestination emergency -TerminateConnections -Confirm:$false
        $result.EmergencyBackup.Directory | Should -Be (Join-Path $dir 'emergency')
        Invoke-Psql -Database ro_pester_restore_copy -Sql 'SELECT count(*) FROM visits' | Should -Be 80
    }

    Context 'help and formats' {
        It 'has generated help for every parameter' { Assert-CommandHelp Restore-PgDatabase }

        It 'runs example <Index>' -ForEach $examples { Invoke-HelpExample $Code }

        It 'formats results as text for people' {
            Assert-ReadableFormat @($backup | Restore-PgDatabase -Database ro_pester_restore_copy -Credential $PgCredential -TerminateConnections -SkipEmergencyBackup -Confirm:$false)
        }
    }
}
