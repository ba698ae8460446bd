# Dot-sourced by every spec in BeforeAll: where things are, and a fresh pwsh for tests whose subject
# is per process (assembly loading, module import). Specs import the built module themselves.
$root = (Resolve-Path (Join-Path $PSScriptRoot '../..')).Path
$manifest = Join-Path $root 'ReleaseOps.psd1'
$examples = Join-Path $root 'examples'

function Get-PwshPath {
    # scripts/pwsh names the pinned pwsh it runs; the process itself is `dotnet pwsh.dll` for the .NET tool.
    if ($env:RELEASEOPS_PWSH) { return $env:RELEASEOPS_PWSH }
    (Get-Command pwsh -CommandType Application -ErrorAction Stop | Select-Object -First 1).Source
}

function Invoke-FreshPwsh([Parameter(Mandatory)][string] $Script) {
    $output = & (Get-PwshPath) -NoProfile -NonInteractive -Command $Script 2>&1
    [pscustomobject]@{ ExitCode = $LASTEXITCODE; Output = ($output | Out-String) }
}

function Get-LoadContextName([System.Reflection.Assembly] $Assembly) {
    [System.Runtime.Loader.AssemblyLoadContext]::GetLoadContext($Assembly).Name
}

# --- The real services of scripts/test-env.sh, and fixtures the specs share -------------------------

function Get-TestEnvironment([string] $File = '/tmp/releaseops-test/env') {
    if (-not (Test-Path -LiteralPath $File)) { throw "$File is missing: run 'scripts/test-env.sh up' as root first." }
    $values = @{}
    foreach ($line in Get-Content -LiteralPath $File) {
        if ($line -match '^(\w+)=(.*)$') { $values[$Matches[1]] = $Matches[2] }
    }
    $values
}

$TestEnv = Get-TestEnvironment
$DockerHost = $TestEnv.RELEASEOPS_TEST_DOCKER_HOST
$PgPort = [int]$TestEnv.RELEASEOPS_TEST_PG_PORT
$RedisPort = [int]$TestEnv.RELEASEOPS_TEST_REDIS_PORT
# Plans written by the specs read the PostgreSQL password from this variable (secrets: { env: ... }).
$env:RO_PESTER_PG_PASSWORD = $TestEnv.RELEASEOPS_TEST_PG_PASSWORD
$env:RO_PESTER_REDIS_PASSWORD = $TestEnv.RELEASEOPS_TEST_REDIS_PASSWORD

function New-TestCredential([string] $User, [string] $Password) {
    [pscredential]::new($User, (ConvertTo-SecureString $Password -AsPlainText -Force))
}
$PgCredential = New-TestCredential $TestEnv.RELEASEOPS_TEST_PG_USER $TestEnv.RELEASEOPS_TEST_PG_PASSWORD
$RedisCredential = New-TestCredential 'default' $TestEnv.RELEASEOPS_TEST_REDIS_PASSWORD

function Invoke-Psql([string] $Database = $TestEnv.RELEASEOPS_TEST_PG_DATABASE, [Parameter(Mandatory)][string] $Sql) {
    # The password reaches psql through its environment, never its command line.
    $env:PGPASSWORD = $TestEnv.RELEASEOPS_TEST_PG_PASSWORD
    try {
        $out = & psql -h $TestEnv.RELEASEOPS_TEST_PG_HOST -p $PgPort -U $TestEnv.RELEASEOPS_TEST_PG_USER -d $Database -v ON_ERROR_STOP=1 -qtA -c $Sql 2>&1
        if ($LASTEXITCODE -ne 0) { throw "psql failed: $out" }
        $out
    } finally { Remove-Item Env:PGPASSWORD }
}

function New-TestDatabase([Parameter(Mandatory)][string] $Name, [int] $Rows = 50) {
    Invoke-Psql -Sql "DROP DATABASE IF EXISTS $Name WITH (FORCE)" | Out-Null
    Invoke-Psql -Sql "CREATE DATABASE $Name" | Out-Null
    Invoke-Psql -Database $Name -Sql "CREATE TABLE visits (id serial PRIMARY KEY, at timestamptz DEFAULT now()); INSERT INTO visits SELECT FROM generate_series(1, $Rows);" | Out-Null
}

