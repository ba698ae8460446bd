using System.Globalization;
using System.Text.Json;
using ReleaseOps.Text;

namespace ReleaseOps.Gates.Checks;

/// <summary>
/// <c>scan-report</c>: the CI job's scan report (Trivy JSON, Grype JSON or SARIF) must exist, be of
/// exactly the image being deployed (its id or a manifest digest, as the Docker engine reports them for
/// <c>image</c>, or the <c>digest</c> given), be young enough (<c>max_age</c>), and hold no finding at or
/// above <c>fail_on</c> (default high) unless an <c>allow</c> entry names it and has not expired (its
/// <c>expires</c> date is the last day it holds). A missing, unreadable or foreign report fails the gate.
/// Values for expect: <c>critical</c>, <c>high</c>, <c>medium</c>, <c>low</c>, <c>unknown</c>, <c>findings</c>, <c>blocking</c>, <c>age</c>.
/// </summary>
internal sealed class ScanReportGateCheck : IGateCheck
{
    private const int Shown = 5;

    public IReadOnlyList<string> Types { get; } = new[] { "scan-report" };

    public async Task RunAsync(GateCheckContext context, GateObservation observation, CancellationToken cancellation)
    {
        var settings = context.Settings;
        var path = context.ResolvePath(context.Require("file"));
        var failOn = ScanReports.Severity(settings.GetString("fail_on") ?? "high");
        var allow = Allowances(context);
        observation.Target = path;
        observation.Fix = "Rebuild on a patched base image or upgrade the packages named, scan again, and keep the new report; " +
                          "accept a finding only with an allow entry that expires.";

        var deployed = await DeployedDigestsAsync(context, observation, cancellation).ConfigureAwait(false);
        if (deployed is null)
        {
            return;
        }
        if (!File.Exists(path))
        {
            observation.Rule("report", false, $"there is no scan report at {path}");
            observation.Fix = "Keep the scanner's report of this image (trivy image -f json -o FILE, grype -o json --file FILE) where the gate reads it.";
            return;
        }
        ScanReport report;
        try
        {
            report = Read(context, path);
        }
        catch (Exception ex) when (ex is JsonException or FormatException or InvalidOperationException or KeyNotFoundException)
        {
            observation.Rule("report", false, $"{Path.GetFileName(path)} is not a readable scan report ({ex.Message})");
            return;
        }
        observation.Evidence["format"] = report.Format;
        observation.Evidence["report_image"] = report.Names.FirstOrDefault();
        observation.Evidence["report_digests"] = report.Digests.ToArray();

        var matching = report.Digests.Intersect(deployed, StringComparer.OrdinalIgnoreCase).FirstOrDefault();
        observation.Rule("image", matching is not null, matching is not null
            ? $"the {report.Format} report is of {matching}"
            : !report.Digests.Any() ? $"the {report.Format} report names no image digest, so it cannot be told to be of the image deployed"
            : $"the {report.Format} report is of {string.Join(", ", report.Digests)}, not of the image deployed ({string.Join(", ", deployed)})");
        if (matching is null)
        {
            observation.Fix = "Scan the very image being deployed (by digest) and keep that report.";
            return;
        }

        var created = report.CreatedAt ?? File.GetLastWriteTimeUtc(path);
        var age = context.Clock.GetUtcNow() - created;
        observation.Measure("age", age < TimeSpan.Zero ? TimeSpan.Zero : age);
        if (settings.GetDuration("max_age") is { } maxAge)
        {
            observation.Rule("age", age <= maxAge, age <= maxAge
                ? $"the report is {DurationText.Format(Round(age))} old"
                : $"the report is {DurationText.Format(Round(age))} old, older than {DurationText.Format(maxAge)}");
        }

        foreach (var severity in Enum.GetValues<ScanSeverity>())
        {
            observation.Measure(severity.ToString().ToLowerInvariant(), report.Findings.Count(f => f.Severity == severity));
        }
        observation.Measure("findings", report.Findings.Count);
        var today = DateOnly.FromDateTime(context.Clock.GetUtcNow().UtcDateTime);
        var atOrAbove = report.Findings.Where(f => f.Severity >= failOn && failOn != ScanSeverity.Unknown).ToArray();
        var allowed = atOrAbove.Where(f => allow.TryGetValue(f.Id, out var entry) && today <= entry.Until).ToArray();
        var blocking = atOrAbove.Except(allowed).ToArray();
        observation.Measure("blocking", blocking.Length);
        observation.Evidence["allowed"] = allowed.Select(f => $"{f.Id} until {allow[f.Id].Until:yyyy-MM-dd}" + (allow[f.Id].Reason is { } why ? $": {why}" : ""))
            .Distinct().ToArray();
        foreach (var expired in atOrAbove.Where(f => allow.TryGetValue(f.Id, out var entry) && today > entry.Until).Select(f => f.Id).Distinct())
        {
            observation.Rule("allow:" + expired, false, $"the exception for {expired} expired on {allow[expired].Until:yyyy-MM-dd}");
        }
        var limit = failOn.ToString().ToLowerInvariant();
        observation.Rule("findings", blocking.Length == 0, blocking.Length == 0
            ? $"no finding at or above {limit} in {report.Findings.Count} finding(s)" + (allowed.Length > 0 ? $" ({allowed.Length} allowed)" : "")
            : $"{blocking.Length} finding(s) at or above {limit}: " + string.Join("; ", blocking.Take(Shown)) + (blocking.Length > Shown ? "; ..." : ""));
    }

