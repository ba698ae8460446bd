# The hardened Swarm stack of examples/swarm, released through the built module as its readers release it:
# Invoke-Deployment v1, v2 (with a secret rotated), Invoke-Rollback, on the test dockerd's swarm.
BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    Import-Module $manifest -Force
    # The stack names its networks and volume itself, so the xunit SwarmStackTests, which scripts/test.sh runs at the
    # same time, release it on the same ones: the two take turns through this lock (SwarmDemoLock in the xunit tests).
    $swarmLock = $null
    $lockDeadline = (Get-Date).AddMinutes(5)
    while (-not $swarmLock) {
        try {
            $swarmLock = [System.IO.FileStream]::new((Join-Path ($env:RELEASEOPS_TEST_STATE ?? '/tmp/releaseops-test') 'swarmdemo.lock'),
                'OpenOrCreate', 'ReadWrite', 'None')
        } catch [System.IO.IOException] {
            if ((Get-Date) -gt $lockDeadline) { throw }
            Start-Sleep -Milliseconds 250
        }
    }
    $dir = Join-Path $TestDrive 'swarm'
    New-Item -ItemType Directory $dir | Out-Null
    Copy-Item (Join-Path $examples 'swarm/releaseplan.yml') $dir
    $saved = @{ DOCKER_HOST = $env:DOCKER_HOST; SWARMDEMO_DB_PASSWORD = $env:SWARMDEMO_DB_PASSWORD; SWARMDEMO_API_TOKEN = $env:SWARMDEMO_API_TOKEN }
    $env:DOCKER_HOST = $DockerHost
    $env:SWARMDEMO_DB_PASSWORD = 'db-' + [guid]::NewGuid().ToString('N')
    $env:SWARMDEMO_API_TOKEN = 'token-' + [guid]::NewGuid().ToString('N')
    $variables = @{ environment = 'pester'; relay_image = 'releaseops-test/web:v1' }
    $services = 'swarmdemo-pester-store', 'swarmdemo-pester-api', 'swarmdemo-pester-web'

    function Remove-SwarmDemo {
        foreach ($service in $services) { & docker -H $DockerHost service rm $service 2>&1 | Out-Null }
        $secrets = @(& docker -H $DockerHost secret ls -q --filter 'label=org.releaseops.application=swarmdemo' --filter 'label=org.releaseops.environment=pester')
        if ($secrets.Count) { & docker -H $DockerHost secret rm $secrets 2>&1 | Out-Null }
        $deadline = (Get-Date).AddSeconds(20)
        # Task containers go a moment after their service; the volume and the networks only then.
        while ((Get-Date) -lt $deadline -and @(& docker -H $DockerHost ps -a --format '{{.Names}}' | Where-Object { $_ -like 'swarmdemo-pester-*' }).Count) {
            Start-Sleep -Milliseconds 250
        }
        & docker -H $DockerHost volume rm swarmdemo-store-data 2>&1 | Out-Null
        & docker -H $DockerHost network rm swarmdemo-public swarmdemo-backend 2>&1 | Out-Null
    }

    function Get-SwarmSpec([string] $Service) {
        & docker -H $DockerHost service inspect $Service --format '{{json .Spec}}' | ConvertFrom-Json
    }

    Remove-SwarmDemo
    $plan = Get-ReleasePlan (Join-Path $dir 'releaseplan.yml') -Variable $variables
}

AfterAll {
    try {
        Remove-SwarmDemo
        foreach ($name in $saved.Keys) { [Environment]::SetEnvironmentVariable($name, $saved[$name]) }
    } finally {
        if ($swarmLock) { $swarmLock.Dispose() }
    }
}

Describe 'examples/swarm/releaseplan.yml' {
    It 'deploys v1 with the hardened spec and checks every task' {
        $records = $plan | Invoke-Deployment -Version v1 -Confirm:$false
        $records[-1].Outcome | Should -Be 'Succeeded'
        $verify = $records | Where-Object { $_ -is [ReleaseOps.Deploy.DeploymentStep] -and $_.Name -eq 'verify' -and $_.Service -eq 'web' }
        $verify.Detail | Should -BeLike '6 check(s) passed on 2 of 2 task(s) (through a relay on swarmdemo-public)*'
        $spec = Get-SwarmSpec swarmdemo-pester-web
        $spec.TaskTemplate.ContainerSpec.User | Should -Be '10001:10001'
        $spec.TaskTemplate.ContainerSpec.ReadOnly | Should -BeTrue
        $spec.TaskTemplate.ContainerSpec.Secrets.File.Name | Should -Be 'api_token'
        $spec.TaskTemplate.Resources.Limits.MemoryBytes | Should -Be 64000000
        $spec.UpdateConfig.Order | Should -Be 'start-first'
        (& docker -H $DockerHost network inspect swarmdemo-backend --format '{{.Internal}} {{.Attachable}} {{.Driver}}') | Should -Be 'true true overlay'
    }

    It 'deploys v2 with the token rotated: the service moves to the new secret and the old one is removed' {
        $old = (Get-SwarmSpec swarmdemo-pester-web).TaskTemplate.ContainerSpec.Secrets.SecretName
        $env:SWARMDEMO_API_TOKEN = 'token-rotated-' + [guid]::NewGuid().ToString('N')
        $result = ($plan | Invoke-Deployment -Version v2 -Confirm:$false)[-1]
        $result.Outcome | Should -Be 'Succeeded'
        $new = (Get-SwarmSpec swarmdemo-pester-web).TaskTemplate.ContainerSpec.Secrets.SecretName
        $new | Should -Not -Be $old
        $names = & docker -H $DockerHost secret ls --format '{{.Name}}'
        $names | Should -Contain $new
        $names | Should -Not -Contain $old
        (Get-SwarmSpec swarmdemo-pester-api).TaskTemplate.ContainerSpec.Image | Should -BeLike 'releaseops-test/web:v2*'
        Write-Host "swarm stack v1 -> v2 (pwsh): $([math]::Round($result.Duration.TotalSeconds, 1)) s"
    }

    It 'rolls back to v1 with Invoke-Rollback' {
        $result = ($plan | Invoke-Rollback -Confirm:$false)[-1]
        $result.Outcome | Should -Be 'Succeeded'
        $result.ToVersion | Should -Be 'v1'
        foreach ($service in $services) { (Get-SwarmSpec $service).TaskTemplate.ContainerSpec.Image | Should -BeLike 'releaseops-test/web:v1*' }
        $running = & docker -H $DockerHost service ps swarmdemo-pester-web --filter desired-state=running --format '{{.Image}} {{.CurrentState}}'
        $running | Should -HaveCount 2
        $running | ForEach-Object { $_ | Should -BeLike 'releaseops-test/web:v1 Running*' }
        Write-Host "swarm stack rollback (pwsh): $([math]::Round($result.Duration.TotalSeconds, 1)) s"
    }
}