function Remove-TestDatabase([Parameter(Mandatory)][string] $Name) {
    Invoke-Psql -Sql "DROP DATABASE IF EXISTS $Name WITH (FORCE)" | Out-Null
}

function Remove-TestContainer([Parameter(Mandatory)][string] $Application) {
    $ids = @(& docker -H $DockerHost ps -aq --filter "label=org.releaseops.application=$Application")
    if ($ids.Count) { & docker -H $DockerHost rm -f $ids 2>&1 | Out-Null }
}

function Get-ServedVersion([Parameter(Mandatory)][int] $Port) {
    try { (Invoke-RestMethod "http://127.0.0.1:$Port/version" -TimeoutSec 2).Trim() } catch { '(nothing)' }
}

function New-TestPlan {
    <#
        Writes <Directory>/releaseplan.yml: one web service (Recreate, releaseops-test/web) on host port
        -Port of the test dockerd, a journal beside the plan, a pre-deploy tcp gate (tag preflight),
        a post-deploy http gate and a manual one, a 2-second watch of the service, and with -Database a
        verified PostgreSQL backup into ./backups (taken before each deployment with -BeforeDeploy).
    #>
    param(
        [Parameter(Mandatory)][string] $Directory,
        [Parameter(Mandatory)][string] $Application,
        [Parameter(Mandatory)][int] $Port,
        [string] $Database,
        [switch] $BeforeDeploy,
        [string] $Version = 'v1'
    )
    $backups = if ($Database) {
        @"
backups:
  - name: app-db
    type: postgres
    connection:
      host: 127.0.0.1
      port: $PgPort
      database: $Database
      username: $($TestEnv.RELEASEOPS_TEST_PG_USER)
      password: `${secret:pg_password}
    destination: backups
    before_deploy: $(([string][bool]$BeforeDeploy).ToLowerInvariant())
    verify: true
    retention: { count: 2 }
"@
    }
    $yaml = @"
api_version: releaseops/v1
application: $Application
environment: test
version: $Version
docker:
  host: $DockerHost
journal:
  path: journal
secrets:
  pg_password: { env: RO_PESTER_PG_PASSWORD }
services:
  - name: web
    image: releaseops-test/web
    port: 8080
    host_ports: [$Port]
    strategy: { type: recreate, health_timeout: 8s, stop_grace_period: 0s }
    health:
      - name: health
        url: /health
        timeout: 1s
        expect: status == 200
gates:
  - name: database-port
    type: tcp
    category: database
    tags: [preflight]
    host: 127.0.0.1
    port: $PgPort
  - name: web-answers
    type: http
    stage: post-deploy
    url: http://127.0.0.1:$Port/health
    within: 10s
    expect: status == 200
  - name: by-hand
    type: tcp
    stage: manual
    host: 127.0.0.1
    port: $PgPort
$backups
watch:
  duration: 2s
  interval: 250ms
  probes:
    - name: web
      url: http://127.0.0.1:$Port/health
      timeout: 1s
  criteria:
    - name: errors
      expect: error_rate < 5%
      window: 2s
"@
    $null = New-Item -ItemType Directory -Force -Path $Directory
    $file = Join-Path $Directory 'releaseplan.yml'
    Set-Content -LiteralPath $file -Value $yaml
    Get-Item -LiteralPath $file
}

# --- Help: every cmdlet documented, and its examples run ------------------------------------------

function Get-HelpExample([Parameter(Mandatory)][string] $Name) {
    # One entry per example of the cmdlet's help, for It -ForEach.
    $index = 0
    foreach ($example in (Get-Help $Name -Examples).examples.example) {
        $index++
        @{ Command = $Name; Index = $index; Code = ($example.code -join "`n").Trim() }
    }
}