    /// <summary>The digests the deployed image is known by: the <c>digest</c> given, or the engine's id and manifest digests of <c>image</c>.</summary>
    private static async Task<IReadOnlyList<string>?> DeployedDigestsAsync(GateCheckContext context, GateObservation observation, CancellationToken cancellation)
    {
        if (context.Settings.GetString("digest") is { } digest)
        {
            var normalised = digest.Contains('@') ? digest[(digest.IndexOf('@') + 1)..] : digest;
            if (!normalised.StartsWith("sha256:", StringComparison.Ordinal) || normalised.Length != 71)
            {
                throw context.Invalid("digest", $"'{digest}' is not a sha256 digest.", "Write sha256: and 64 hex digits (the image id or a manifest digest).");
            }
            observation.Evidence["image_digests"] = new[] { normalised };
            return new[] { normalised };
        }
        var image = context.Settings.GetString("image") ?? throw context.Missing("image",
            "Add image: the image being deployed (its digest is read from the Docker engine), or digest: sha256:....");
        using var docker = DockerGateAccess.Client(context);
        var details = await docker.TryInspectImageAsync(image, cancellation).ConfigureAwait(false);
        if (details is null)
        {
            observation.Rule("image", false, $"image {image} is not on the Docker engine, so its digest is unknown");
            observation.Fix = "Pull or build the image on this engine first, or give its digest: sha256:....";
            return null;
        }
        var digests = ScanReports.ManifestDigests(details.RepoDigests ?? []).Prepend(details.ID).ToArray();
        observation.Evidence["image"] = image;
        observation.Evidence["image_digests"] = digests;
        return digests;
    }

    private static ScanReport Read(GateCheckContext context, string path)
    {
        using var stream = File.OpenRead(path);
        using var document = JsonDocument.Parse(stream);
        var format = context.Settings.GetString("format") is { } given and not "auto"
            ? given
            : ScanReports.Detect(document.RootElement) ?? throw new FormatException("it is neither Trivy JSON, Grype JSON nor SARIF");
        return ScanReports.Read(document.RootElement, format);
    }

    /// <summary>The allow-list: finding id -> the last day its exception holds, and why it was accepted.</summary>
    private static Dictionary<string, (DateOnly Until, string? Reason)> Allowances(GateCheckContext context)
    {
        var allow = new Dictionary<string, (DateOnly, string?)>(StringComparer.OrdinalIgnoreCase);
        if (context.Settings["allow"] is not IReadOnlyList<object?> entries)
        {
            return allow;
        }
        foreach (var entry in entries.OfType<IReadOnlyDictionary<string, object?>>())
        {
            var id = Convert.ToString(entry.GetValueOrDefault("id"), CultureInfo.InvariantCulture);
            var expires = Convert.ToString(entry.GetValueOrDefault("expires"), CultureInfo.InvariantCulture);
            if (string.IsNullOrWhiteSpace(id))
            {
                throw context.Invalid("allow", "an entry has no id.", "Give each entry id: (CVE-..., GHSA-...) and expires: yyyy-MM-dd.");
            }
            allow[id] = DateOnly.TryParseExact(expires, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var until)
                ? (until, Convert.ToString(entry.GetValueOrDefault("reason"), CultureInfo.InvariantCulture))
                : throw context.Invalid("allow", $"the entry for {id} has no valid expires date ('{expires}').",
                    "Give expires: yyyy-MM-dd, the last day the exception holds: every accepted finding is looked at again.");
        }
        return allow;
    }

    private static TimeSpan Round(TimeSpan t) => TimeSpan.FromMinutes(Math.Round(t.TotalMinutes));
}
