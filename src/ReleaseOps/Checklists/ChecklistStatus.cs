using ReleaseOps.Plans;

namespace ReleaseOps.Checklists;

/// <summary>Where an item stands for one release.</summary>
public enum ChecklistItemState
{
    /// <summary>Its gate, step, backup or watch criterion passed.</summary>
    Passed,
    /// <summary>Its gate, step, backup or watch criterion failed.</summary>
    Failed,
    /// <summary>A valid, signed attestation by a member of its role is recorded for the version.</summary>
    Attested,
    /// <summary>Bound, but its check has not run (or no valid attestation exists) for the version.</summary>
    Pending,
    /// <summary>The plan says it does not apply, or it is a conditional step (a rollback) that was not needed.</summary>
    NotApplicable,
    /// <summary>No binding covers it.</summary>
    Unbound,
}

/// <summary>What a piece of release evidence concluded.</summary>
public enum EvidenceOutcome
{
    Passed,
    Failed,
    /// <summary>It has not run (yet) for this release.</summary>
    NotRun,
    /// <summary>A conditional step that the release did not need (no rollback happened).</summary>
    NotNeeded,
}

/// <summary>One result a binding can point at: a gate's, a step's, a backup's or a watch criterion's.</summary>
public sealed record EvidenceResult(ChecklistBindingKind Source, string Name, string? Service, EvidenceOutcome Outcome, string Detail,
    DateTimeOffset? At = null);

/// <summary>Everything recorded about one release that a checklist's bindings can be judged against.</summary>
public sealed record ReleaseEvidence
{
    public required string Application { get; init; }
    public required string Environment { get; init; }
    /// <summary>The version the status is for; null when neither the caller nor the plan names one.</summary>
    public string? Version { get; init; }
    /// <summary>The deployment of that version the evidence comes from; null before it was deployed.</summary>
    public string? ReleaseId { get; init; }
    public IReadOnlyList<EvidenceResult> Results { get; init; } = Array.Empty<EvidenceResult>();
    /// <summary>Every attestation recorded for the application+environment (any version; the status picks).</summary>
    public IReadOnlyList<Attestation> Attestations { get; init; } = Array.Empty<Attestation>();
}

/// <summary>One item's status for a release, with what shows it.</summary>
public sealed record ChecklistItemStatus
{
    public required ChecklistItem Item { get; init; }
    public required ChecklistItemState State { get; init; }
    /// <summary>What covers the item; null when unbound.</summary>
    public ChecklistBindingKind? Binding { get; init; }
    /// <summary>The gate, step, backup, criterion or role (or the not-applicable reason).</summary>
    public string? Target { get; init; }
    /// <summary>One line saying why the item has this state.</summary>
    public required string Evidence { get; init; }
    public DateTimeOffset? At { get; init; }
    /// <summary>Attestations recorded for the item and version, valid or not.</summary>
    public IReadOnlyList<VerifiedAttestation> Attestations { get; init; } = Array.Empty<VerifiedAttestation>();
    public string? Version { get; init; }
    public string? ReleaseId { get; init; }

    [System.Text.Json.Serialization.JsonIgnore]
    public string Id => Item.Id;
    [System.Text.Json.Serialization.JsonIgnore]
    public string Text => Item.Text;

    public override string ToString() => $"{State,-13} {Item.Location} {Item.Text}: {Evidence}";
}

/// <summary>A file's items counted by how they are covered and where they stand.</summary>
public sealed record ChecklistCoverage
{
    public required string File { get; init; }
    public string? Version { get; init; }
    public int Total { get; init; }
    /// <summary>Bound to a gate, step, backup or watch criterion.</summary>
    public int Automated { get; init; }
    /// <summary>Bound to a role's attestation.</summary>
    public int Attestation { get; init; }
    public int NotApplicable { get; init; }
    public int Unbound { get; init; }
    public int Passed { get; init; }
    public int Failed { get; init; }
    public int Attested { get; init; }
    public int Pending { get; init; }

    public static ChecklistCoverage Of(string file, string? version, IReadOnlyList<ChecklistItemStatus> items) => new()
    {
        File = file,
        Version = version,
        Total = items.Count,
        Automated = items.Count(i => i.Binding is ChecklistBindingKind.Gate or ChecklistBindingKind.Step or ChecklistBindingKind.Backup or ChecklistBindingKind.Watch),
        Attestation = items.Count(i => i.Binding == ChecklistBindingKind.Attest),
        NotApplicable = items.Count(i => i.Binding == ChecklistBindingKind.NotApplicable),
        Unbound = items.Count(i => i.Binding is null),
        Passed = items.Count(i => i.State == ChecklistItemState.Passed),
        Failed = items.Count(i => i.State == ChecklistItemState.Failed),
        Attested = items.Count(i => i.State == ChecklistItemState.Attested),
        Pending = items.Count(i => i.State == ChecklistItemState.Pending),
    };

    public override string ToString() =>
        $"{File}: {Total} items: {Automated} automated, {Attestation} attested by a role, {NotApplicable} not applicable, {Unbound} unbound; " +
        $"for {Version ?? "no version"}: {Passed} passed, {Failed} failed, {Attested} attested, {Pending} pending";
}

/// <summary>The checklist status of a plan for one version: every item, and each file's coverage.</summary>
public sealed record ChecklistReport
{
    public required string Application { get; init; }
    public required string Environment { get; init; }
    public string? Version { get; init; }
    public string? ReleaseId { get; init; }
    public required IReadOnlyList<ChecklistItemStatus> Items { get; init; }
    public required IReadOnlyList<ChecklistCoverage> Coverage { get; init; }
    public required IReadOnlyList<Checklist> Checklists { get; init; }
}

