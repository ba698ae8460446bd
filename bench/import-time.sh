#!/usr/bin/env bash
# The module's cold start, as a user meets it: a new pwsh process imports ReleaseOps.psd1 and makes
# its first cmdlet call (Get-ReleasePlan of the quickstart plan). Prints the median of N runs (default
# 5) of that, of a bare `pwsh -NoProfile -Command exit`, and their difference: what the module adds.
#   bench/import-time.sh [N]        (build first: dotnet build ReleaseOps.sln -c Release)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
pwsh=$(scripts/tools.sh path)
export POWERSHELL_TELEMETRY_OPTOUT=1 POWERSHELL_UPDATECHECK=Off
[ -f module/bin/ReleaseOps.Cmdlets.dll ] || { echo "import-time: build first (dotnet build ReleaseOps.sln -c Release)" >&2; exit 1; }

import='Import-Module ./ReleaseOps.psd1; $null = Get-ReleasePlan ./examples/quickstart/releaseplan.yml'
median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
measure() { # measure COMMAND -> milliseconds of one pwsh run
  local start end
  start=$(date +%s%N)
  "$pwsh" -NoProfile -NonInteractive -Command "$1" >/dev/null
  end=$(date +%s%N)
  echo $(( (end - start) / 1000000 ))
}

"$pwsh" -NoProfile -NonInteractive -Command exit # warm the OS file cache for pwsh itself, not for the module's first load
bare=$(for _ in $(seq "$runs"); do measure exit; done | median)
module=$(for _ in $(seq "$runs"); do measure "$import"; done | median)
echo "pwsh -NoProfile -Command exit:                              median ${bare} ms of ${runs}"
echo "pwsh -NoProfile -Command \"$import\": median ${module} ms of ${runs}"
echo "import-time: Import-Module plus the first cmdlet call adds $((module - bare)) ms (median of ${runs}, PowerShell $("$pwsh" -NoProfile -Command '$PSVersionTable.PSVersion.ToString()'))"
