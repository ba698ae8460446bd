using System.Text.RegularExpressions;
using ReleaseOps.Tests.Plans;
using Xunit;

namespace ReleaseOps.Tests.Architecture;

/// <summary>A level of the engine's layering: its folders may use folders of lower levels only.</summary>
public sealed record Layer(int Level, string Tier, IReadOnlyList<string> Folders);

/// <summary>
/// The engine's folders in layers, as data, checked against the compiled engine: a folder may use
/// folders of a lower level only, so there is no cycle and capabilities (one level) never use each
/// other. docs/architecture.md draws the same table.
/// </summary>
public sealed class LayeringTests
{
    public static readonly IReadOnlyList<Layer> Layers =
    [
        new(0, "infrastructure", ["Errors"]),
        new(1, "infrastructure", ["Secrets", "Operations", "Text", "Reporting"]),
        new(2, "infrastructure", ["Infrastructure/Tls", "Infrastructure/Postgres"]),
        new(3, "infrastructure", ["Infrastructure/Http", "Infrastructure/Redis", "Docker"]),
        new(4, "infrastructure", ["Redis", "Infrastructure/Monitoring"]),
        new(5, "plans and conditions", ["Conditions"]),
        new(6, "plans and conditions", ["Plans"]),
        new(7, "release records", ["Journal"]),
        new(8, "capabilities", ["Gates", "Deploy", "Health", "Backup", "Checklists", "Notifications"]),
        new(9, "release record", ["Records"]),
        new(10, "wiring", ["Releases"]),
        new(11, "front ends", ["ReleaseOps.Cmdlets", "ReleaseOps.Cli"]),
    ];

    private static readonly Lazy<IReadOnlyList<FolderReference>> Engine =
        new(() => EngineReferences.Scan(typeof(ReleaseOps.Errors.ReleaseOpsException).Assembly));

    /// <summary>The uses that break the layering: a folder using one at its own level or above, or a folder with no level.</summary>
    public static IEnumerable<string> Violations(IEnumerable<FolderReference> references, IReadOnlyList<Layer> layers)
    {
        var level = layers.SelectMany(l => l.Folders.Select(f => (f, l.Level))).ToDictionary(p => p.f, p => p.Level);
        foreach (var reference in references)
        {
            if (!level.TryGetValue(reference.From, out var from) || !level.TryGetValue(reference.To, out var to))
            {
                yield return $"{reference.From} -> {reference.To}: a folder without a level ({reference.Example})";
            }
            else if (to >= from)
            {
                yield return $"{reference.From} (level {from}) -> {reference.To} (level {to}): {reference.Example}";
            }
        }
    }

    [Fact]
    public void Every_engine_folder_has_a_level()
    {
        var placed = Layers.SelectMany(l => l.Folders).ToHashSet();
        var folders = typeof(ReleaseOps.Errors.ReleaseOpsException).Assembly.GetTypes()
            .Select(EngineReferences.FolderOf).OfType<string>().Distinct().Order().ToArray();
        Assert.Contains("Infrastructure/Http", folders);
        Assert.Empty(folders.Where(f => !placed.Contains(f)));
    }

    [Fact]
    public void No_engine_folder_uses_a_folder_at_its_own_level_or_above()
    {
        Assert.NotEmpty(Engine.Value);
        Assert.Empty(Violations(Engine.Value, Layers));
    }

    [Fact]
    public void The_rule_catches_a_capability_using_another_a_cycle_and_an_unplaced_folder()
    {
        FolderReference[] uses =
        [
            new("Gates", "Backup", "a gate reading the backup catalogue"),
            new("Conditions", "Plans", "a parser in the plan model"),
            new("Plans", "Conditions", "the plan checks conditions"),
            new("Widgets", "Errors", "a folder nobody placed"),
        ];
        var found = Violations(uses, Layers).ToArray();
        Assert.Equal(3, found.Length);
        Assert.Contains(found, v => v.StartsWith("Gates (level 8) -> Backup (level 8)", StringComparison.Ordinal));
        Assert.Contains(found, v => v.StartsWith("Conditions (level 5) -> Plans (level 6)", StringComparison.Ordinal));
        Assert.Contains(found, v => v.StartsWith("Widgets -> Errors", StringComparison.Ordinal));
    }

    [Fact]
    public void The_scan_sees_uses_in_signatures_and_inside_async_method_bodies()
    {
        // Known uses of each kind: a field type, a call made inside an async method, an interface implemented.
        Assert.Contains(Engine.Value, r => r is { From: "Deploy", To: "Journal" });
        Assert.Contains(Engine.Value, r => r is { From: "Backup", To: "Redis" });
        Assert.Contains(Engine.Value, r => r is { From: "Releases", To: "Deploy" });
        Assert.DoesNotContain(Engine.Value, r => r.From == r.To);
    }

    [Fact]
    public void The_architecture_document_draws_the_same_layers()
    {
        var text = File.ReadAllText(Path.Combine(ExamplePlanTests.RepositoryRoot, "docs", "architecture.md"));
        var rows = Regex.Matches(text, @"^\| (\d+) \| ([^|]+?) \| (.+) \|\s*$", RegexOptions.Multiline)
            .Select(m => new Layer(int.Parse(m.Groups[1].Value), m.Groups[2].Value.Trim(),
                Regex.Matches(m.Groups[3].Value, "`([^`]+?)/?`").Select(f => f.Groups[1].Value).ToArray()))
            .OrderBy(l => l.Level)
            .ToArray();
        Assert.Equal(Layers.Select(Describe), rows.Select(Describe));
    }

    private static string Describe(Layer layer) => $"{layer.Level} {layer.Tier}: {string.Join(", ", layer.Folders.Order(StringComparer.Ordinal))}";
}
