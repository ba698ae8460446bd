#!/usr/bin/env bash
# The test command (README.md): starts the real services, builds, runs the xunit suite against
# them, then the Pester specs where pwsh exists. Ends with one line: "tests: N passed, N failed, N skipped".
# Run as root: the services are installed with apt-get and PostgreSQL runs as the postgres user.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/test-env.sh up

echo "build: dotnet build ReleaseOps.sln -c Release"
dotnet build ReleaseOps.sln -c Release -nologo -v quiet -clp:ErrorsOnly

results=$(mktemp -d)
status=0
dotnet test tests/ReleaseOps.Tests/ReleaseOps.Tests.csproj -c Release --no-build -nologo \
  --logger "console;verbosity=normal" --logger "trx;LogFileName=results.trx" --results-directory "$results" \
  | tee "$results/console.log" || status=$?

# The Pester specs import the built module and run the cmdlets for real; they need pwsh and Pester,
# which no package registry reachable from these machines provides.
specs=$(find tests/pester -name '*.Tests.ps1' | wc -l)
if command -v pwsh >/dev/null 2>&1 && pwsh -NoProfile -Command 'exit [int](-not (Get-Module -ListAvailable Pester))'; then
  pwsh -NoProfile -Command "Invoke-Pester -Path tests/pester -CI" || status=$?
else
  echo "pester: $specs spec files skipped: pwsh (PowerShell 7.4+) with Pester is not installed here; they run where it is"
fi

# The closing line comes from the run's TRX counters, not from console text.
counters=$(grep -o '<Counters [^>]*>' "$results/results.trx" 2>/dev/null || true)
count() { sed -nE "s/.* $1=\"([0-9]+)\".*/\1/p" <<<"$counters"; }
if [ -z "$counters" ]; then
  echo "tests: the test run did not complete (no results in $results)" >&2
  status=1
else
  total=$(count total); executed=$(count executed); passed=$(count passed)
  failed=$(( $(count failed) + $(count error) + $(count timeout) + $(count aborted) ))
  echo "tests: $passed passed, $failed failed, $(( total - executed )) skipped"
fi
exit $status
