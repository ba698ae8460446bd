using ReleaseOps.Gates;
using ReleaseOps.Operations;
using ReleaseOps.Plans;

namespace ReleaseOps.Tests.Gates;

/// <summary>Runs one inline gate through the real runner, as Test-ReleaseGate would.</summary>
internal static class GateKit
{
    public static readonly GateRunner Runner = ReleaseOps.Releases.StandardRelease.GateRunner();

    public static GateDefinition Define(params (string Key, object? Value)[] values) =>
        InlineGate.Create(values.Select(v => new KeyValuePair<string, object?>(v.Key, v.Value)));

    public static Task<GateResult> Run(params (string Key, object? Value)[] values) =>
        Run(GateEnvironment.Default, values);

    public static Task<GateResult> Run(GateEnvironment environment, params (string Key, object? Value)[] values) =>
        Run(environment, new GateRunOptions { DefaultTimeout = TimeSpan.FromSeconds(5) }, values);

    public static Task<GateResult> Run(GateEnvironment environment, GateRunOptions options, params (string Key, object? Value)[] values) =>
        Runner.RunGateAsync(Define(values), environment, options, SilentReporter.Instance, CancellationToken.None);

    /// <summary>The whole result as JSON: every text it carries, for leak scans.</summary>
    public static string AsJson(GateResult result) => System.Text.Json.JsonSerializer.Serialize(result);

    public static string Explain(GateResult result) =>
        $"{result.Status}: {result.Message} [{result.ErrorId}] findings: {string.Join(" | ", result.Findings)}";
}
