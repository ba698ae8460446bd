#!/usr/bin/env bash
# The test command (README.md): starts the real services, installs the pinned PowerShell and Pester,
# builds, makes the packages (scripts/package.sh), runs the xunit suite (cmdlets in an in-process
# runspace) and then the Pester specs in real pwsh against the built module and the packages. Ends
# with one line counting both:
#   "tests: N passed, N failed, N skipped"
# Run as root: the services are installed with apt-get and PostgreSQL runs as the postgres user.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/test-env.sh up
scripts/tools.sh

echo "build: dotnet build ReleaseOps.sln -c Release"
dotnet build ReleaseOps.sln -c Release -nologo -v quiet -clp:ErrorsOnly

results=$(mktemp -d)
status=0
# A packaging failure fails the run; tests/pester/Packaging.Tests.ps1 then says what is missing.
echo "package: scripts/package.sh"
RELEASEOPS_SKIP_BUILD=1 scripts/package.sh || status=1

dotnet test tests/ReleaseOps.Tests/ReleaseOps.Tests.csproj -c Release --no-build -nologo \
  --logger "console;verbosity=normal" --logger "trx;LogFileName=results.trx" --results-directory "$results" \
  | tee "$results/console.log" || status=$?

echo "pester: scripts/pwsh -NoProfile -File tests/pester/Invoke-Specs.ps1"
scripts/pwsh -NoProfile -NonInteractive -File tests/pester/Invoke-Specs.ps1 -CountsFile "$results/pester.counts" || status=1

# The closing line adds the xunit run's TRX counters to Pester's counts, never console text.
counters=$(grep -o '<Counters [^>]*>' "$results/results.trx" 2>/dev/null || true)
count() { sed -nE "s/.* $1=\"([0-9]+)\".*/\1/p" <<<"$counters"; }
if [ -z "$counters" ] || [ ! -s "$results/pester.counts" ]; then
  echo "tests: the test run did not complete (no results in $results)" >&2
  exit 1
fi
read -r p_passed p_failed p_skipped < "$results/pester.counts"
total=$(count total); executed=$(count executed)
passed=$(( $(count passed) + p_passed ))
failed=$(( $(count failed) + $(count error) + $(count timeout) + $(count aborted) + p_failed ))
skipped=$(( total - executed + p_skipped ))
echo "xunit: $(count passed) passed; pester: $p_passed passed, $p_failed failed, $p_skipped skipped"
echo "tests: $passed passed, $failed failed, $skipped skipped"
exit $status
