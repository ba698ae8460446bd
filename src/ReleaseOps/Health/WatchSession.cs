using ReleaseOps.Docker;
using ReleaseOps.Errors;
using ReleaseOps.Operations;
using ReleaseOps.Plans;

namespace ReleaseOps.Health;

/// <summary>What a host (cmdlet, CLI) asks of a watch: a plan and/or inline probes and criteria, and overrides.</summary>
public sealed record WatchOptions
{
    public ReleasePlan? Plan { get; init; }
    /// <summary>Probes added to (or, without a plan, making up) the watch.</summary>
    public IReadOnlyList<ProbeDefinition> Probes { get; init; } = Array.Empty<ProbeDefinition>();
    public IReadOnlyList<CriterionDefinition> Criteria { get; init; } = Array.Empty<CriterionDefinition>();
    public TimeSpan? Duration { get; init; }
    /// <summary>Sampling interval for every probe, overriding their own.</summary>
    public TimeSpan? Interval { get; init; }
    public bool StopOnBreach { get; init; }
    /// <summary>Null: as the plan says.</summary>
    public bool? RollbackOnBreach { get; init; }
    public IRollbackTrigger? Rollback { get; init; }
    /// <summary>Told at the first breach (the standard wiring sends the plan's watch-breached notifications).</summary>
    public IBreachObserver? OnBreach { get; init; }
    public TimeSpan? BaselineWindow { get; init; }
    /// <summary>Journal directory the previous watch is read from and this one saved to; default the plan's file journal.</summary>
    public string? JournalPath { get; init; }
    /// <summary>False: read the previous watch for a baseline, but save nothing.</summary>
    public bool SaveSummary { get; init; } = true;
    public string? Application { get; init; }
    public string? Environment { get; init; }
    public string? Version { get; init; }
    /// <summary>Reports of the verdict to write when the watch ends.</summary>
    public HealthReportPaths Reports { get; init; } = new();
    /// <summary>Secrets for the <c>${secret:NAME}</c> references of inline probes, beside the plan's (a name given here wins).</summary>
    public SecretCatalog? Secrets { get; init; }
}

/// <summary>Files a watch's verdict is written to (null: not written).</summary>
public sealed record HealthReportPaths(string? Json = null, string? JUnit = null, string? Markdown = null);

/// <summary>
/// One watch as a host runs it: merges the plan's watch section with inline probes, criteria and
/// overrides, connects to the Docker engine when a container probe needs it, runs the
/// <see cref="HealthWatch"/>, and writes JSON and JUnit reports of the verdict.
/// </summary>
public sealed class WatchSession : IDisposable
{
    private readonly DockerEngine? _docker;
    private readonly HealthReportPaths _reports;

    private WatchSession(HealthWatch watch, WatchRequest request, DockerEngine? docker, HealthReportPaths reports)
    {
        Watch = watch;
        Request = request;
        _docker = docker;
        _reports = reports;
    }

    public HealthWatch Watch { get; }

    public WatchRequest Request { get; }

    public HealthVerdict? Verdict => Watch.Verdict;

    /// <summary>Where the watch's summary is saved (and the previous one read): the given journal, else the plan's file journal.</summary>
    public static string? JournalPathFor(WatchOptions options) =>
        options.JournalPath ?? (options.Plan is { Journal.Store: JournalStore.File } plan ? Path.GetFullPath(plan.Journal.Path) : null);

    /// <summary>Builds and checks the watch (no sampling yet). Bad input throws an InvalidArgument/InvalidConfiguration ReleaseOpsException.</summary>
    public static WatchSession Create(WatchOptions options)
    {
        var planned = options.Plan?.Watch;
        if (options.Plan is not null && planned is null && options.Probes.Count == 0)
        {
            throw new ReleaseOpsException("PlanHasNoWatch", FailureKind.InvalidConfiguration,
                $"Release plan {options.Plan} has no watch section, and no probes were given.", options.Plan.SourcePath ?? options.Plan.ToString(),
                "Add a watch: section with probes and criteria to the plan, or pass -Probe.");
        }
        var definition = (planned ?? new WatchDefinition()) with
        {
            Probes = (planned?.Probes ?? Array.Empty<ProbeDefinition>()).Concat(options.Probes).ToList(),
            Criteria = (planned?.Criteria ?? Array.Empty<CriterionDefinition>()).Concat(options.Criteria).ToList(),
        };
        if (options.Duration is { } duration) definition = definition with { Duration = duration };
        var rollbackOnBreach = options.RollbackOnBreach ?? definition.RollbackOnBreach;
        var journal = JournalPathFor(options);
        var request = new WatchRequest
        {
            Definition = definition with { RollbackOnBreach = rollbackOnBreach },
            Application = options.Application ?? options.Plan?.Application ?? "adhoc",
            Environment = options.Environment ?? options.Plan?.Environment ?? "adhoc",
            Version = options.Version ?? options.Plan?.Version,
            IntervalOverride = options.Interval,
            JournalPath = journal,
            SaveSummary = options.SaveSummary,
            StopOnBreach = options.StopOnBreach,
            RollbackOnBreach = rollbackOnBreach,
            Rollback = rollbackOnBreach ? options.Rollback : null,
            OnBreach = options.OnBreach,
            BaselineWindow = options.BaselineWindow,
            SecretsCatalog = (options.Secrets?.Sources ?? []).Aggregate(options.Plan?.Secrets ?? SecretCatalog.Empty, (catalog, source) => catalog.With(source)),
            BaseDirectory = options.Plan?.Directory,
        };
        DockerEngine? docker = null;
        if (definition.Probes.Any(p => p.Type is ProbeType.Container or ProbeType.ContainerLogs))
        {
            docker = new DockerEngine((options.Plan?.Docker ?? new DockerEndpointDefinition()).Resolve());
        }
        try
        {
            var watch = new HealthWatch(request, new HealthWatchServices
            {
                Containers = docker is null ? null : new DockerContainerObserver(docker),
                Docker = docker,
            });
            watch.Prepare();
            return new WatchSession(watch, request, docker, options.Reports);
        }
        catch
        {
            docker?.Dispose();
            throw;
        }
    }

    /// <summary>Runs the watch, yielding each sample, then writes the verdict's reports.</summary>
    public async IAsyncEnumerable<HealthSample> RunAsync(IOperationReporter reporter,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellation)
    {
        await foreach (var sample in Watch.RunAsync(reporter, cancellation).ConfigureAwait(false))
        {
            yield return sample;
        }
        await HealthReport.WriteAsync(Verdict!, _reports, cancellation).ConfigureAwait(false);
    }

    public void Dispose() => _docker?.Dispose();
}
