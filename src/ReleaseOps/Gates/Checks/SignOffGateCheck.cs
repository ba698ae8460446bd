using ReleaseOps.Errors;

namespace ReleaseOps.Gates.Checks;

/// <summary>
/// <c>sign-off</c>: every attestation the plan's checklist requires before deploying is recorded
/// for this version, its signature verifies, and its signer belongs to the role. The attestations
/// come from <see cref="GateEnvironment.SignOffs"/>, which the standard wiring fills from the
/// checklist and the journal.
/// </summary>
internal sealed class SignOffGateCheck : IGateCheck
{
    public IReadOnlyList<string> Types { get; } = new[] { "sign-off" };

    public async Task RunAsync(GateCheckContext context, GateObservation observation, CancellationToken cancellation)
    {
        var signOffs = context.Environment.SignOffs ?? throw new ReleaseOpsException("GateSignOffsUnavailable", FailureKind.InvalidConfiguration,
            $"The {context.Describe} reads the plan's checklist attestations, but none are available here: the plan has no checklist: section, " +
            "or the gate runs without the standard wiring.", context.Gate.Name,
            "Give the plan a checklist: section that binds items with 'attest: ROLE', and run the gate from a plan (Test-ReleaseGate, releaseops gate PLAN).");
        var version = context.Environment.Version is { Length: > 0 } v ? v : throw new ReleaseOpsException("GateVersionMissing", FailureKind.InvalidArgument,
            $"The {context.Describe} checks sign-offs for one version, and none is known.", context.Gate.Name,
            "Give the version (-Version, --version) or set version: in the plan.");
        var state = await signOffs.CheckAsync(version, context.Settings.GetStrings("roles"), cancellation).ConfigureAwait(false);
        observation.Target = $"{context.Environment.PlanName}@{version}";
        observation.Measure("sign_offs_missing", state.Missing.Count);
        observation.Evidence["signed"] = state.Present.ToArray();
        observation.Evidence["missing"] = state.Missing.ToArray();
        if (state.Rejected.Count > 0)
        {
            observation.Evidence["rejected"] = state.Rejected.ToArray();
        }
        observation.Rule("sign-offs", state.Missing.Count == 0, state.Missing.Count == 0
            ? $"{state.Present.Count} required sign-off(s) recorded for {version}"
            : $"{state.Missing.Count} required sign-off(s) missing for {version}: {string.Join("; ", state.Missing)}");
        if (state.Missing.Count > 0)
        {
            observation.Fix = "Each role records its sign-off with its certificate: Confirm-ReleaseChecklistItem (releaseops checklist attest).";
        }
    }
}
