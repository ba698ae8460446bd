BeforeDiscovery {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    Import-Module $manifest -Force
    $examples = Get-HelpExample Test-RedisBackup
}

BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    Import-Module $manifest -Force
    $dir = Join-Path $TestDrive 'testredis'
    $null = New-Item -ItemType Directory -Path $dir
    Push-Location $dir
    $backup = Backup-RedisData -Port $RedisPort -Credential $RedisCredential -Destination cache
}

AfterAll { Pop-Location }

Describe 'Test-RedisBackup' {
    It 'test-restores a piped backup into a scratch redis-server' {
        $result = $backup | Test-RedisBackup
        $result.Passed | Should -BeTrue
        $result.Kind | Should -Be 'Redis'
    }

    It 'takes manifests by relative path and wildcard' {
        (Test-RedisBackup -ManifestPath cache/*.manifest.json).Passed | Should -BeTrue
    }

    It 'reports a missing manifest as ObjectNotFound' {
        Test-RedisBackup -ManifestPath nowhere/none.manifest.json -ErrorVariable failures -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $failures[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
    }

    Context 'help and formats' {
        It 'has generated help for every parameter' { Assert-CommandHelp Test-RedisBackup }

        It 'runs example <Index>' -ForEach $examples { Invoke-HelpExample $Code }

        It 'formats results as text for people' {
            Assert-ReadableFormat @($backup | Test-RedisBackup)
        }
    }
}
