#!/usr/bin/env bash
# The test command (README.md): starts the real services, installs the pinned PowerShell and Pester,
# builds, runs the xunit suite (cmdlets in an in-process runspace) and, at the same time, makes the
# packages (scripts/package.sh) and runs the Pester specs in real pwsh against the built module and
# the packages. Ends
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
# The xunit suite and the Pester specs run at the same time: both mostly wait on the services, and
# they use disjoint names and ports (xunit deploy tests 21080-21999 and ro-depl-app; the specs 26xxx,
# 18180-18189 and ro-pester-*/quickstart). The one thing both release is the examples/swarm stack
# (its own network and volume names): SwarmStackTests and Swarm.Tests.ps1 take turns through
# $RELEASEOPS_TEST_STATE/swarmdemo.lock. xunit streams here; Pester's output is shown when it ends.
echo "xunit: dotnet test tests/ReleaseOps.Tests (in the background)"
( dotnet test tests/ReleaseOps.Tests/ReleaseOps.Tests.csproj -c Release --no-build -nologo \
    --logger "console;verbosity=normal" --logger "trx;LogFileName=results.trx" --results-directory "$results" \
    | tee "$results/console.log" ) &
xunit=$!

# A packaging failure fails the run; tests/pester/Packaging.Tests.ps1 then says what is missing.
echo "package: scripts/package.sh"
RELEASEOPS_SKIP_BUILD=1 scripts/package.sh > "$results/package.log" 2>&1 || status=1
echo "pester: scripts/pwsh -NoProfile -File tests/pester/Invoke-Specs.ps1 (output in $results/pester.log)"
scripts/pwsh -NoProfile -NonInteractive -File tests/pester/Invoke-Specs.ps1 -CountsFile "$results/pester.counts" \
  > "$results/pester.log" 2>&1 || status=1

wait "$xunit" || status=$?
echo "== package"; cat "$results/package.log"
echo "== pester"; cat "$results/pester.log"

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
