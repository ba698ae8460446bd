#!/usr/bin/env bash
# Makes the installable packages of ReleaseOps (README.md, "Install") from the Release build, in artifacts/:
#   ReleaseOps/<version>/            the module folder as it is installed: the manifest, formats, types,
#                                    help (en-US/) and LICENSE; module/ holds the loader and the inner
#                                    manifest, module/bin/ the cmdlets, the engine and every dependency
#                                    (docs/architecture.md, "Load contexts")
#   ReleaseOps.<version>.nupkg       that folder for PSResourceGet (Publish-PSResource -NupkgPath)
#   ReleaseOps.zip                   that folder for Azure Automation: ReleaseOps/ at the zip's root, named
#                                    like the zip and the manifest, without a version folder
#   ReleaseOps.Cli.<version>.nupkg   the releaseops command line as a .NET tool
# The version is <Version> in Directory.Build.props. Needs nothing but NuGet (the build's packages and
# the pinned pwsh of scripts/tools.sh, whose PSResourceGet writes the module's .nupkg).
# RELEASEOPS_SKIP_BUILD=1 skips the build (scripts/test.sh packages after its own build).
set -euo pipefail
cd "$(dirname "$0")/.."
out=artifacts
die() { printf 'package: %s\n' "$*" >&2; exit 1; }

if [ "${RELEASEOPS_SKIP_BUILD:-}" != 1 ]; then
  echo "package: dotnet build ReleaseOps.sln -c Release"
  dotnet build ReleaseOps.sln -c Release -nologo -v quiet -clp:ErrorsOnly
fi
version=$(dotnet msbuild src/ReleaseOps.Cli/ReleaseOps.Cli.csproj -getProperty:Version)
[ -f module/ReleaseOps.Loader.dll ] || die "module/ is not built: run dotnet build ReleaseOps.sln -c Release"
for manifest in ReleaseOps.psd1 module/ReleaseOps.Cmdlets.psd1; do
  grep -q "^ *ModuleVersion *= *'$version'" "$manifest" \
    || die "$manifest is not at version $version (Directory.Build.props): build again (dotnet build ReleaseOps.sln -c Release)"
done

rm -rf "$out"
folder="$out/ReleaseOps/$version"
mkdir -p "$folder/module"
cp ReleaseOps.psd1 ReleaseOps.Format.ps1xml ReleaseOps.Types.ps1xml LICENSE "$folder/"
cp -r formats en-US "$folder/"
cp module/ReleaseOps.Loader.dll module/ReleaseOps.Cmdlets.psd1 "$folder/module/"
# bin/: exactly the cmdlet project's runtime closure (what `dotnet publish` resolves), assemblies only;
# never module/bin/ itself, which keeps whatever earlier builds left there.
dotnet publish src/ReleaseOps.Cmdlets/ReleaseOps.Cmdlets.csproj -c Release --no-build -nologo -v quiet -o "$folder/module/bin" >/dev/null
find "$folder/module/bin" -type f ! -name '*.dll' -delete

echo "package: $out/ReleaseOps.$version.nupkg and $out/ReleaseOps.zip (scripts/pwsh, PSResourceGet)"
RO_FOLDER="$folder" RO_OUT="$out" scripts/pwsh -NoProfile -NonInteractive -Command '
  $ErrorActionPreference = "Stop"
  $null = Compress-PSResource -Path $env:RO_FOLDER -DestinationPath $env:RO_OUT
  $zip = [System.IO.Compression.ZipFile]::Open((Join-Path $env:RO_OUT ReleaseOps.zip), "Create")
  try {
      foreach ($file in Get-ChildItem -LiteralPath $env:RO_FOLDER -Recurse -File) {
          $entry = "ReleaseOps/" + [System.IO.Path]::GetRelativePath($env:RO_FOLDER, $file.FullName).Replace("\", "/")
          $null = [System.IO.Compression.ZipFileExtensions]::CreateEntryFromFile($zip, $file.FullName, $entry, "Optimal")
      }
  } finally { $zip.Dispose() }
'

echo "package: $out/ReleaseOps.Cli.$version.nupkg (dotnet pack)"
dotnet pack src/ReleaseOps.Cli/ReleaseOps.Cli.csproj -c Release --no-build -nologo -v quiet -o "$out" >/dev/null

ls -l "$out"/*.nupkg "$out"/*.zip | awk '{ printf "package: %9d bytes  %s\n", $5, $NF }'
