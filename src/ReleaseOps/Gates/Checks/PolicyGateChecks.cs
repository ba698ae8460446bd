using System.Globalization;
using System.Text.RegularExpressions;
using ReleaseOps.Errors;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace ReleaseOps.Gates.Checks;

/// <summary>
/// <c>env-policy</c>: required variables present, forbidden values absent (DEBUG=true,
/// LOG_LEVEL=debug, CORS_ORIGINS=*), and values that look like secrets in a plain env file flagged.
/// Evidence names variables, never the values of secret-looking ones.
/// </summary>
internal sealed partial class EnvPolicyGateCheck : IGateCheck
{
    [GeneratedRegex(@"(PASSWORD|PASSWD|SECRET|TOKEN|API_?KEY|PRIVATE_?KEY|CREDENTIAL|ACCESS_?KEY)", RegexOptions.IgnoreCase)]
    private static partial Regex SecretName();

    [GeneratedRegex(@"^(AKIA[0-9A-Z]{16}|gh[pousr]_[A-Za-z0-9]{30,}|sk_live_[A-Za-z0-9]{16,}|xox[abp]-[A-Za-z0-9-]{10,}|-----BEGIN [A-Z ]*PRIVATE KEY-----)")]
    private static partial Regex SecretShape();

    public IReadOnlyList<string> Types { get; } = new[] { "env-policy" };

    public async Task RunAsync(GateCheckContext context, GateObservation observation, CancellationToken cancellation)
    {
        var file = context.Settings.GetString("file") is { } f ? context.ResolvePath(f) : null;
        IReadOnlyDictionary<string, string> variables;
        if (file is null)
        {
            observation.Target = "process environment";
            variables = System.Environment.GetEnvironmentVariables().Cast<System.Collections.DictionaryEntry>()
                .ToDictionary(e => (string)e.Key, e => (string?)e.Value ?? "", StringComparer.Ordinal);
        }
        else
        {
            observation.Target = file;
            if (!File.Exists(file))
            {
                throw new ReleaseOpsException("GatePathNotFound", FailureKind.NotFound, $"The env file {file} does not exist.", target: file,
                    fix: "Point 'file' at the .env file the release uses.");
            }
            variables = ParseEnvFile(await File.ReadAllLinesAsync(file, cancellation).ConfigureAwait(false));
        }
        observation.Measure("variables", variables.Count);
        foreach (var name in context.Settings.GetStrings("required"))
        {
            var present = variables.TryGetValue(name, out var value) && value.Length > 0;
            observation.Rule("required:" + name, present, present ? $"{name} is set" : $"required variable {name} is missing or empty");
        }
        var forbidden = context.Settings["forbidden"] as IReadOnlyDictionary<string, object?> ?? new Dictionary<string, object?>();
        foreach (var (name, values) in forbidden)
        {
            var bad = values switch
            {
                IReadOnlyList<object?> list => list.Select(v => Convert.ToString(v, CultureInfo.InvariantCulture) ?? "").ToArray(),
                var v => new[] { Convert.ToString(v, CultureInfo.InvariantCulture) ?? "" },
            };
            var hit = variables.TryGetValue(name, out var actual) && bad.Any(b => string.Equals(b, actual.Trim(), StringComparison.OrdinalIgnoreCase));
            observation.Rule("forbidden:" + name, !hit, hit ? $"{name}={actual} is forbidden" : $"{name} has no forbidden value");
        }
        if (context.Settings.GetBoolean("flag_secrets") ?? file is not null)
        {
            var flagged = variables.Where(kv => LooksLikePlainSecret(kv.Key, kv.Value)).Select(kv => kv.Key).OrderBy(k => k, StringComparer.Ordinal).ToArray();
            observation.Evidence["plain_secrets"] = flagged;
            observation.Rule("plain-secrets", flagged.Length == 0, flagged.Length == 0
                ? "no plain-text secrets"
                : $"{flagged.Length} value(s) look like plain-text secrets: {string.Join(", ", flagged)}");
        }
        observation.Fix = "Set required variables, remove forbidden values, and move secrets to Docker secrets or *_FILE references.";
        observation.Summary = $"{variables.Count} variables checked";
    }

    private static bool LooksLikePlainSecret(string name, string value)
    {
        if (value.Length == 0 || value.StartsWith("${", StringComparison.Ordinal) || name.EndsWith("_FILE", StringComparison.OrdinalIgnoreCase) ||
            value.StartsWith("/run/secrets/", StringComparison.Ordinal))
        {
            return SecretShape().IsMatch(value);
        }
        return SecretShape().IsMatch(value) || (SecretName().IsMatch(name) && value.Length >= 6);
    }

    internal static IReadOnlyDictionary<string, string> ParseEnvFile(IEnumerable<string> lines)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var raw in lines)
        {
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }
            if (line.StartsWith("export ", StringComparison.Ordinal))
            {
                line = line[7..].TrimStart();
            }
            var eq = line.IndexOf('=');
            if (eq <= 0)
            {
                continue;
            }
            var name = line[..eq].Trim();
            var value = line[(eq + 1)..].Trim();
            if (value.Length >= 2 && (value[0] == '"' && value[^1] == '"' || value[0] == '\'' && value[^1] == '\''))
            {
                value = value[1..^1];
            }
            else if (value.IndexOf(" #", StringComparison.Ordinal) is var hash and > 0)
            {
                value = value[..hash].TrimEnd();
            }
            result[name] = value;
        }
        return result;
    }
}

