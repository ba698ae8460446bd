using System.Globalization;
using ReleaseOps.Conditions;
using ReleaseOps.Errors;
using ReleaseOps.Operations;
using ReleaseOps.Plans;
using ReleaseOps.Secrets;

namespace ReleaseOps.Gates;

/// <summary>
/// The check behind one gate type. It observes the target (measures, reads, connects), records
/// evidence and values for expect conditions, and applies the type's own rules as findings. It
/// throws <see cref="ReleaseOpsException"/> when it cannot observe at all (unreachable host,
/// wrong password): the runner turns that into a result with status Error.
/// </summary>
public interface IGateCheck
{
    /// <summary>The gate type names this check serves (http, tls...).</summary>
    IReadOnlyList<string> Types { get; }

    Task RunAsync(GateCheckContext context, GateObservation observation, CancellationToken cancellation);
}

/// <summary>Where gates run: the plan's secrets, Docker endpoint and directory. Ad hoc gates use <see cref="Default"/>.</summary>
public sealed record GateEnvironment
{
    public static readonly GateEnvironment Default = new();

    public SecretCatalog Secrets { get; init; } = SecretCatalog.Empty;
    public DockerEndpointDefinition Docker { get; init; } = new();
    /// <summary>Where relative paths in settings are resolved; default the working directory.</summary>
    public string? BaseDirectory { get; init; }
    /// <summary>application/environment of the plan, for reports.</summary>
    public string? PlanName { get; init; }
    /// <summary>The release version being gated, for sign-offs.</summary>
    public string? Version { get; init; }
    /// <summary>Where the sign-off gate finds the checklist's attestations; the standard wiring sets it for plans with a checklist.</summary>
    public IGateSignOffs? SignOffs { get; init; }

    public static GateEnvironment For(ReleasePlan plan) => new()
    {
        Secrets = plan.Secrets,
        Docker = plan.Docker,
        BaseDirectory = plan.Directory,
        PlanName = plan.ToString(),
        Version = plan.Version,
    };
}

/// <summary>What a check is given for one attempt: the gate, its settings, secrets and the time it has.</summary>
public sealed class GateCheckContext
{
    internal GateCheckContext(GateDefinition gate, GateEnvironment environment, IOperationReporter reporter,
        SecretRedactor redactor, TimeSpan timeout, TimeProvider clock, IGateBackupInventory? backups = null,
        GateConnections? connections = null)
    {
        Backups = backups;
        Connections = connections;
        Gate = gate;
        Environment = environment;
        Reporter = reporter;
        Redactor = redactor;
        Timeout = timeout;
        Clock = clock;
    }

    public GateDefinition Gate { get; }
    public GateSettings Settings => Gate.Settings;
    public GateEnvironment Environment { get; }
    public IOperationReporter Reporter { get; }
    /// <summary>Every secret this gate expanded; the runner redacts all text with it.</summary>
    public SecretRedactor Redactor { get; }
    /// <summary>The time this attempt has; clients should use it for their own connect/read limits.</summary>
    public TimeSpan Timeout { get; }
    public TimeProvider Clock { get; }
    /// <summary>The backups gates may ask about; null when the runner was built without them.</summary>
    public IGateBackupInventory? Backups { get; }
    /// <summary>Connections the gates of one run share (null for a gate run on its own: it opens and closes its own).</summary>
    internal GateConnections? Connections { get; }

    public string Describe => $"gate '{Gate.Name}' ({Gate.Type})";

    /// <summary>A required string setting, or a configuration error naming the gate and the key.</summary>
    public string Require(string key) =>
        Settings.GetString(key) is { Length: > 0 } value
            ? value
            : throw Missing(key);

    public ReleaseOpsException Missing(string key, string? example = null) =>
        new("GateSettingMissing", FailureKind.InvalidConfiguration,
            $"The {Describe} needs the setting '{key}'.", target: Gate.Name,
            fix: example ?? $"Add '{key}:' to the gate (see 'releaseops gate --help' or docs/gates.md for its settings).");

    public ReleaseOpsException Invalid(string key, string problem, string fix) =>
        new("GateSettingInvalid", FailureKind.InvalidConfiguration,
            $"The {Describe} has an invalid '{key}': {problem}", target: Gate.Name, fix: fix);

    /// <summary>Expands <c>${secret:NAME}</c> in a setting at the moment of use; the value is redacted from everything the gate reports.</summary>
    public SecretValue? Expand(string? text) => Environment.Secrets.Expand(text, Redactor);

