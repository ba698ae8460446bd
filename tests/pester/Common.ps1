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
