# The packages of scripts/package.sh (README.md, "Install") as their users get them: the module
# installed with PSResourceGet from a file-system repository into a clean module path, the Azure
# Automation zip, the releaseops .NET tool, and one version in all of them. scripts/test.sh packages
# before it runs the specs. Every install goes to this spec's TestDrive: a throwaway HOME holds the
# PSResourceGet repository registration and the module path, NUGET_PACKAGES the tool's package.
BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    $version = (Select-Xml -LiteralPath (Join-Path $root 'Directory.Build.props') -XPath '/Project/PropertyGroup/Version').Node.InnerText
    $artifacts = Join-Path $root 'artifacts'
    $folder = Join-Path $artifacts "ReleaseOps/$version"
    $nupkg = Join-Path $artifacts "ReleaseOps.$version.nupkg"
    $zipPath = Join-Path $artifacts 'ReleaseOps.zip'
    $toolPackage = Join-Path $artifacts "ReleaseOps.Cli.$version.nupkg"
    foreach ($path in $folder, $nupkg, $zipPath, $toolPackage) {
        if (-not (Test-Path -LiteralPath $path)) { throw "$path is missing: run scripts/package.sh (version $version, from Directory.Build.props)" }
    }
    $example = Join-Path $examples 'quickstart/releaseplan.yml'

    # The packages are zip files: unpacked once, read by the tests.
    $unpacked = @{}
    foreach ($package in $nupkg, $zipPath, $toolPackage) {
        $unpacked[$package] = Join-Path $TestDrive ([System.IO.Path]::GetFileName($package))
        [System.IO.Compression.ZipFile]::ExtractToDirectory($package, $unpacked[$package])
    }
    $zipFolder = Join-Path $unpacked[$zipPath] 'ReleaseOps'

    function Get-RelativeFile([Parameter(Mandatory)][string] $Directory) {
        Get-ChildItem -LiteralPath $Directory -Recurse -File |
            ForEach-Object { [System.IO.Path]::GetRelativePath($Directory, $_.FullName).Replace('\', '/') } | Sort-Object
    }

    function Get-NuspecVersion([Parameter(Mandatory)][string] $Directory) {
        $nuspec = Get-ChildItem -LiteralPath $Directory -Filter '*.nuspec' | Select-Object -First 1
        ([xml](Get-Content -Raw -LiteralPath $nuspec.FullName)).package.metadata.version
    }

    function Get-ProductVersion([Parameter(Mandatory)][string] $Path) {
        # The informational version the build gives every assembly, without its +commit suffix.
        ([System.Diagnostics.FileVersionInfo]::GetVersionInfo($Path).ProductVersion -split '\+')[0]
    }

    function Get-TargetFramework([Parameter(Mandatory)][string] $Path) {
        # The assembly's [TargetFramework] attribute, read from its metadata without loading it.
        $stream = [System.IO.File]::OpenRead($Path)
        try {
            $reader = [System.Reflection.Metadata.PEReaderExtensions]::GetMetadataReader([System.Reflection.PortableExecutable.PEReader]::new($stream))
            foreach ($handle in $reader.GetAssemblyDefinition().GetCustomAttributes()) {
                $attribute = $reader.GetCustomAttribute($handle)
                if ($attribute.Constructor.Kind -ne 'MemberReference') { continue }
                $constructor = $reader.GetMemberReference([System.Reflection.Metadata.MemberReferenceHandle]$attribute.Constructor)
                if ($constructor.Parent.Kind -ne 'TypeReference') { continue }
                $type = $reader.GetTypeReference([System.Reflection.Metadata.TypeReferenceHandle]$constructor.Parent)
                if ($reader.GetString($type.Name) -ne 'TargetFrameworkAttribute') { continue }
                $blob = $reader.GetBlobReader($attribute.Value)
                $null = $blob.ReadUInt16()   # the custom attribute prolog
                return $blob.ReadSerializedString()
            }
            '(none)'
        } finally { $stream.Dispose() }
    }
}

Describe 'One version' {
    It 'is the version of Directory.Build.props in both manifests, the assemblies and every package' {
        $found = [ordered]@{
            'ReleaseOps.psd1'                                  = (Import-PowerShellDataFile $manifest).ModuleVersion
            'module/ReleaseOps.Cmdlets.psd1'                   = (Import-PowerShellDataFile (Join-Path $root 'module/ReleaseOps.Cmdlets.psd1')).ModuleVersion
            'the packaged ReleaseOps.psd1'                     = (Import-PowerShellDataFile (Join-Path $folder 'ReleaseOps.psd1')).ModuleVersion
            'the packaged module/ReleaseOps.Cmdlets.psd1'      = (Import-PowerShellDataFile (Join-Path $folder 'module/ReleaseOps.Cmdlets.psd1')).ModuleVersion
            'ReleaseOps.zip: ReleaseOps.psd1'                  = (Import-PowerShellDataFile (Join-Path $zipFolder 'ReleaseOps.psd1')).ModuleVersion
            'the module nupkg'                                 = Get-NuspecVersion $unpacked[$nupkg]
            'the tool nupkg'                                   = Get-NuspecVersion $unpacked[$toolPackage]
            'the packaged ReleaseOps.Loader.dll'               = Get-ProductVersion (Join-Path $folder 'module/ReleaseOps.Loader.dll')
            'the packaged ReleaseOps.Cmdlets.dll'              = Get-ProductVersion (Join-Path $folder 'module/bin/ReleaseOps.Cmdlets.dll')
            'the packaged ReleaseOps.dll'                      = Get-ProductVersion (Join-Path $folder 'module/bin/ReleaseOps.dll')
            'the tool''s ReleaseOps.Cli.dll'                   = Get-ProductVersion (Join-Path $unpacked[$toolPackage] 'tools/net8.0/any/ReleaseOps.Cli.dll')
        }
        $disagreeing = foreach ($entry in $found.GetEnumerator()) { if ($entry.Value -ne $version) { "$($entry.Key) says '$($entry.Value)'" } }
        $disagreeing | Should -BeNullOrEmpty -Because "Directory.Build.props says $version"
    }
}

Describe 'The module folder' {
    It 'passes Test-ModuleManifest with what a gallery shows: <Name>' -ForEach @(
        @{ Name = 'the repository root''s manifest'; Packaged = $false }
        @{ Name = 'the packaged manifest'; Packaged = $true }
    ) {
        $info = Test-ModuleManifest -Path (Join-Path ($Packaged ? $folder : $root) 'ReleaseOps.psd1') -ErrorAction Stop
        $info.Version | Should -Be ([version]$version)
        $info.ProjectUri.IsAbsoluteUri | Should -BeTrue
        $info.LicenseUri.IsAbsoluteUri | Should -BeTrue
        $info.ReleaseNotes | Should -Not -BeNullOrEmpty
        $info.Tags | Should -Not -BeNullOrEmpty
    }

    It 'is laid out for the load contexts: the loader beside the inner manifest, every other assembly in module/bin' {
        $files = Get-RelativeFile $folder
        $files | Where-Object { $_ -like '*.dll' -and $_ -notlike 'module/bin/*' } | Should -Be @('module/ReleaseOps.Loader.dll')
        foreach ($assembly in 'ReleaseOps.Cmdlets', 'ReleaseOps', 'YamlDotNet', 'Npgsql') {
            $files | Should -Contain "module/bin/$assembly.dll"
        }
        $files | Should -Contain 'module/ReleaseOps.Cmdlets.psd1'
        $files | Should -Contain 'LICENSE'
        $files | Where-Object { $_ -like 'module/bin/*' -and $_ -notlike '*.dll' } | Should -BeNullOrEmpty -Because 'bin/ holds assemblies only'
    }

    It 'carries the repository''s help, formats and types unchanged: <_>' -ForEach @(
        'en-US/ReleaseOps.Cmdlets.dll-Help.xml', 'en-US/about_ReleaseOps.help.txt', 'ReleaseOps.Format.ps1xml', 'ReleaseOps.Types.ps1xml',
        'formats/Backup.Format.ps1xml', 'formats/Deploy.Format.ps1xml', 'formats/Gates.Format.ps1xml', 'formats/Health.Format.ps1xml', 'LICENSE'
    ) {
        (Get-FileHash (Join-Path $folder $_)).Hash | Should -Be (Get-FileHash (Join-Path $root $_)).Hash
    }

    It 'names the same project and license as the tool package' {
        $module = ([xml](Get-Content -Raw (Join-Path $unpacked[$nupkg] 'ReleaseOps.nuspec'))).package.metadata
        $tool = ([xml](Get-Content -Raw (Join-Path $unpacked[$toolPackage] 'ReleaseOps.Cli.nuspec'))).package.metadata
        $module.projectUrl | Should -Be $tool.projectUrl
        $tool.license.'#text' | Should -Be 'MIT'
        (Get-Content -Raw (Join-Path $folder 'LICENSE')) | Should -Match '^MIT License'
    }

    It 'is what the module nupkg holds' {
        $packaged = Get-RelativeFile $unpacked[$nupkg] |
            Where-Object { $_ -notmatch '^(_rels/|package/|\[Content_Types\]\.xml$|[^/]+\.nuspec$)' }
        $packaged | Should -Be (Get-RelativeFile $folder)
    }
}

Describe 'Installed with PSResourceGet from a file-system repository' {
    BeforeAll {
        # A clean HOME: PSResourceGet keeps its repositories there and installs the module into
        # HOME/.local/share/powershell/Modules, the user's part of PSModulePath. Nothing of this
        # process's PSModulePath reaches the child. HOME/.config exists as in any user's home:
        # without it Publish-PSResource writes NuGet/NuGet.Config into the working directory.
        $userHome = Join-Path $TestDrive 'home'
        $repository = Join-Path $TestDrive 'repository'
        $null = New-Item -ItemType Directory -Path (Join-Path $userHome '.config'), $repository
        $isolated = @{ HOME = $userHome; XDG_DATA_HOME = $null; XDG_CONFIG_HOME = $null; XDG_CACHE_HOME = $null; PSModulePath = $null }
        $installed = Join-Path $userHome ".local/share/powershell/Modules/ReleaseOps/$version"

        $install = Invoke-FreshPwsh -Environment $isolated @"
`$ErrorActionPreference = 'Stop'
Register-PSResourceRepository -Name ReleaseOpsLocal -Uri '$repository' -Trusted
Publish-PSResource -NupkgPath '$nupkg' -Repository ReleaseOpsLocal
Install-PSResource ReleaseOps -Repository ReleaseOpsLocal -Scope CurrentUser -TrustRepository -Quiet
"@
        # Imported by name, as any installed module; then a plan (YamlDotNet), a PostgreSQL gate
        # (Npgsql, against the test environment's server) and the help, reported as JSON.
        $use = Invoke-FreshPwsh -Environment $isolated @"
`$ErrorActionPreference = 'Stop'
Import-Module ReleaseOps
`$credential = [pscredential]::new('$($TestEnv.RELEASEOPS_TEST_PG_USER)', (ConvertTo-SecureString `$env:RO_PESTER_PG_PASSWORD -AsPlainText -Force))
`$gate = @{ name = 'database'; type = 'postgres'; min_version = 15
    connection = @{ host = '127.0.0.1'; port = $PgPort; database = '$($TestEnv.RELEASEOPS_TEST_PG_DATABASE)'; username = '$($TestEnv.RELEASEOPS_TEST_PG_USER)'; password = '`${secret:db}' } } |
    Test-ReleaseGate -Secret @{ db = `$credential }
`$plan = Get-ReleasePlan '$example'
`$loaded = @{}
foreach (`$assembly in [AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { `$_.GetName().Name -in 'ReleaseOps.Loader', 'ReleaseOps.Cmdlets', 'YamlDotNet', 'Npgsql' }) {
    `$loaded[`$assembly.GetName().Name] = @{ Path = `$assembly.Location; Context = [System.Runtime.Loader.AssemblyLoadContext]::GetLoadContext(`$assembly).Name }
}
'JSON:' + (ConvertTo-Json -Depth 4 -Compress @{
    ModuleBase  = (Get-Module ReleaseOps).ModuleBase
    Application = `$plan.Application
    Gate        = "`$(`$gate.Status) `$(`$gate.Message)"
    Loaded      = `$loaded
    Synopsis    = (Get-Help Get-ReleasePlan).Synopsis
    About       = (Get-Help about_ReleaseOps | Out-String)
})
"@
        $used = if ($use.Output -match '(?m)^JSON:(.*)$') { $Matches[1] | ConvertFrom-Json -AsHashtable }
    }

    It 'publishes the nupkg to the repository and installs it into the clean module path' {
        $install.ExitCode | Should -Be 0 -Because $install.Output
        Join-Path $repository "ReleaseOps.$version.nupkg" | Should -Exist
        Join-Path $installed 'ReleaseOps.psd1' | Should -Exist
    }

    It 'leaves this user''s PSResourceGet repositories alone' {
        Get-PSResourceRepository -Name ReleaseOpsLocal -ErrorAction Ignore | Should -BeNullOrEmpty
    }

    It 'imports by name from PSModulePath and runs cmdlets' {
        $use.ExitCode | Should -Be 0 -Because $use.Output
        $used.ModuleBase | Should -Be $installed
        $used.Application | Should -Be 'quickstart'
        $used.Gate | Should -Match '^Passed PostgreSQL' -Because $use.Output
    }

    It 'loads <_> from the installed module, in its load context' -ForEach @('ReleaseOps.Loader', 'ReleaseOps.Cmdlets', 'YamlDotNet', 'Npgsql') {
        $used.Loaded[$_] | Should -Not -BeNullOrEmpty -Because "the module loaded $($used.Loaded.Keys -join ', ')"
        $where = if ($_ -eq 'ReleaseOps.Loader') { @{ Path = 'module/ReleaseOps.Loader.dll'; Context = 'Default' } } else { @{ Path = "module/bin/$_.dll"; Context = 'ReleaseOps' } }
        $used.Loaded[$_].Path | Should -Be (Join-Path $installed $where.Path)
        $used.Loaded[$_].Context | Should -Be $where.Context
    }

    It 'finds the cmdlet help (MAML) and about_ReleaseOps in the installed module' {
        $maml = [xml](Get-Content -Raw (Join-Path $installed 'en-US/ReleaseOps.Cmdlets.dll-Help.xml'))
        $ns = @{ command = 'http://schemas.microsoft.com/maml/dev/command/2004/10'; maml = 'http://schemas.microsoft.com/maml/2004/10' }
        $synopsis = (Select-Xml -Xml $maml -Namespace $ns -XPath "//command:command[command:details/command:name='Get-ReleasePlan']/command:details/maml:description").Node.InnerText.Trim()
        $synopsis | Should -Not -BeNullOrEmpty
        $used.Synopsis | Should -Be $synopsis
        $used.About | Should -Match 'about_ReleaseOps'
    }
}

Describe 'The Azure Automation zip' {
    BeforeAll {
        $archive = [System.IO.Compression.ZipFile]::OpenRead($zipPath)
        try { $entries = $archive.Entries.FullName } finally { $archive.Dispose() }
    }

    It 'holds the module folder at its root, named like the zip and the manifest, without a version folder' {
        [System.IO.Path]::GetFileNameWithoutExtension($zipPath) | Should -Be 'ReleaseOps'
        $entries | Where-Object { -not $_.StartsWith('ReleaseOps/') } | Should -BeNullOrEmpty
        $entries | Should -Contain 'ReleaseOps/ReleaseOps.psd1'
        $entries | Where-Object { $_ -match '^ReleaseOps/\d+(\.\d+)+/' } | Should -BeNullOrEmpty
    }

    It 'has only relative paths of at most 140 characters, Azure Automation''s limit' {
        $entries | Where-Object { $_ -match '^/|\\|^[A-Za-z]:|(^|/)\.\.(/|$)' } | Should -BeNullOrEmpty
        $entries | Where-Object Length -GT 140 | Should -BeNullOrEmpty
    }

    It 'holds exactly the module folder''s files' {
        Get-RelativeFile $zipFolder | Should -Be (Get-RelativeFile $folder)
        foreach ($file in Get-RelativeFile $folder) {
            (Get-FileHash (Join-Path $zipFolder $file)).Hash | Should -Be (Get-FileHash (Join-Path $folder $file)).Hash -Because $file
        }
    }

    It 'ships assemblies built for .NET 8 (PowerShell 7.4) or .NET Standard only' {
        $assemblies = Get-ChildItem -LiteralPath $zipFolder -Recurse -Filter '*.dll'
        $assemblies | Should -Not -BeNullOrEmpty
        $frameworks = foreach ($assembly in $assemblies) { "$($assembly.Name): $(Get-TargetFramework $assembly.FullName)" }
        $frameworks | Where-Object { $_ -notmatch ': \.NET(CoreApp,Version=v8\.0|Standard,Version=v2\.[01])$' } | Should -BeNullOrEmpty
    }

    It 'imports from the unpacked folder and runs a cmdlet' {
        $result = Invoke-FreshPwsh "`$ErrorActionPreference = 'Stop'; Import-Module '$zipFolder'; (Get-Module ReleaseOps).ModuleBase; (Get-ReleasePlan '$example').Application"
        $result.ExitCode | Should -Be 0 -Because $result.Output
        $result.Output | Should -Match "^$([regex]::Escape($zipFolder))\r?\nquickstart"
    }
}

Describe 'The releaseops .NET tool' {
    It 'installs with dotnet tool install --add-source artifacts and validates a plan' {
        $tools = Join-Path $TestDrive 'tools'
        # Its own package folder, so that a package of the same version installed before is not reused.
        $output = Use-Environment @{ NUGET_PACKAGES = (Join-Path $TestDrive 'nuget') } {
            & dotnet tool install ReleaseOps.Cli --add-source $artifacts --version $version --tool-path $tools 2>&1
        }
        $LASTEXITCODE | Should -Be 0 -Because ($output | Out-String)
        $releaseops = Join-Path $tools 'releaseops'
        (& $releaseops --version) | Should -Match "^$([regex]::Escape($version))(\+|$)"
        $validated = & $releaseops validate $example 2>&1
        $LASTEXITCODE | Should -Be 0 -Because ($validated | Out-String)
        $validated | Should -Match 'releaseplan\.yml: valid'
    }
}

Describe 'Secrets' {
    It 'none is in a package: not the test environment''s passwords, no private key, no .env or key file' {
        $files = foreach ($directory in @($folder) + $unpacked.Values) { Get-ChildItem -LiteralPath $directory -Recurse -File }
        $files | Where-Object Name -Match '\.(env|pem|key|pfx|p12)$' | Should -BeNullOrEmpty
        $secrets = @($TestEnv.RELEASEOPS_TEST_PG_PASSWORD, $TestEnv.RELEASEOPS_TEST_REDIS_PASSWORD) | Where-Object { $_ }
        $secrets.Count | Should -Be 2
        # A key itself, not the engine's pattern that detects one (the env-policy gate carries it).
        $privateKey = '-----BEGIN ([A-Z]+ )?PRIVATE KEY-----\r?\n[A-Za-z0-9+/=]{40,}'
        $holding = foreach ($file in $files) {
            $text = [System.Text.Encoding]::Latin1.GetString([System.IO.File]::ReadAllBytes($file.FullName))
            if ($text -match $privateKey -or @($secrets | Where-Object { $text.Contains($_) }).Count) { $file.FullName }
        }
        $holding | Should -BeNullOrEmpty
    }
}
