BeforeDiscovery {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    Import-Module $manifest -Force
    $examples = Get-HelpExample Stop-DeploymentStandby
}

BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    Import-Module $manifest -Force
    $dir = Join-Path $TestDrive 'standby'
    $null = New-Item -ItemType Directory -Force -Path $dir
    # nginx in front of the service: blue-green switches its upstream, and the old color stands by out of it.
    Set-Content (Join-Path $dir 'upstream.conf') "upstream web {`n    server 127.0.0.1:26419;`n}"
    Set-Content (Join-Path $dir 'nginx.conf') @"
worker_processes 1;
pid $dir/nginx.pid;
error_log $dir/error.log warn;
events { worker_connections 64; }
http {
    access_log off;
    client_body_temp_path $dir/client_body;
    proxy_temp_path $dir/proxy;
    fastcgi_temp_path $dir/fastcgi;
    uwsgi_temp_path $dir/uwsgi;
    scgi_temp_path $dir/scgi;
    include $dir/upstream.conf;
    server {
        listen 127.0.0.1:26411;
        location / { proxy_pass http://web; keepalive_timeout 0; }
    }
}
"@
    & nginx -c (Join-Path $dir 'nginx.conf')
    Set-Content (Join-Path $dir 'releaseplan.yml') @"
api_version: releaseops/v1
application: ro-pester-standby
environment: test
version: v1
docker:
  host: $DockerHost
journal:
  path: journal
proxy:
  type: nginx
  upstream_file: upstream.conf
  config_file: nginx.conf
  public_url: http://127.0.0.1:26411/
services:
  - name: web
    image: releaseops-test/web
    port: 8080
    host_ports: [26412, 26413]
    strategy: { type: blue-green, standby: 1h, drain: 0s, health_timeout: 8s, stop_grace_period: 0s }
    health:
      - name: health
        url: /health
        timeout: 1s
        expect: status == 200
"@
    $plan = Get-ReleasePlan (Join-Path $dir 'releaseplan.yml')
    Remove-TestContainer ro-pester-standby
    $plan | Invoke-Deployment -Version v1 -Confirm:$false | Out-Null
    Push-Location $dir

    function Get-Running([string] $Version) {
        @(& docker -H $DockerHost ps -q --filter 'label=org.releaseops.application=ro-pester-standby' --filter "label=org.releaseops.version=$Version")
    }
}

AfterAll {
    Pop-Location
    & nginx -c (Join-Path $dir 'nginx.conf') -s stop
    Remove-TestContainer ro-pester-standby
}

Describe 'Stop-DeploymentStandby' {
    BeforeEach {
        # v2 released over v1: v1 stands by for an hour.
        if (($plan | Get-Deployment -Last 1).Version -ne 'v2') { $plan | Invoke-Deployment -Version v2 -Confirm:$false | Out-Null }
        else { $plan | Invoke-Deployment -Version v1 -Confirm:$false | Out-Null; $plan | Invoke-Deployment -Version v2 -Confirm:$false | Out-Null }
    }

    It 'is shown by Get-Deployment: the old color, its instances and the end of its window' {
        $standby = ($plan | Get-Deployment -Last 1).Standby
        $standby.Version | Should -Be 'v1'
        $standby.Until | Should -BeGreaterThan ([DateTimeOffset]::UtcNow.AddMinutes(55))
        (Get-Running v1).Count | Should -Be 1
        Get-ServedVersion 26411 | Should -Be 'v2'
        ($plan | Get-Deployment -Last 1 | Out-String -Width 250) | Should -Match 'standby: web v1 \(ro-pester-standby-test-web-2641[23]\) until'
    }

    It 'leaves a standby whose window has not ended, and -WhatIf leaves it even with -Force' {
        $plan | Stop-DeploymentStandby -Confirm:$false | Should -BeNullOrEmpty
        $plan | Stop-DeploymentStandby -Force -WhatIf | Should -BeNullOrEmpty
        (Get-Running v1).Count | Should -Be 1
        ($plan | Get-Deployment -Last 1).Standby | Should -Not -BeNullOrEmpty
    }

    It 'stops it with -Force and returns the release, its standby cleared and the step recorded' {
        $release = $plan | Stop-DeploymentStandby -Force -Confirm:$false
        $release | Should -BeOfType ([ReleaseOps.Journal.ReleaseRecord])
        $release.Standby | Should -BeNullOrEmpty
        ($release.Steps | Where-Object Name -eq 'retire-standby').Detail | Should -Match 'stopped the standby'
        (Get-Running v1).Count | Should -Be 0
        ($plan | Get-Deployment -Last 1).Standby | Should -BeNullOrEmpty
        Get-ServedVersion 26411 | Should -Be 'v2'
        Stop-DeploymentStandby releaseplan.yml -Force -Confirm:$false | Should -BeNullOrEmpty
    }

    It 'refuses -Plan 42 as a parameter binding error' {
        { Stop-DeploymentStandby -Plan 42 } | Should -Throw -ErrorId 'CannotConvertArgumentNoMessage,ReleaseOps.Cmdlets.Deploy.StopDeploymentStandbyCommand'
    }

    Context 'help and formats' {
        It 'has generated help for every parameter' { Assert-CommandHelp Stop-DeploymentStandby }

        It 'runs example <Index>' -ForEach $examples { Invoke-HelpExample $Code }

        It 'formats the release it returns as text for people' {
            Assert-ReadableFormat @($plan | Stop-DeploymentStandby -Force -Confirm:$false)
        }
    }
}