/// <summary>
/// <c>compose</c>: a compose file parses, every secret/network/volume a service references is
/// declared at the top level, and (when asked) every service sets limits and a healthcheck.
/// </summary>
internal sealed class ComposeGateCheck : IGateCheck
{
    public IReadOnlyList<string> Types { get; } = new[] { "compose" };

    public async Task RunAsync(GateCheckContext context, GateObservation observation, CancellationToken cancellation)
    {
        var file = context.ResolvePath(context.Require("file"));
        observation.Target = file;
        if (!File.Exists(file))
        {
            throw new ReleaseOpsException("GatePathNotFound", FailureKind.NotFound, $"The compose file {file} does not exist.", target: file,
                fix: "Point 'file' at the docker-compose.yml the release uses.");
        }
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(await File.ReadAllTextAsync(file, cancellation).ConfigureAwait(false)));
        }
        catch (YamlException ex)
        {
            observation.Rule("parses", false, $"the file does not parse at line {ex.Start.Line}, column {ex.Start.Column}: {ex.Message}");
            return;
        }
        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode root ||
            Child(root, "services") is not YamlMappingNode services)
        {
            observation.Rule("parses", false, "the file has no 'services:' mapping");
            return;
        }
        observation.Rule("parses", true, "parses");
        var declared = new Dictionary<string, HashSet<string>>
        {
            ["secrets"] = Keys(Child(root, "secrets")),
            ["networks"] = Keys(Child(root, "networks")),
            ["volumes"] = Keys(Child(root, "volumes")),
            ["configs"] = Keys(Child(root, "configs")),
        };
        declared["networks"].Add("default");
        var requireLimits = context.Settings.GetBoolean("require_limits") ?? false;
        var requireHealthcheck = context.Settings.GetBoolean("require_healthcheck") ?? false;
        var undeclared = new List<string>();
        var noLimits = new List<string>();
        var noHealthcheck = new List<string>();
        foreach (var (key, node) in services.Children)
        {
            var name = ((YamlScalarNode)key).Value ?? "";
            if (node is not YamlMappingNode service)
            {
                continue;
            }
            foreach (var kind in new[] { "secrets", "networks", "configs" })
            {
                foreach (var reference in References(Child(service, kind)))
                {
                    if (!declared[kind].Contains(reference))
                    {
                        undeclared.Add($"{name} uses {kind[..^1]} '{reference}'");
                    }
                }
            }
            foreach (var volume in References(Child(service, "volumes")))
            {
                var source = volume.Split(':')[0];
                if (volume.Contains(':') && source.Length > 0 && !source.StartsWith('.') && !source.StartsWith('/') && !source.StartsWith('~') && !source.StartsWith('$')
                    && !declared["volumes"].Contains(source))
                {
                    undeclared.Add($"{name} uses volume '{source}'");
                }
            }
            var limits = Child(Child(Child(service, "deploy"), "resources"), "limits") as YamlMappingNode;
            var hasLimits = (limits is not null && Child(limits, "memory") is not null) || Child(service, "mem_limit") is not null;
            if (!hasLimits)
            {
                noLimits.Add(name);
            }
            var healthcheck = Child(service, "healthcheck") as YamlMappingNode;
            var disabled = healthcheck is not null && (Child(healthcheck, "disable") as YamlScalarNode)?.Value == "true";
            if (healthcheck is null || disabled)
            {
                noHealthcheck.Add(name);
            }
        }
        observation.Measure("services", services.Children.Count);
        observation.Rule("references", undeclared.Count == 0, undeclared.Count == 0
            ? "every referenced secret, network and volume is declared"
            : "not declared: " + string.Join("; ", undeclared));
        if (requireLimits)
        {
            observation.Rule("limits", noLimits.Count == 0, noLimits.Count == 0 ? "every service sets a memory limit" : "no memory limit: " + string.Join(", ", noLimits));
        }
        if (requireHealthcheck)
        {
            observation.Rule("healthcheck", noHealthcheck.Count == 0, noHealthcheck.Count == 0 ? "every service has a healthcheck" : "no healthcheck: " + string.Join(", ", noHealthcheck));
        }
        observation.Summary = $"{services.Children.Count} service(s); " + string.Join("; ", observation.Findings.Select(f => f.Message));
        observation.Fix = "Declare what services reference at the top level, and give each service deploy.resources.limits and a healthcheck.";
    }

    private static YamlNode? Child(YamlNode? node, string key) =>
        node is YamlMappingNode map && map.Children.TryGetValue(new YamlScalarNode(key), out var child) ? child : null;

    private static HashSet<string> Keys(YamlNode? node) =>
        node is YamlMappingNode map ? map.Children.Keys.OfType<YamlScalarNode>().Select(k => k.Value ?? "").ToHashSet(StringComparer.Ordinal) : new HashSet<string>(StringComparer.Ordinal);

    private static IEnumerable<string> References(YamlNode? node) => node switch
    {
        YamlSequenceNode list => list.Children.Select(item => item switch
        {
            YamlScalarNode s => s.Value ?? "",
            YamlMappingNode m => (Child(m, "source") as YamlScalarNode)?.Value is { } source
                ? (Child(m, "type") as YamlScalarNode)?.Value is "bind" ? "./" + source : source + ":"
                : "",
            _ => "",
        }).Where(s => s.Length > 0),
        YamlMappingNode map => map.Children.Keys.OfType<YamlScalarNode>().Select(k => k.Value ?? ""),
        _ => Array.Empty<string>(),
    };
}