function Invoke-HelpExample([Parameter(Mandatory)][string] $Code) {
    # Runs an example as a user would paste it, in the caller's scope (its variables), stopping at the first error.
    $ErrorActionPreference = 'Stop'
    . ([scriptblock]::Create($Code)) | Out-String | Write-Verbose
}

function Assert-CommandHelp([Parameter(Mandatory)][string] $Name) {
    # Help generated from the real CommandInfo: a syntax block per parameter set, every parameter
    # described, switches as switches, no CLR generic names, aliases, inputs, outputs, examples.
    $command = Get-Command $Name
    $help = Get-Help $Name -Full
    $help.Synopsis | Should -Not -BeNullOrEmpty
    ($help.description.Text -join '') | Should -Not -BeNullOrEmpty
    @($help.syntax.syntaxItem).Count | Should -Be $command.ParameterSets.Count
    $text = $help | Out-String -Width 250
    $text | Should -Not -Match 'Nullable|System\.Collections\.Generic|`1'
    $common = [System.Management.Automation.PSCmdlet]::CommonParameters
    foreach ($parameter in $command.Parameters.Values | Where-Object Name -notin $common) {
        $documented = $help.parameters.parameter | Where-Object name -eq $parameter.Name
        $documented | Should -Not -BeNullOrEmpty -Because "-$($parameter.Name) is a parameter of $Name"
        ($documented.description.Text -join '') | Should -Not -BeNullOrEmpty -Because "-$($parameter.Name) needs a description"
        if ($parameter.SwitchParameter) {
            $text | Should -Match "\[-$($parameter.Name)\]" -Because "-$($parameter.Name) is a switch"
        }
        foreach ($alias in $parameter.Aliases) { $documented.aliases | Should -Match ([regex]::Escape($alias)) }
    }
    @($help.returnValues.returnValue).Count | Should -Be @($command.OutputType).Count
    $help.inputTypes | Should -Not -BeNullOrEmpty
    @($help.examples.example).Count | Should -BeGreaterThan 0
}

function Assert-ReadableFormat([Parameter(Mandatory)][AllowEmptyCollection()][object[]] $InputObject) {
    # Format-List of a record reads as text for people: no record ToString such as
    # "DockerEndpointDefinition { Host = ... }", no CLR type names such as System.Int32[].
    $InputObject | Should -Not -BeNullOrEmpty
    foreach ($item in $InputObject) {
        foreach ($text in ($item | Format-List | Out-String -Width 250), ($item | Format-Table | Out-String -Width 250)) {
            $text | Should -Not -Match '\w+ \{ \w+ = ' -Because "a $($item.GetType().Name) must not show raw record text"
            $text | Should -Not -Match 'System\.[\w.]+(\[\]|`\d)|ReleaseOps\.[\w.]+(\[\]|`\d)' -Because "a $($item.GetType().Name) must not show CLR type names"
            $text | Should -Not -Match 'ReleaseOps\.\w+\.\w+(Definition|Catalog|Settings)\b' -Because "nested records of a $($item.GetType().Name) must read as text"
        }
    }
}

# The variables the examples in the cmdlets' help use (about_ReleaseOps, "EXAMPLES IN HELP").
$cred = $PgCredential
$pgPort = $PgPort
$redisCred = $RedisCredential
$redisPort = $RedisPort

function Enter-ExampleSandbox {
    # A directory holding ./releaseplan.yml for a cmdlet's help examples, made the current location
    # (Pop-Location in AfterAll). Returns the plan, for the examples' $plan.
    param([Parameter(Mandatory)][string] $Application, [Parameter(Mandatory)][int] $Port, [string] $Database, [string] $Version = 'v1')
    $sandbox = Join-Path $TestDrive 'examples'
    New-TestPlan -Directory $sandbox -Application $Application -Port $Port -Database $Database -Version $Version | Out-Null
    Push-Location $sandbox
    Get-ReleasePlan ./releaseplan.yml
}