/// <summary>Judges every bound item against the evidence of one release.</summary>
public static class ChecklistStatusRules
{
    public static ChecklistReport Evaluate(BoundChecklist checklist, ReleaseEvidence evidence, AttestationTrust trust)
    {
        var items = checklist.Items.Select(i => Status(i, evidence, trust, checklist.Definition)).ToArray();
        return new ChecklistReport
        {
            Application = evidence.Application,
            Environment = evidence.Environment,
            Version = evidence.Version,
            ReleaseId = evidence.ReleaseId,
            Items = items,
            Coverage = checklist.Checklists.Select(c => ChecklistCoverage.Of(c.File, evidence.Version, items.Where(i => i.Item.File == c.File).ToArray())).ToArray(),
            Checklists = checklist.Checklists,
        };
    }

    /// <summary>The recorded attestations of one item for one version, verified against the trust and the role's members.</summary>
    public static IReadOnlyList<VerifiedAttestation> AttestationsOf(ChecklistItem item, string? version, ReleaseEvidence evidence,
        AttestationTrust trust, ChecklistDefinition definition, string role) =>
        evidence.Attestations
            .Where(a => a.ItemId == item.Id && a.Version == version && a.Application == evidence.Application && a.Environment == evidence.Environment)
            .Select(a => AttestationVerifier.Verify(a, trust, MembersOf(definition, role)))
            .ToArray();

    public static IReadOnlyList<string> MembersOf(ChecklistDefinition definition, string role) =>
        definition.Roles.FirstOrDefault(r => string.Equals(r.Key, role, StringComparison.OrdinalIgnoreCase)).Value ?? Array.Empty<string>();

    private static ChecklistItemStatus Status(BoundItem bound, ReleaseEvidence evidence, AttestationTrust trust, ChecklistDefinition definition)
    {
        var binding = bound.Definition;
        var status = new ChecklistItemStatus
        {
            Item = bound.Item,
            State = ChecklistItemState.Unbound,
            Evidence = "no binding in the plan",
            Binding = binding?.Kind,
            Target = binding?.Target,
            Version = evidence.Version,
            ReleaseId = evidence.ReleaseId,
        };
        switch (binding?.Kind)
        {
            case null:
                return status;
            case ChecklistBindingKind.NotApplicable:
                return status with { State = ChecklistItemState.NotApplicable, Evidence = "not applicable: " + binding.Target };
            case ChecklistBindingKind.Attest:
                var attestations = AttestationsOf(bound.Item, evidence.Version, evidence, trust, definition, binding.Target);
                var valid = attestations.Where(a => a.Valid).OrderBy(a => a.Attestation.AttestedAt).ToArray();
                if (valid.Length > 0)
                {
                    var first = valid[0].Attestation;
                    return status with
                    {
                        State = ChecklistItemState.Attested, At = first.AttestedAt, Attestations = attestations,
                        Evidence = $"attested by {string.Join(", ", valid.Select(v => v.Attestation.Signer.Identity).Distinct())} ({binding.Target}) " +
                            $"at {first.AttestedAt:yyyy-MM-dd HH:mm}Z" + Describe(first),
                    };
                }
                return status with
                {
                    State = ChecklistItemState.Pending, Attestations = attestations,
                    Evidence = attestations.Count == 0
                        ? $"waiting for {binding.Target} to attest {evidence.Version ?? "the version"}"
                        : $"waiting for {binding.Target}: {attestations.Count} attestation(s) rejected ({string.Join("; ", attestations.Select(a => a.Problem))})",
                };
            default:
                return FromResults(status, binding, evidence);
        }
    }

    private static ChecklistItemStatus FromResults(ChecklistItemStatus status, ChecklistBindingDefinition binding, ReleaseEvidence evidence)
    {
        var results = evidence.Results
            .Where(r => r.Source == binding.Kind && string.Equals(r.Name, binding.Target, StringComparison.Ordinal)
                && (binding.Service is null || string.Equals(r.Service, binding.Service, StringComparison.OrdinalIgnoreCase)))
            .ToArray();
        var what = binding.Kind switch
        {
            ChecklistBindingKind.Gate => $"gate '{binding.Target}'",
            ChecklistBindingKind.Step => $"step '{binding.Target}'" + (binding.Service is null ? "" : $" of {binding.Service}"),
            ChecklistBindingKind.Backup => $"backup '{binding.Target}'",
            _ => $"watch criterion '{binding.Target}'",
        };
        if (results.Length == 0)
        {
            return status with
            {
                State = ChecklistItemState.Pending,
                Evidence = evidence.ReleaseId is null
                    ? $"{what}: {evidence.Version ?? "the version"} has not been deployed"
                    : $"{what} has not run for release {evidence.ReleaseId}",
            };
        }
        var details = string.Join("; ", results.Select(r => (r.Service is null ? "" : $"[{r.Service}] ") + r.Detail));
        var at = results.Max(r => r.At);
        var state = results.Any(r => r.Outcome == EvidenceOutcome.Failed) ? ChecklistItemState.Failed
            : results.Any(r => r.Outcome == EvidenceOutcome.NotRun) ? ChecklistItemState.Pending
            : results.All(r => r.Outcome == EvidenceOutcome.NotNeeded) ? ChecklistItemState.NotApplicable
            : ChecklistItemState.Passed;
        return status with { State = state, Evidence = $"{what}: {details}", At = at };
    }

    private static string Describe(Attestation a) =>
        (a.Note is null ? "" : $": {a.Note}")
        + (a.EvidenceUrl is null ? "" : $"; evidence {a.EvidenceUrl}")
        + (a.EvidenceFile is null ? "" : $"; evidence {a.EvidenceFile.Name} sha256:{a.EvidenceFile.Sha256}");
}
