# examples/releaseplan.full.yml, run (not only validated) against the test environment: the file itself, with
# only its variables and environment pointed at the test services, as staging would point them at its own.
# What production has and this machine does not is set up here the way an operator has it: the application's
# images, its database and role, nginx with TLS in front of it (its certificate trusted the way a company CA is,
# through the process's trust store: SSL_CERT_FILE), Docker secrets, a scan report, a build directory, npm, and
# Prometheus series of requests by track and of jobs. The release runs in a fresh pwsh, as a runbook runs.
BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    Import-Module $manifest -Force
    $dir = Join-Path $TestDrive 'medianest'
    $nginxDir = Join-Path $dir 'nginx'
    $null = New-Item -ItemType Directory -Force -Path $dir, (Join-Path $nginxDir 'conf.d'), (Join-Path $dir 'bin'),
        (Join-Path $dir 'reports'), (Join-Path $dir 'frontend/.next'), (Join-Path $dir 'images')
    Copy-Item (Join-Path $examples 'releaseplan.full.yml') (Join-Path $dir 'releaseplan.yml')
    $httpsPort = 26501
    $label = 'org.releaseops.test=full-example'
    $redisSecretFile = '/run/secrets/medianest_redis_password'

    function Remove-Medianest {
        Remove-TestContainer medianest
        $secrets = @(& docker -H $DockerHost secret ls -q --filter "label=$label")
        if ($secrets.Count) { & docker -H $DockerHost secret rm $secrets 2>&1 | Out-Null }
        & docker -H $DockerHost network rm medianest-internal 2>&1 | Out-Null
        # The journal's medianest/production history of an earlier run: this one starts as a first release.
        Invoke-Psql -Sql @"
DO `$`$ DECLARE t text; BEGIN
  FOREACH t IN ARRAY ARRAY['releaseops_releases', 'releaseops_journal_entries', 'releaseops_deploy_locks'] LOOP
    IF to_regclass(t) IS NOT NULL THEN EXECUTE format('DELETE FROM %I WHERE application = %L', t, 'medianest'); END IF;
  END LOOP;
END `$`$
"@ | Out-Null
        Invoke-Psql -Sql 'DROP DATABASE IF EXISTS medianest WITH (FORCE)' | Out-Null
    }

    function New-MedianestImage([string] $Service, [string] $Version, [int] $Port) {
        # The test web image's busybox httpd, serving what MediaNest's API and frontend answer, with an npm that migrates.
        $context = Join-Path $dir "images/$Service-$Version"
        $null = New-Item -ItemType Directory -Force -Path (Join-Path $context 'www/api')
        Set-Content (Join-Path $context 'www/api/health') '{"status":"UP"}' -NoNewline
        Set-Content (Join-Path $context 'www/api/version') $Version -NoNewline
        Set-Content (Join-Path $context 'www/api/metrics') @'
# TYPE http_requests_total counter
http_requests_total{code="200"} 1200
http_requests_total{code="500"} 3
# TYPE http_request_duration_seconds histogram
http_request_duration_seconds_bucket{le="0.1"} 1100
http_request_duration_seconds_bucket{le="0.5"} 1190
http_request_duration_seconds_bucket{le="+Inf"} 1203
http_request_duration_seconds_sum 61.5
http_request_duration_seconds_count 1203
'@
        Set-Content (Join-Path $context 'www/login') '<form>log in</form>'
        Set-Content (Join-Path $context 'www/health') '{"status":"UP"}'
        Set-Content (Join-Path $context 'npm') "#!/bin/sh`necho `"npm `$* ($Version): done`"`n"
        & chmod 755 (Join-Path $context 'npm')
        Set-Content (Join-Path $context 'Dockerfile') @"
FROM releaseops-test/web:v1
COPY www/ /www/
COPY npm /bin/npm
ENV PORT=$Port
HEALTHCHECK --interval=1s --timeout=2s --retries=3 --start-period=1s CMD /bin/wget -q -O /dev/null http://127.0.0.1:`$PORT/health
# An application that exits when Docker stops it (httpd as PID 1 would ignore SIGTERM until the grace period ends).
CMD trap 'exit 0' TERM; /bin/httpd -f -p `$PORT -h /www & wait
"@
        $env:DOCKER_BUILDKIT = '0'
        try { $out = & docker -H $DockerHost build -q -t "releaseops-test/medianest/${Service}:$Version" $context 2>&1 }
        finally { Remove-Item Env:DOCKER_BUILDKIT }
        if ($LASTEXITCODE -ne 0) { throw "building $Service $Version failed: $out" }
    }

    Remove-Medianest
    foreach ($version in '2.3.0', '2.4.0') {
        New-MedianestImage api $version 4000
        New-MedianestImage frontend $version 3000
    }
    & docker -H $DockerHost network create medianest-internal | Out-Null

    # The database, its role (the example's password, which the journal's role shares here) and the settings the gate wants.
    $password = $TestEnv.RELEASEOPS_TEST_PG_PASSWORD
    Invoke-Psql -Sql "DO `$`$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'medianest') THEN CREATE ROLE medianest LOGIN; END IF; END `$`$" | Out-Null
    # CREATEDB: a verified backup restores into a scratch database of its own.
    Invoke-Psql -Sql "ALTER ROLE medianest CREATEDB PASSWORD '$password'" | Out-Null
    Invoke-Psql -Sql 'CREATE DATABASE medianest OWNER medianest' | Out-Null
    Invoke-Psql -Sql 'ALTER DATABASE medianest SET log_min_duration_statement = 1000' | Out-Null
    Invoke-Psql -Database medianest -Sql 'CREATE TABLE media (id serial PRIMARY KEY, title text); INSERT INTO media (title) SELECT ''clip '' || n FROM generate_series(1, 40) n; ALTER TABLE media OWNER TO medianest;' | Out-Null

    # Nine Docker secrets of the application; Redis's password is mounted where Docker mounts it for ReleaseOps.
    foreach ($name in 'redis_password', 'db_password', 'jwt_secret', 'api_token', 'prometheus_token', 'backup_key', 'smtp_password', 's3_secret', 'session_key') {
        [guid]::NewGuid().ToString('N') | & docker -H $DockerHost secret create --label $label "medianest_$name" - | Out-Null
    }
    $hadSecretsDir = Test-Path /run/secrets
    $null = New-Item -ItemType Directory -Force -Path /run/secrets
    Set-Content $redisSecretFile $TestEnv.RELEASEOPS_TEST_REDIS_PASSWORD -NoNewline
    & chmod 600 $redisSecretFile

    # nginx in front of both services, with TLS and the headers the security gate scores.
    Set-Content (Join-Path $nginxDir 'conf.d/medianest-upstream.conf') "upstream api {`n    server 127.0.0.1:4001;`n}`nupstream frontend {`n    server 127.0.0.1:3001;`n}"
    $state = $TestEnv.RELEASEOPS_TEST_STATE
    Set-Content (Join-Path $nginxDir 'nginx.conf') @"
worker_processes 1;
pid $nginxDir/nginx.pid;
error_log $nginxDir/error.log warn;
events { worker_connections 256; }
http {
    access_log off;
    client_body_temp_path $nginxDir/client_body;
    proxy_temp_path $nginxDir/proxy;
    fastcgi_temp_path $nginxDir/fastcgi;
    uwsgi_temp_path $nginxDir/uwsgi;
    scgi_temp_path $nginxDir/scgi;
    include $nginxDir/conf.d/medianest-upstream.conf;
    server {
        listen 127.0.0.1:$httpsPort ssl;
        ssl_certificate $state/nginx/cert.pem;
        ssl_certificate_key $state/nginx/key.pem;
        ssl_protocols TLSv1.2 TLSv1.3;
        keepalive_timeout 0;
        add_header Strict-Transport-Security "max-age=31536000; includeSubDomains" always;
        add_header Content-Security-Policy "default-src 'self'" always;
        add_header X-Frame-Options DENY always;
        add_header X-Content-Type-Options nosniff always;
        add_header Referrer-Policy no-referrer always;
        location /api/ { proxy_pass http://api; }
        location / { proxy_pass http://frontend; }
    }
}
"@
    & nginx -c (Join-Path $nginxDir 'nginx.conf')

    # What the gates read beside the plan: a fresh scan report of the API image, the frontend's build, the test runner.
    $apiImage = 'releaseops-test/medianest/api:2.4.0'
    $imageId = & docker -H $DockerHost image inspect --format '{{.Id}}' $apiImage
    @{
        SchemaVersion = 2; ArtifactName = $apiImage; ArtifactType = 'container_image'
        Metadata = @{ ImageID = $imageId; RepoTags = @($apiImage); RepoDigests = @() }
        Results = @(@{ Target = 'os'; Class = 'os-pkgs'; Vulnerabilities = @(@{ VulnerabilityID = 'CVE-2023-0001'; PkgName = 'busybox'; InstalledVersion = '1.36'; Severity = 'LOW' }) })
    } | ConvertTo-Json -Depth 6 | Set-Content (Join-Path $dir 'reports/trivy-api.json')
    Set-Content (Join-Path $dir 'frontend/.next/app.js') ('x' * 4096)
    Set-Content (Join-Path $dir 'bin/npm') "#!/bin/sh`necho `"npm `$*: 12 passed`"`n"
    & chmod 755 (Join-Path $dir 'bin/npm')
    $backupKey = Join-Path $dir 'backup.key'
    Set-Content $backupKey ([guid]::NewGuid().ToString('N') + [guid]::NewGuid().ToString('N')) -NoNewline
    & chmod 600 $backupKey

    # Prometheus: requests by track (a few 5xx on both) and jobs, counters rising every 250 ms while the test runs.
    $fixture = 'medianest' + [guid]::NewGuid().ToString('N').Substring(0, 8)
    $metricsFile = Join-Path $TestEnv.RELEASEOPS_TEST_PROMETHEUS_FIXTURES "$fixture.prom"
    $publisher = Start-ThreadJob -ArgumentList $metricsFile -ScriptBlock {
        param($file)
        for ($tick = 1; ; $tick++) {
            $text = foreach ($track in 'stable', 'canary') {
                "http_requests_total{track=`"$track`",code=`"200`"} $($tick * 40)"
                "http_requests_total{track=`"$track`",code=`"500`"} $([math]::Floor($tick / 5))"
            }
            $text += "jobs_finished_total $($tick * 10)", "jobs_succeeded_total $($tick * 10 - [math]::Floor($tick / 20))"
            $text += foreach ($port in 4001..4004) {
                "container_memory_working_set_bytes{name=`"medianest-production-api-$port`"} $(200MB + ($tick % 7) * 1MB)"
                "container_spec_memory_limit_bytes{name=`"medianest-production-api-$port`"} $(512MB)"
            }
            Set-Content "$file.tmp" $text
            Move-Item -Force "$file.tmp" $file
            Start-Sleep -Milliseconds 250
        }
    }
    $targetFile = Join-Path $TestEnv.RELEASEOPS_TEST_PROMETHEUS_TARGETS "$fixture.json"
    ConvertTo-Json -Depth 4 @(@{ targets = @($TestEnv.RELEASEOPS_TEST_PROMETHEUS_FIXTURE_ADDRESS); labels = @{ __metrics_path__ = "/$fixture.prom"; fixture = $fixture } }) |
        Set-Content $targetFile

    $variables = @{
        domain = 'localhost'; https_port = "$httpsPort"; registry = 'releaseops-test/medianest'
        db_port = "$PgPort"; redis_host = '127.0.0.1'; redis_port = "$RedisPort"
        prometheus_url = "$($TestEnv.RELEASEOPS_TEST_MONITORING_PROXY)/bearer"; alertmanager_url = "$($TestEnv.RELEASEOPS_TEST_MONITORING_PROXY)/alertmanager"
        nginx_dir = $nginxDir; backup_dir = (Join-Path $dir 'backups'); hooks_url = $TestEnv.RELEASEOPS_TEST_ALERT_RECEIVER_URL
        window_stage = 'manual'; canary_pause = '10s'; watch_duration = '6s'; watch_interval = '1s'; health_interval = '500ms'; short_window = '3s'; long_window = '5s'
    }
    $trust = Join-Path $dir 'trust.pem'
    (Get-Content -Raw /etc/ssl/certs/ca-certificates.crt) + (Get-Content -Raw (Join-Path $state 'nginx/cert.pem')) | Set-Content $trust
    $environment = @{
        SSL_CERT_FILE = $trust; DOCKER_HOST = $DockerHost; PATH = "$(Join-Path $dir 'bin'):$env:PATH"
        MEDIANEST_DB_HOST = '127.0.0.1'; MEDIANEST_DB_PASSWORD = $password; MEDIANEST_BACKUP_KEY_FILE = $backupKey
        MEDIANEST_API_TOKEN = 'token-' + [guid]::NewGuid().ToString('N'); MEDIANEST_JWT_SECRET = 'jwt-' + [guid]::NewGuid().ToString('N')
        MEDIANEST_PROMETHEUS_TOKEN = $TestEnv.RELEASEOPS_TEST_PROMETHEUS_TOKEN
    }

    function Get-Running([string] $Version) {
        # The containers of a version that run, by name.
        & docker -H $DockerHost ps --filter 'label=org.releaseops.application=medianest' --filter "label=org.releaseops.version=$Version" --format '{{.Names}}' | Sort-Object
    }

    function Invoke-Medianest([Parameter(Mandatory)][string] $Script) {
        # $Script runs in a fresh pwsh in the plan's directory with $plan loaded; what it returns comes back as objects.
        $variablesJson = $variables | ConvertTo-Json -Compress
        $driver = @"
`$ErrorActionPreference = 'Stop'
Set-Location '$dir'
Import-Module '$manifest'
`$variables = @{}; (ConvertFrom-Json '$variablesJson').psobject.Properties | ForEach-Object { `$variables[`$_.Name] = `$_.Value }
`$plan = Get-ReleasePlan releaseplan.yml -Variable `$variables
`$out = & { $Script }
'<<<' + (ConvertTo-Json -Depth 8 -EnumsAsStrings -InputObject @(`$out)) + '>>>'
"@
        $run = Invoke-FreshPwsh $driver -Environment $environment
        if ($run.Output -notmatch '(?s)<<<(.*)>>>') { throw "the release script did not finish (exit $($run.ExitCode)):`n$($run.Output -replace '\e\[[0-9;]*m', '')" }
        [pscustomobject]@{ Output = $run.Output -replace '\e\[[0-9;]*m', ''; Result = ($Matches[1] | ConvertFrom-Json) }
    }
}

AfterAll {
    Get-Job | Where-Object { $_.Id -eq $publisher.Id } | Remove-Job -Force
    Remove-Item -Force -ErrorAction SilentlyContinue $targetFile, $metricsFile, $redisSecretFile
    if (-not $hadSecretsDir) { Remove-Item -Force -ErrorAction SilentlyContinue /run/secrets }
    & nginx -c (Join-Path $nginxDir 'nginx.conf') -s stop
    Remove-Medianest
}

Describe 'examples/releaseplan.full.yml against the test environment' {
    It 'passes its pre-deploy gates, each one judged' {
        $run = Invoke-Medianest { $plan | Test-ReleaseGate -Stage PreDeploy | Select-Object Name, Status, Message }
        $gates = $run.Result
        $gates.Name | Sort-Object | Should -Be ('tls-certificate', 'security-headers', 'database-settings', 'redis-persistence', 'frontend-bundle-size',
            'critical-path-tests', 'no-target-down', 'no-ongoing-incidents', 'image-scanned', 'secrets-rotated' | Sort-Object)
        foreach ($gate in $gates) { $gate.Status | Should -Be 'Passed' -Because "$($gate.Name): $($gate.Message)" }
    }

    It 'releases 2.3.0 as the first release: backup, migration, rolling API, canary frontend judged by Prometheus, smoke through nginx, watch' {
        $run = Invoke-Medianest { $plan | Invoke-Deployment -Version 2.3.0 -Confirm:$false | Select-Object -Last 1 Outcome, Version, PreviousVersion, Message }
        $run.Result.Outcome | Should -Be 'Succeeded' -Because $run.Output
        Invoke-RestMethod "https://localhost:$httpsPort/api/version" -SkipCertificateCheck | Should -Be '2.3.0'
    }

    It 'releases 2.4.0 over it, with every step recorded' {
        $run = Invoke-Medianest { $plan | Invoke-Deployment -Version 2.4.0 -Confirm:$false | Select-Object Name, Service, Outcome, @{ n = 'Seconds'; e = { [math]::Round($_.Duration.TotalSeconds, 1) } }, Detail }
        $steps = $run.Result
        $steps[-1].Outcome | Should -Be 'Succeeded' -Because $run.Output
        $steps | Format-Table Name, Service, Outcome, Seconds, Detail -AutoSize -Wrap | Out-String -Width 220 | Write-Host
        $step = @{}; foreach ($s in $steps | Where-Object Name) { $step["$($s.Name) $($s.Service)".Trim()] = $s }
        $step['gates:pre-deploy'].Detail | Should -Be '10 of 10 gates passed'
        $step['backup'].Detail | Should -Match '^medianest-db: .*verified\)$'
        $step['migration api'].Detail | Should -Be 'exit 0: npm run migrate (2.4.0): done'
        $step['rollout api'].Detail | Should -Match '^Rolling \(Container\)'
        $step['verify api'].Detail | Should -Match 'passed on 3 of 3 instance'
        $step['rollout frontend'].Detail | Should -Match '^Canary \(Container\)'
        $step['verify frontend'].Detail | Should -Match 'passed on 1 of 1 instance'
        $step['gates:post-deploy'].Detail | Should -Be '1 of 1 gates passed'
        $step['watch'].Detail | Should -Match '^Healthy'
        Get-ChildItem (Join-Path $dir 'backups') -Filter '*.manifest.json' -Recurse | Should -HaveCount 2
        Invoke-RestMethod "https://localhost:$httpsPort/api/version" -SkipCertificateCheck | Should -Be '2.4.0'
        Get-Running 2.4.0 | Should -Be 'medianest-production-api-4001', 'medianest-production-api-4002', 'medianest-production-api-4004', 'medianest-production-frontend-3002'
        Get-Running 2.3.0 | Should -BeNullOrEmpty
    }

    It 'rolls back to 2.3.0 with Invoke-Rollback' {
        $started = [DateTimeOffset]::UtcNow
        $run = Invoke-Medianest { $plan | Invoke-Rollback -Confirm:$false | Select-Object -Last 1 Outcome, ToVersion }
        $run.Result.Outcome | Should -Be 'Succeeded' -Because $run.Output
        $run.Result.ToVersion | Should -Be '2.3.0'
        Invoke-RestMethod "https://localhost:$httpsPort/api/version" -SkipCertificateCheck | Should -Be '2.3.0'
        @(Get-Running 2.3.0).Count | Should -Be 4
        Get-Running 2.4.0 | Should -BeNullOrEmpty
        # notifications: the ops channel (the test environment's webhook receiver) is told.
        $told = (Invoke-RestMethod $TestEnv.RELEASEOPS_TEST_ALERT_RECEIVER_URL) -split "`n" | Where-Object { $_ -match '"source":"releaseops"' } | ConvertFrom-Json |
            Where-Object { $_.application -eq 'medianest' -and $_.event -eq 'rolled-back' -and [DateTimeOffset]$_.at -ge $started }
        $told.summary | Should -Match '^medianest/production was rolled back from 2\.4\.0 to 2\.3\.0'
    }

    It 'judges the release window (a manual gate in this environment) against the clock in Europe/Berlin' {
        $run = Invoke-Medianest { $plan | Test-ReleaseGate -Stage Manual | Select-Object Name, Status, Message }
        $run.Result.Name | Should -Be 'deployment-window'
        $run.Result.Status | Should -BeIn 'Passed', 'Failed'
        $run.Result.Message | Should -Match 'Europe/Berlin|release day|inside'
    }
}
