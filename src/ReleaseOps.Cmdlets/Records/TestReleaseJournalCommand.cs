using System.Management.Automation;
using ReleaseOps.Cmdlets.Hosting;
using ReleaseOps.Journal;
using ReleaseOps.Releases;

namespace ReleaseOps.Cmdlets.Records;

/// <summary>
/// <para type="synopsis">Checks that a release plan's journal has not been tampered with.</para>
/// <para type="description">Every journal entry (each release state, attestation and notification) carries the SHA-256 of the one
/// before it. The check recomputes every entry's hash, follows every link and compares each release's document with the
/// last state the chain holds for it, in the file and the PostgreSQL store alike. It returns a JournalVerification: the
/// entries and releases checked, the head (sequence and hash: write it down, exported release records carry it) and every
/// problem found, as Edited, Removed, Reordered, Unreadable, DocumentChanged, DocumentMissing or Unchained. Give -Anchor (a
/// head written down earlier) to detect a chain cut short after it. With -Quiet, returns only $true (intact) or $false.</para>
/// </summary>
/// <example><code>Test-ReleaseJournal ./releaseplan.yml</code></example>
/// <example><code>Get-ReleasePlan ./releaseplan.yml | Test-ReleaseJournal | Select-Object -ExpandProperty Problems</code></example>
/// <example><code>if (-not (Test-ReleaseJournal ./releaseplan.yml -Quiet)) { throw 'the journal was changed' }</code></example>
[Cmdlet(VerbsDiagnostic.Test, "ReleaseJournal")]
[OutputType(typeof(JournalVerification), typeof(bool))]
public sealed class TestReleaseJournalCommand : PlanCmdlet
{
    /// <summary><para type="description">A head written down earlier, SEQUENCE:sha256:HEX (as the head of an earlier check or an exported record reads): that entry must still be in the chain with that hash.</para></summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Anchor { get; set; }

    /// <summary><para type="description">Return only $true (the journal is intact) or $false.</para></summary>
    [Parameter]
    public SwitchParameter Quiet { get; set; }

    protected override void ProcessRecord()
    {
        if (!TryPrepare(() => Anchor is null ? null : JournalAnchor.Parse(Anchor), out var anchor, Anchor))
        {
            return;
        }
        ForEachPlan(async (op, plan) =>
        {
            var verification = await StandardRelease.VerifyJournalAsync(plan, anchor, op.Cancellation).ConfigureAwait(false);
            foreach (var note in verification.Notes) op.Verbose(note);
            op.Emit(Quiet.IsPresent ? verification.IsIntact : verification);
        });
    }
}
