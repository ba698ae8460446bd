using System.Globalization;
using System.Text.Json;

namespace ReleaseOps.Gates.Checks;

/// <summary>A finding's severity, normalised across scanners (Grype's Negligible and unrated findings are Unknown).</summary>
internal enum ScanSeverity
{
    Unknown,
    Low,
    Medium,
    High,
    Critical,
}

/// <summary>One finding: its id (CVE, GHSA, rule), severity, and what it is in (package and version, or file).</summary>
internal sealed record ScanFinding(string Id, ScanSeverity Severity, string Where)
{
    public override string ToString() => $"{Id} ({Severity.ToString().ToLowerInvariant()}{(Where.Length == 0 ? "" : ", " + Where)})";
}

/// <summary>
/// What a scan report says: the scanner's format, which image it scanned (its id, the config digest,
/// and its manifest digests, <c>sha256:...</c>), its names, when it was made, and its findings.
/// </summary>
internal sealed record ScanReport(string Format, string? ImageId, IReadOnlyList<string> ManifestDigests, IReadOnlyList<string> Names,
    DateTimeOffset? CreatedAt, IReadOnlyList<ScanFinding> Findings)
{
    /// <summary>Every digest the report identifies its image by.</summary>
    public IEnumerable<string> Digests => ManifestDigests.Prepend(ImageId).OfType<string>();
}

/// <summary>
/// Reads the scan reports teams' CI jobs keep: Trivy's JSON (schema 2: <c>ArtifactName</c>,
/// <c>Metadata.ImageID</c>/<c>RepoDigests</c>, <c>Results[].Vulnerabilities/Misconfigurations/Secrets</c>),
/// Grype's JSON (<c>source.target.imageID</c>/<c>manifestDigest</c>/<c>repoDigests</c>, <c>matches[]</c>)
/// and SARIF 2.1 (the image in <c>runs[].properties</c> as Trivy writes it; severity from a rule's
/// <c>security-severity</c> score, its tags, or the result's level). A secret finding's matched text
/// is never read.
/// </summary>
internal static class ScanReports
{
    public static readonly string[] Formats = { "trivy", "grype", "sarif" };

    /// <summary>The format of a parsed report: trivy, grype, sarif, or null when it is none of them.</summary>
    public static string? Detect(JsonElement root) =>
        root.ValueKind != JsonValueKind.Object ? null
        : root.TryGetProperty("runs", out _) && root.TryGetProperty("version", out _) ? "sarif"
        : root.TryGetProperty("matches", out _) && root.TryGetProperty("source", out _) ? "grype"
        : root.TryGetProperty("SchemaVersion", out _) || root.TryGetProperty("ArtifactName", out _) ? "trivy"
        : null;

    /// <exception cref="FormatException">The document is not a report of <paramref name="format"/>.</exception>
    public static ScanReport Read(JsonElement root, string format) => format switch
    {
        "trivy" => Trivy(root),
        "grype" => Grype(root),
        "sarif" => Sarif(root),
        _ => throw new FormatException($"unknown format {format}"),
    };

    private static ScanReport Trivy(JsonElement root)
    {
        var metadata = Child(root, "Metadata");
        var findings = new List<ScanFinding>();
        foreach (var result in Items(root, "Results"))
        {
            var target = Text(result, "Target") ?? "";
            findings.AddRange(Items(result, "Vulnerabilities").Select(v => new ScanFinding(
                Text(v, "VulnerabilityID") ?? "?", Severity(Text(v, "Severity")), $"{Text(v, "PkgName")} {Text(v, "InstalledVersion")}".Trim())));
            findings.AddRange(Items(result, "Misconfigurations").Where(m => Text(m, "Status") is null or "FAIL").Select(m => new ScanFinding(
                Text(m, "AVDID") ?? Text(m, "ID") ?? "?", Severity(Text(m, "Severity")), target)));
            findings.AddRange(Items(result, "Secrets").Select(s => new ScanFinding(
                Text(s, "RuleID") ?? "secret", Severity(Text(s, "Severity")), target)));
        }
        return new ScanReport("trivy", Text(metadata, "ImageID"), ManifestDigests(Strings(metadata, "RepoDigests")),
            Strings(metadata, "RepoTags").Prepend(Text(root, "ArtifactName")).OfType<string>().Distinct().ToArray(),
            Time(Text(root, "CreatedAt")), findings);
    }

