#!/usr/bin/env bash
# Installs, pinned and idempotently, the tools the module is used and tested with: PowerShell 7.6.9
# (the `PowerShell` .NET tool) and Pester 5.7.1 (from NuGet), under .tools/ in the repository.
# Nothing is downloaded from anywhere but NuGet. Prints nothing when everything is already there.
#   scripts/tools.sh          install what is missing
#   scripts/tools.sh path     print the pwsh path (installing it first if needed)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
TOOLS=${RELEASEOPS_TOOLS:-$ROOT/.tools}
PWSH_VERSION=7.6.9
PESTER_VERSION=5.7.1
PWSH="$TOOLS/pwsh/pwsh"

log() { printf 'tools: %s\n' "$*" >&2; }

install_pwsh() {
  if [ -x "$PWSH" ] && [ "$("$PWSH" -NoProfile -NoLogo -Command '$PSVersionTable.PSVersion.ToString()' 2>/dev/null)" = "$PWSH_VERSION" ]; then return; fi
  log "installing PowerShell $PWSH_VERSION (dotnet tool) into $TOOLS/pwsh"
  rm -rf "$TOOLS/pwsh"
  dotnet tool install PowerShell --version "$PWSH_VERSION" --tool-path "$TOOLS/pwsh" >/dev/null
}

install_packages() {
  local pester="$TOOLS/modules/Pester"
  if [ -f "$pester/Pester.psd1" ] && grep -q "ModuleVersion *= *'$PESTER_VERSION'" "$pester/Pester.psd1" \
     && [ -f "$TOOLS/packages/yamldotnet/18.1.0/lib/net8.0/YamlDotNet.dll" ]; then return; fi
  log "restoring Pester $PESTER_VERSION and the specs' other packages from NuGet into $TOOLS/packages"
  dotnet restore "$ROOT/tests/pester/PesterPackages.csproj" --packages "$TOOLS/packages" -v quiet -nologo >/dev/null
  rm -rf "$pester"; mkdir -p "$TOOLS/modules"
  cp -r "$TOOLS/packages/pester/$PESTER_VERSION/tools" "$pester"
}

install_pwsh
install_packages
if [ "${1:-}" = path ]; then echo "$PWSH"; fi
