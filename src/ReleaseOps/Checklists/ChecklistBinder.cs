using ReleaseOps.Errors;
using ReleaseOps.Plans;
using ReleaseOps.Plans.Loading;

namespace ReleaseOps.Checklists;

/// <summary>One item and what the plan binds it to; <see cref="Definition"/> is null for an unbound item.</summary>
public sealed record BoundItem(ChecklistItem Item, ChecklistBindingDefinition? Definition)
{
    public bool IsBound => Definition is not null;
}

/// <summary>A plan's checklist files with every item bound (or listed as unbound), and the problems binding found.</summary>
public sealed record BoundChecklist
{
    public required IReadOnlyList<Checklist> Checklists { get; init; }
    /// <summary>Every item of every file, in file and document order.</summary>
    public required IReadOnlyList<BoundItem> Items { get; init; }
    public required ChecklistDefinition Definition { get; init; }
    /// <summary>Bindings that pick no item, pick an item twice, or files that cannot be read: <c>plan.yml:line:col</c>.</summary>
    public IReadOnlyList<PlanDiagnostic> Problems { get; init; } = Array.Empty<PlanDiagnostic>();

    /// <summary>Attestations a deployment waits for.</summary>
    public IEnumerable<BoundItem> RequiredBeforeDeploy => Items.Where(i => i.Definition?.IsRequiredBeforeDeploy == true);
}

/// <summary>
/// Reads the plan's checklist files and applies its <c>checklist.items</c> bindings: by id, or by a
/// text match that may pick several items. A binding that picks nothing, an id that does not exist
/// and an item picked by two bindings are reported at the binding's position in the plan; items no
/// binding picks are kept as unbound.
/// </summary>
public static class ChecklistBinder
{
    /// <summary>Binds the plan's checklist; throws <c>PlanHasNoChecklist</c> for a plan without one.</summary>
    public static async Task<BoundChecklist> BindAsync(ReleasePlan plan, CancellationToken cancellation)
    {
        var definition = plan.Checklist ?? throw new ReleaseOpsException("PlanHasNoChecklist", FailureKind.InvalidConfiguration,
            $"The plan {plan} has no checklist: section.", plan.SourcePath ?? plan.ToString(),
            "Add checklist: { files: [your-checklist.md], items: [...] } to the plan (docs/checklists.md).");
        var planFile = plan.SourcePath ?? plan.ToString();
        var baseDirectory = plan.SourcePath is null ? Directory.GetCurrentDirectory() : Path.GetDirectoryName(Path.GetFullPath(plan.SourcePath))!;
        var checklists = new List<Checklist>();
        var problems = new List<PlanDiagnostic>();
        foreach (var file in definition.Files)
        {
            var path = Path.IsPathRooted(file) ? file : Path.Combine(baseDirectory, file);
            try
            {
                checklists.Add(await ChecklistReader.ReadAsync(path, file, cancellation).ConfigureAwait(false));
            }
            catch (ReleaseOpsException ex) when (ex.ErrorId is "ChecklistNotFound" or "ChecklistAccessDenied")
            {
                problems.Add(Problem(planFile, definition.Location, "ChecklistFileUnreadable",
                    $"checklist file '{file}' cannot be read ({(ex.ErrorId == "ChecklistNotFound" ? "it does not exist" : "access denied")}; looked at {path})"));
            }
        }
        var bound = Bind(definition, checklists, planFile);
        return bound with { Problems = problems.Concat(bound.Problems).ToArray() };
    }

    /// <summary>Binds already imported checklists; <paramref name="planFile"/> names the plan in problems.</summary>
    public static BoundChecklist Bind(ChecklistDefinition definition, IReadOnlyList<Checklist> checklists, string planFile)
    {
        var items = checklists.SelectMany(c => c.Items).ToArray();
        var byId = items.ToDictionary(i => i.Id, StringComparer.Ordinal);
        var chosen = new Dictionary<string, ChecklistBindingDefinition>(StringComparer.Ordinal);
        var problems = new List<PlanDiagnostic>();
        foreach (var binding in definition.Items)
        {
            IReadOnlyList<ChecklistItem> picked;
            if (binding.Id is { } id)
            {
                picked = byId.TryGetValue(id, out var item) ? new[] { item } : Array.Empty<ChecklistItem>();
                if (picked.Count == 0)
                {
                    problems.Add(Problem(planFile, binding.Location, "ChecklistItemUnknown",
                        $"no checklist item has id '{id}'{NameSuggestion.Hint(id, byId.Keys)}"));
                }
            }
            else
            {
                picked = items.Where(i => ChecklistText.Matches(i, binding.Match!)).ToArray();
                if (picked.Count == 0)
                {
                    problems.Add(Problem(planFile, binding.Location, "ChecklistMatchEmpty",
                        $"match '{binding.Match}' finds no item in {string.Join(", ", checklists.Select(c => c.File))}"));
                }
            }
            foreach (var item in picked)
            {
                if (chosen.TryGetValue(item.Id, out var earlier))
                {
                    problems.Add(Problem(planFile, binding.Location, "ChecklistItemBoundTwice",
                        $"item '{item.Text}' ({item.Location}) is already bound by the {earlier.Selector} at line {earlier.Location?.Line}; " +
                        "each item has one binding (use its id, or a more specific match)"));
                    continue;
                }
                chosen[item.Id] = binding;
            }
        }
        return new BoundChecklist
        {
            Checklists = checklists,
            Items = items.Select(i => new BoundItem(i, chosen.GetValueOrDefault(i.Id))).ToArray(),
            Definition = definition,
            Problems = problems,
        };
    }

    /// <summary>Binds and throws <c>ChecklistBindingInvalid</c>, listing every problem, unless the binding is clean.</summary>
    public static async Task<BoundChecklist> LoadAsync(ReleasePlan plan, CancellationToken cancellation)
    {
        var bound = await BindAsync(plan, cancellation).ConfigureAwait(false);
        if (bound.Problems.Count > 0)
        {
            throw new ReleaseOpsException("ChecklistBindingInvalid", FailureKind.InvalidConfiguration,
                $"The checklist of {plan} does not bind cleanly:{Environment.NewLine}" + string.Join(Environment.NewLine, bound.Problems.Select(p => "  " + p)),
                plan.SourcePath ?? plan.ToString(),
                "Correct the bindings at the positions listed; Import-ReleaseChecklist (releaseops checklist import) shows every item's id.");
        }
        return bound;
    }

    private static PlanDiagnostic Problem(string file, SourceLocation? at, string code, string message) =>
        new(at?.File ?? file, at?.Line ?? 1, at?.Column ?? 1, DiagnosticSeverity.Error, code, message);
}