    private static ScanReport Grype(JsonElement root)
    {
        var target = Child(Child(root, "source"), "target");
        var digests = ManifestDigests(Strings(target, "repoDigests")).ToList();
        if (Text(target, "manifestDigest") is { } manifest && !digests.Contains(manifest))
        {
            digests.Insert(0, manifest);
        }
        var findings = Items(root, "matches").Select(m =>
        {
            var vulnerability = Child(m, "vulnerability");
            var artifact = Child(m, "artifact");
            return new ScanFinding(Text(vulnerability, "id") ?? "?", Severity(Text(vulnerability, "severity")),
                $"{Text(artifact, "name")} {Text(artifact, "version")}".Trim());
        }).ToArray();
        return new ScanReport("grype", Text(target, "imageID"), digests,
            Strings(target, "tags").Prepend(Text(target, "userInput")).OfType<string>().Distinct().ToArray(),
            Time(Text(Child(root, "descriptor"), "timestamp")), findings);
    }

    private static ScanReport Sarif(JsonElement root)
    {
        string? imageId = null;
        var digests = new List<string>();
        var names = new List<string>();
        DateTimeOffset? created = null;
        var findings = new List<ScanFinding>();
        foreach (var run in Items(root, "runs"))
        {
            var properties = Child(run, "properties");
            imageId ??= Text(properties, "imageID");
            digests.AddRange(ManifestDigests(Strings(properties, "repoDigests")));
            names.AddRange(Strings(properties, "repoTags").Prepend(Text(properties, "imageName")).OfType<string>());
            created ??= Items(run, "invocations").Select(i => Time(Text(i, "endTimeUtc"))).FirstOrDefault(t => t is not null);
            var rules = Items(Child(Child(run, "tool"), "driver"), "rules").ToArray();
            foreach (var result in Items(run, "results"))
            {
                var id = Text(result, "ruleId") ?? "?";
                var rule = result.TryGetProperty("ruleIndex", out var index) && index.TryGetInt32(out var i) && i >= 0 && i < rules.Length
                    ? rules[i]
                    : rules.FirstOrDefault(r => Text(r, "id") == id);
                var where = Items(result, "locations").Select(l => Text(Child(Child(l, "physicalLocation"), "artifactLocation"), "uri"))
                    .FirstOrDefault(u => u is not null) ?? "";
                findings.Add(new ScanFinding(id, SarifSeverity(rule, Text(result, "level")), where));
            }
        }
        return new ScanReport("sarif", imageId, digests.Distinct().ToArray(), names.Distinct().ToArray(), created, findings);
    }

    /// <summary>GitHub's reading of a rule's <c>security-severity</c> (CVSS), else the severity among its tags, else the result's level.</summary>
    private static ScanSeverity SarifSeverity(JsonElement rule, string? level)
    {
        var properties = Child(rule, "properties");
        if (Text(properties, "security-severity") is { } text
            && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var score))
        {
            return score >= 9 ? ScanSeverity.Critical : score >= 7 ? ScanSeverity.High : score >= 4 ? ScanSeverity.Medium
                : score > 0 ? ScanSeverity.Low : ScanSeverity.Unknown;
        }
        var tagged = Strings(properties, "tags").Select(Severity).Where(s => s != ScanSeverity.Unknown).DefaultIfEmpty().Max();
        if (tagged != ScanSeverity.Unknown)
        {
            return tagged;
        }
        return (level ?? Text(Child(rule, "defaultConfiguration"), "level")) switch
        {
            "error" => ScanSeverity.High,
            "warning" => ScanSeverity.Medium,
            "note" => ScanSeverity.Low,
            _ => ScanSeverity.Unknown,
        };
    }

    public static ScanSeverity Severity(string? text) => text?.Trim().ToLowerInvariant() switch
    {
        "critical" => ScanSeverity.Critical,
        "high" => ScanSeverity.High,
        "medium" or "moderate" => ScanSeverity.Medium,
        "low" => ScanSeverity.Low,
        _ => ScanSeverity.Unknown,
    };

    /// <summary>The digests of <c>repository@sha256:...</c> references.</summary>
    public static IReadOnlyList<string> ManifestDigests(IEnumerable<string> references) =>
        references.Select(r => r.Contains('@') ? r[(r.IndexOf('@') + 1)..] : r).Where(d => d.StartsWith("sha256:", StringComparison.Ordinal))
            .Distinct().ToArray();

    private static JsonElement Child(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var child) ? child : default;

    private static IEnumerable<JsonElement> Items(JsonElement element, string name) =>
        Child(element, name) is { ValueKind: JsonValueKind.Array } list ? list.EnumerateArray() : Enumerable.Empty<JsonElement>();

    private static string? Text(JsonElement element, string name) =>
        Child(element, name) is { ValueKind: JsonValueKind.String } value ? value.GetString() : null;

    private static IEnumerable<string> Strings(JsonElement element, string name) =>
        Items(element, name).Where(i => i.ValueKind == JsonValueKind.String).Select(i => i.GetString()!);

    private static DateTimeOffset? Time(string? text) =>
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time) ? time : null;
}
