using System.Globalization;
using System.Text.RegularExpressions;
using ReleaseOps.Docker;
using ReleaseOps.Errors;
using ReleaseOps.Secrets;
using ReleaseOps.Text;

namespace ReleaseOps.Gates.Checks;

/// <summary>
/// <c>container-logs</c>: counts the lines of a container's (or a Swarm service's) logs written over the
/// last <c>window</c> (default 1h) or since a time that match <c>pattern</c>, against <c>max_matches</c>
/// (default 0). The first matching lines are evidence, with every secret of the plan and anything that
/// looks like a credential masked: logs are text we do not control.
/// </summary>
internal sealed class ContainerLogsGateCheck : IGateCheck
{
    /// <summary>How much log a gate reads at most; beyond it the counts are lower bounds.</summary>
    private const long MaxBytes = 256L << 20;
    private const int Kept = 5;
    private const int ShownLength = 300;

    public IReadOnlyList<string> Types { get; } = new[] { "container-logs" };

    public async Task RunAsync(GateCheckContext context, GateObservation observation, CancellationToken cancellation)
    {
        var (kind, name) = Source(context);
        var pattern = Pattern(context);
        var now = context.Clock.GetUtcNow();
        var since = Since(context, now);
        var max = context.Settings.GetInteger("max_matches") ?? 0;
        observation.Target = $"{(kind == LogSourceKind.Container ? "container" : "service")} {name}";
        observation.Evidence["pattern"] = pattern.ToString();
        observation.Evidence["since"] = since.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        using var docker = DockerGateAccess.Client(context);
        var scan = await docker.ScanLogsAsync(kind, name, pattern, since, now, Kept, MaxBytes, cancellation).ConfigureAwait(false);
        observation.Measure("count", scan.Matches);
        observation.Measure("lines", scan.Lines);
        MaskPlanSecrets(context);
        observation.Evidence["first_matches"] = scan.FirstMatches.Select(line => Redacted(context, line)).ToArray();
        if (scan.Truncated)
        {
            observation.Advise("complete", false, $"only the first {MaxBytes >> 20} MiB of the logs were read; the counts are lower bounds");
        }
        var span = $"since {since.UtcDateTime:yyyy-MM-dd HH:mm}Z";
        observation.Rule("matches", scan.Matches <= max, scan.Matches == 0
            ? $"no line of {scan.Lines} matches {pattern} {span}"
            : $"{scan.Matches} of {scan.Lines} lines match {pattern} {span}" + (scan.Matches <= max ? $" (at most {max} allowed)" : $", more than {max}"));
        observation.Fix = $"Read the lines: docker {(kind == LogSourceKind.Container ? "logs" : "service logs")} --since {DurationText.Format(now - since)} {name}";
    }

    private static (LogSourceKind, string) Source(GateCheckContext context)
    {
        var container = context.Settings.GetString("container");
        var service = context.Settings.GetString("service");
        return (container, service) switch
        {
            ({ } c, null) => (LogSourceKind.Container, c),
            (null, { } s) => (LogSourceKind.Service, s),
            (null, null) => throw context.Missing("container", "Add container: NAME, or service: NAME for a Swarm service."),
            _ => throw context.Invalid("service", "both container and service are given.", "Give one of them."),
        };
    }

    private static Regex Pattern(GateCheckContext context)
    {
        var text = context.Require("pattern");
        try
        {
            return DockerEngine.LogPattern(text, context.Settings.GetBoolean("ignore_case") == true);
        }
        catch (ArgumentException ex)
        {
            throw context.Invalid("pattern", $"'{text}' is not a regular expression ({ex.Message}).", "Write a .NET regular expression, for example (?i)authentication failed.");
        }
    }

    private static DateTimeOffset Since(GateCheckContext context, DateTimeOffset now)
    {
        if (context.Settings.GetString("since") is { } text)
        {
            if (context.Settings.Has("window"))
            {
                throw context.Invalid("since", "both since and window are given.", "Give one of them.");
            }
            return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var since)
                ? since
                : throw context.Invalid("since", $"'{text}' is not a time.", "Write an ISO 8601 time, for example 2026-11-30T08:00:00Z.");
        }
        return now - (context.Settings.GetDuration("window") ?? TimeSpan.FromHours(1));
    }

    /// <summary>Every secret of the plan is masked in what the gate reports, not only those it used: a log line may hold any of them.</summary>
    private static void MaskPlanSecrets(GateCheckContext context)
    {
        foreach (var source in context.Environment.Secrets.Sources)
        {
            try
            {
                context.Redactor.Add(source.Resolve());
            }
            catch (ReleaseOpsException)
            {
                // A secret that cannot be read here cannot be masked; it is not one this process has.
            }
        }
    }

    /// <summary>A log line as evidence: the plan's secrets and whatever looks like a credential masked, cut to a readable length.</summary>
    private static string Redacted(GateCheckContext context, string line)
    {
        string scrubbed;
        try
        {
            scrubbed = SecretRedactor.ScrubCredentials(context.Redactor.Redact(line));
        }
        catch (RegexMatchTimeoutException)
        {
            return "(line withheld: it could not be checked for credentials)";
        }
        return scrubbed.Length > ShownLength ? scrubbed[..ShownLength] + "..." : scrubbed;
    }
}
