namespace ReleaseOps.Plans;

/// <summary>What a checklist item is bound to in the plan.</summary>
public enum ChecklistBindingKind
{
    /// <summary>A gate of the plan checks it.</summary>
    Gate,
    /// <summary>A deployment (or rollback) step carries it out.</summary>
    Step,
    /// <summary>A pre-deploy backup of the plan covers it.</summary>
    Backup,
    /// <summary>A criterion of the plan's health watch judges it.</summary>
    Watch,
    /// <summary>A person in a role attests it, signed.</summary>
    Attest,
    /// <summary>It does not apply to this application; the binding says why.</summary>
    NotApplicable,
}

/// <summary>
/// One entry under <c>checklist.items</c>: which item(s) (by <see cref="Id"/> or a text
/// <see cref="Match"/>) and what covers them.
/// </summary>
public sealed record ChecklistBindingDefinition
{
    /// <summary>An item id exactly as Import-ReleaseChecklist shows it.</summary>
    public string? Id { get; init; }
    /// <summary>Words of the item text: every item whose text (or sign-off role) contains them, case and punctuation ignored.</summary>
    public string? Match { get; init; }
    public required ChecklistBindingKind Kind { get; init; }
    /// <summary>The gate, step, backup or criterion name; the role that attests; or the reason it does not apply.</summary>
    public required string Target { get; init; }
    /// <summary>For step bindings: only this service's step.</summary>
    public string? Service { get; init; }
    /// <summary>For attest bindings: PreDeploy attestations are required before a deployment may start; PostDeploy ones follow it.</summary>
    public GateStage Stage { get; init; } = GateStage.PreDeploy;
    public SourceLocation? Location { get; init; }

    /// <summary>How the binding picks items, for messages: <c>id '...'</c> or <c>match '...'</c>.</summary>
    public string Selector => Id is not null ? $"id '{Id}'" : $"match '{Match}'";

    /// <summary>True for attestations a deployment waits for.</summary>
    public bool IsRequiredBeforeDeploy => Kind == ChecklistBindingKind.Attest && Stage == GateStage.PreDeploy;
}

/// <summary>
/// The plan's <c>checklist:</c> section: the team's Markdown checklist(s), who may attest for each
/// role, which certificates attestation signers must chain to, and how items are covered.
/// </summary>
public sealed record ChecklistDefinition
{
    /// <summary>Markdown files, relative to the plan's directory.</summary>
    public required IReadOnlyList<string> Files { get; init; }
    /// <summary>Role -> identities allowed to attest for it (the e-mail or common name in their certificate).</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> Roles { get; init; } = new Dictionary<string, IReadOnlyList<string>>();
    /// <summary>PEM files of certificates (a team CA, or signers' own certificates) that attestation certificates must chain to.</summary>
    public IReadOnlyList<string> Trust { get; init; } = Array.Empty<string>();
    public IReadOnlyList<ChecklistBindingDefinition> Items { get; init; } = Array.Empty<ChecklistBindingDefinition>();
    public SourceLocation? Location { get; init; }
}
