namespace ReleaseOps.Gates;

/// <summary>What the sign-off gate found: required attestations present, missing, and recorded but rejected (bad signature, wrong signer).</summary>
public sealed record GateSignOffState(IReadOnlyList<string> Present, IReadOnlyList<string> Missing, IReadOnlyList<string> Rejected);

/// <summary>The required attestations of a plan's checklist for one version (the standard wiring implements it).</summary>
public interface IGateSignOffs
{
    /// <param name="roles">Only these roles; empty for every required attestation.</param>
    Task<GateSignOffState> CheckAsync(string version, IReadOnlyList<string> roles, CancellationToken cancellation);
}
