namespace ReleaseOps.Plans.Loading;

/// <summary>Rules that span several keys, checked after the schema walk.</summary>
internal static class PlanRules
{
    public static void Check(PlanObject root, string file, List<PlanDiagnostic> diagnostics)
    {
        void Error(SourceLocation at, string path, string code, string message) =>
            diagnostics.Add(new PlanDiagnostic(file, at.Line, at.Column, DiagnosticSeverity.Error, code, message) { Path = path });

        if (root["secrets"] is IReadOnlyDictionary<string, object?> secrets)
        {
            foreach (var (name, value) in secrets)
            {
                if (value is PlanObject source)
                {
                    var given = new[] { "env", "file", "docker" }.Count(source.ContainsKey);
                    if (given != 1)
                    {
                        Error(source.Location, $"secrets.{name}", "SecretSource",
                            $"secret '{name}' needs exactly one source: env, file or docker");
                    }
                }
            }
        }

        var services = root.Objects("services");
        for (var i = 0; i < services.Count; i++)
        {
            var service = services[i];
            var strategy = service.Object("strategy");
            var type = strategy?.String("type");
            var path = $"services[{i}].strategy";
            if (type is "blue-green" or "canary" && root.Object("proxy") is null
                && service.String("target") != "swarm")
            {
                Error(strategy!.Location, path, "ProxyRequired",
                    $"the {type} strategy switches traffic at a reverse proxy; add a 'proxy:' section (nginx upstream_file)");
            }
            if (type == "canary" && strategy!.ContainsKey("steps"))
            {
                var steps = strategy.Ints("steps");
                if (steps.Count == 0 || steps[^1] != 100 || steps.Zip(steps.Skip(1)).Any(p => p.Second <= p.First))
                {
                    Error(strategy.Location, path + ".steps", "CanarySteps",
                        "canary steps must rise and end at 100, for example [10, 50, 100]");
                }
            }
        }
    }
}
