namespace ReleaseOps.Gates.Checks;

/// <summary>
/// <c>secret-strength</c>: each named secret the plan supplies (<c>*</c>: all of them) is at least
/// <c>min_length</c> characters long (default 16) and uses at least <c>min_classes</c> of lower case, upper
/// case, digits and symbols (default 3), and every class in <c>require</c>. Only each secret's length and the
/// classes it uses are reported; the value is read here and nowhere else.
/// </summary>
internal sealed class SecretStrengthGateCheck : IGateCheck
{
    private static readonly (string Name, Func<char, bool> Test)[] Classes =
    {
        ("lower", char.IsLower), ("upper", char.IsUpper), ("digit", char.IsDigit), ("symbol", c => !char.IsLetterOrDigit(c) && !char.IsWhiteSpace(c)),
    };

    public IReadOnlyList<string> Types { get; } = new[] { "secret-strength" };

    public Task RunAsync(GateCheckContext context, GateObservation observation, CancellationToken cancellation)
    {
        var settings = context.Settings;
        var minLength = settings.GetInteger("min_length") ?? 16;
        var minClasses = settings.GetInteger("min_classes") ?? 3;
        var required = settings.GetStrings("require");
        var catalog = context.Environment.Secrets;
        var names = settings.GetStrings("secrets") is [var only] && only == "*"
            ? catalog.Sources.Select(s => s.Name).OrderBy(n => n, StringComparer.Ordinal).ToArray()
            : settings.GetStrings("secrets").ToArray();
        if (names.Length == 0)
        {
            throw context.Missing("secrets", "Add secrets: [db_password, jwt_secret], names declared under the plan's secrets: (or * for all).");
        }
        observation.Target = string.Join(", ", names);
        var report = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var name in names)
        {
            // The value is measured and dropped at once; it is never copied into anything this gate keeps.
            var value = catalog.Resolve(name);
            context.Redactor.Add(value);
            var text = value.Reveal();
            var length = text.Length;
            var used = Classes.Where(c => text.Any(c.Test)).Select(c => c.Name).ToArray();
            var problems = new List<string>();
            if (length < minLength) problems.Add($"{length} characters, fewer than {minLength}");
            if (used.Length < minClasses) problems.Add($"{used.Length} character class(es) ({string.Join(", ", used)}), fewer than {minClasses}");
            var absent = required.Where(r => !used.Contains(r, StringComparer.OrdinalIgnoreCase)).ToArray();
            if (absent.Length > 0) problems.Add("no " + string.Join(", no ", absent));
            report[name] = $"{length} characters; {string.Join(", ", used)}";
            observation.Rule("secret:" + name, problems.Count == 0, problems.Count == 0
                ? $"{name}: {length} characters, {used.Length} classes" : $"{name} is weak: {string.Join("; ", problems)}");
        }
        observation.Evidence["secrets"] = report;
        observation.Summary = $"{names.Length} secret(s) at least {minLength} characters with {minClasses}+ character classes";
        observation.Fix = "Generate the secret anew from a random source (openssl rand -base64 32) and store it where the plan reads it.";
        return Task.CompletedTask;
    }
}
