using ReleaseOps.Checklists;
using ReleaseOps.Gates;
using ReleaseOps.Plans;

namespace ReleaseOps.Releases;

/// <summary>The sign-off gate's view of a plan's checklist: the attestations it requires before deploying, read from the journal.</summary>
public sealed class ChecklistSignOffs : IGateSignOffs
{
    private readonly ReleasePlan _plan;
    private readonly ChecklistService _checklist;

    public ChecklistSignOffs(ReleasePlan plan, ChecklistService checklist)
    {
        _plan = plan;
        _checklist = checklist;
    }

    public async Task<GateSignOffState> CheckAsync(string version, IReadOnlyList<string> roles, CancellationToken cancellation)
    {
        var state = await _checklist.SignOffsAsync(_plan, version, roles, cancellation).ConfigureAwait(false);
        return new GateSignOffState(state.Present, state.Missing, state.Rejected);
    }
}
