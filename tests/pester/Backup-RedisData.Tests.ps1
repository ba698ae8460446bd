BeforeDiscovery {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    Import-Module $manifest -Force
    $examples = Get-HelpExample Backup-RedisData
}

BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    Import-Module $manifest -Force
    $dir = Join-Path $TestDrive 'redis'
    $null = New-Item -ItemType Directory -Path $dir
    Set-Content (Join-Path $dir 'releaseplan.yml') @"
api_version: releaseops/v1
application: ro-pester-redis
environment: test
secrets:
  redis_password: { env: RO_PESTER_REDIS_PASSWORD }
backups:
  - name: cache
    type: redis
    connection: { host: 127.0.0.1, port: $RedisPort, password: "`${secret:redis_password}" }
    destination: cache
    verify: true
    retention: { count: 1 }
"@
    $plan = Get-ReleasePlan (Join-Path $dir 'releaseplan.yml')
    Push-Location $dir
}

AfterAll { Pop-Location }

Describe 'Backup-RedisData' {
    It 'backs a server up into a destination relative to the current location' {
        $backup = Backup-RedisData -Server 127.0.0.1 -Port $RedisPort -Credential $RedisCredential -Destination adhoc
        $backup.Kind | Should -Be 'Redis'
        $backup.Directory | Should -Be (Join-Path $dir 'adhoc')
    }

    It 'takes a plan''s Redis backup definition from the pipeline, test-restored and kept as its retention says' {
        $taken = 1..2 | ForEach-Object { $plan.Backups[0] | Backup-RedisData -Credential $RedisCredential }
        $taken | ForEach-Object { $_.Verified | Should -BeTrue }
        @(Get-ChildItem (Join-Path $dir 'cache') -Filter *.manifest.json).Count | Should -Be 1
    }

    It 'writes nothing with -WhatIf' {
        Backup-RedisData -Port $RedisPort -Credential $RedisCredential -Destination whatif -WhatIf | Should -BeNullOrEmpty
        Join-Path $dir 'whatif' | Should -Not -Exist
    }

    It 'reports a missing password as an AuthenticationError' {
        Backup-RedisData -Port $RedisPort -Destination nopassword -ErrorVariable failures -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $failures[0].FullyQualifiedErrorId | Should -BeLike 'RedisAuthenticationFailed,*'
        $failures[0].CategoryInfo.Category | Should -Be 'AuthenticationError'
    }

    Context 'help and formats' {
        BeforeAll {
            $sandbox = Join-Path $TestDrive 'examples'
            $null = New-Item -ItemType Directory -Path $sandbox
            Copy-Item (Join-Path $dir 'releaseplan.yml') $sandbox
            Push-Location $sandbox
            $plan = Get-ReleasePlan ./releaseplan.yml
        }
        AfterAll { Pop-Location }

        It 'has generated help for every parameter' { Assert-CommandHelp Backup-RedisData }

        It 'runs example <Index>' -ForEach $examples { Invoke-HelpExample $Code }

        It 'formats backups as text for people' {
            Assert-ReadableFormat @(Backup-RedisData -Port $RedisPort -Credential $RedisCredential -Destination ./formats)
        }
    }
}
