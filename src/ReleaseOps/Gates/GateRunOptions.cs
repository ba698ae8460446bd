using System.Text.RegularExpressions;
using ReleaseOps.Plans;

namespace ReleaseOps.Gates;

/// <summary>Which gates of a set to run: by name (wildcards * and ?), category, severity, tag and stage. Empty lists select all.</summary>
public sealed record GateSelection
{
    public static readonly GateSelection All = new();

    public IReadOnlyList<string> Names { get; init; } = Array.Empty<string>();
    public IReadOnlyList<string> Categories { get; init; } = Array.Empty<string>();
    public IReadOnlyList<GateSeverity> Severities { get; init; } = Array.Empty<GateSeverity>();
    public IReadOnlyList<string> Tags { get; init; } = Array.Empty<string>();
    public IReadOnlyList<GateStage> Stages { get; init; } = Array.Empty<GateStage>();

    public bool Includes(GateDefinition gate) =>
        (Names.Count == 0 || Names.Any(n => Wildcard(n).IsMatch(gate.Name))) &&
        (Categories.Count == 0 || Categories.Contains(GateRunner.CategoryOf(gate), StringComparer.OrdinalIgnoreCase)) &&
        (Severities.Count == 0 || Severities.Contains(gate.Severity)) &&
        (Tags.Count == 0 || gate.Tags.Any(t => Tags.Contains(t, StringComparer.OrdinalIgnoreCase))) &&
        (Stages.Count == 0 || Stages.Contains(gate.Stage));

    private static Regex Wildcard(string pattern) =>
        new("^" + Regex.Escape(pattern).Replace("\\*", ".*").Replace("\\?", ".") + "$",
            RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);
}

/// <summary>How a gate run behaves.</summary>
public sealed record GateRunOptions
{
    /// <summary>Gates mostly wait on the network, not the CPU: 16 per core, at least 16 (32 on 2 cores).</summary>
    public static int DefaultThrottle => Math.Max(16, Environment.ProcessorCount * 16);

    /// <summary>How many gates run at once.</summary>
    public int ThrottleLimit { get; init; } = DefaultThrottle;
    /// <summary>The limit for one attempt of a gate that sets no timeout.</summary>
    public TimeSpan DefaultTimeout { get; init; } = TimeSpan.FromSeconds(10);
    /// <summary>Stop at the first critical gate that fails or errors; the rest are reported Skipped.</summary>
    public bool FailFast { get; init; }
    public GateSelection Selection { get; init; } = GateSelection.All;
    /// <summary>Where relative paths in gate settings (files, compose files) are resolved; default the plan's directory or the working directory.</summary>
    public string? BaseDirectory { get; init; }
    /// <summary>The clock, for time-window gates and tests.</summary>
    public TimeProvider Clock { get; init; } = TimeProvider.System;
}