    /// <summary>A path setting resolved against the plan's directory.</summary>
    public string ResolvePath(string path)
    {
        path = path.StartsWith("~/", StringComparison.Ordinal)
            ? Path.Combine(System.Environment.GetFolderPath(System.Environment.SpecialFolder.UserProfile), path[2..])
            : path;
        return Path.GetFullPath(path, Environment.BaseDirectory ?? Directory.GetCurrentDirectory());
    }

    /// <summary>The <c>connection:</c> setting (host, port, database, username, password).</summary>
    public ConnectionDefinition Connection(string key = "connection") =>
        SettingConnections.Connection(Settings, key, Invalid)
        ?? throw Missing(key, $"Add '{key}: {{ host: 127.0.0.1, port: 5432, username: app, password: ${{secret:db_password}} }}'.");

    /// <summary>A Prometheus or Alertmanager API from the gate's url, credentials and TLS settings, within the attempt's time.</summary>
    public Infrastructure.Monitoring.MonitoringEndpoint Monitoring() =>
        SettingConnections.Monitoring(Settings, Expand, ResolvePath, Timeout, Redactor, Invalid, LoadAuthorities);

    /// <summary>The CA certificates of a <c>ca_file</c>: read once per run when the gates share a run's connections.</summary>
    internal System.Security.Cryptography.X509Certificates.X509Certificate2Collection LoadAuthorities(string path) =>
        Connections?.Authorities(path) ?? Infrastructure.Tls.CertificateTrust.LoadAuthorities(path);

    /// <summary>
    /// The HTTP client for these options: the run's shared one (kept-alive connections, one pool per
    /// distinct TLS setting) or, for a gate run on its own, a new one the caller disposes (<paramref name="owned"/>).
    /// </summary>
    internal Infrastructure.Http.HttpProbeClient Http(Infrastructure.Http.HttpProbeOptions options, out bool owned)
    {
        owned = Connections is null;
        return Connections?.Http(options) ?? new Infrastructure.Http.HttpProbeClient(options);
    }
}

/// <summary>
/// What a check saw: the target, evidence, the named values expect conditions read, and the
/// findings of the type's own rules. Safe to fill from one thread per attempt.
/// </summary>
public sealed class GateObservation
{
    private readonly List<GateFinding> _findings = new();

    /// <summary>The endpoint, container, database or file checked.</summary>
    public string? Target { get; set; }

    /// <summary>Measured values, in the order they were recorded.</summary>
    public Dictionary<string, object?> Evidence { get; } = new(StringComparer.Ordinal);

    /// <summary>Named values for expect conditions (status, response_time, json.*...).</summary>
    public ConditionValues Values { get; } = new();

    /// <summary>The sentence for a result with no failing finding; default lists the passed rules.</summary>
    public string? Summary { get; set; }

    /// <summary>A fix to report when the gate fails (for example how to add the missing header).</summary>
    public string? Fix { get; set; }

    public IReadOnlyList<GateFinding> Findings => _findings;

    /// <summary>Records a rule: a failed rule fails the gate.</summary>
    public void Rule(string rule, bool passed, string message) =>
        _findings.Add(new GateFinding(rule, passed ? GateFindingLevel.Passed : GateFindingLevel.Failed, message));

    /// <summary>Records an advisory rule: when it does not hold the gate warns but does not fail.</summary>
    public void Advise(string rule, bool holds, string message) =>
        _findings.Add(new GateFinding(rule, holds ? GateFindingLevel.Passed : GateFindingLevel.Warning, message));

    /// <summary>Applies a condition in the shared language (built from a setting) to <see cref="Values"/>.</summary>
    public ConditionOutcome Condition(string condition)
    {
        var outcome = ConditionExpression.Parse(condition).Evaluate(Values);
        _findings.Add(GateFinding.From(outcome));
        return outcome;
    }

    /// <summary>Sets a value for expect conditions and records it as evidence too.</summary>
    public void Measure(string name, object? value, object? evidence = null)
    {
        Values.Set(name, value);
        Evidence[name] = evidence ?? value switch
        {
            ConditionValue { Kind: ConditionValueKind.Duration } cv => cv.ToString(),
            ConditionValue cv => cv.ToPlain(),
            TimeSpan t => ConditionValue.FormatDuration(t),
            _ => value,
        };
    }

    /// <summary>Quotes text as a condition-language string literal.</summary>
    public static string Quote(string text) =>
        "\"" + text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";
}
