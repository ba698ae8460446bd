using ReleaseOps.Errors;
using ReleaseOps.Plans.Loading;
using System.Text;
using ReleaseOps.Plans.Schema;
using ReleaseOps.Text;
using YamlDotNet.Core;

namespace ReleaseOps.Plans;

/// <summary>
/// Reads release plans. <see cref="Validate(string, string, IReadOnlyDictionary{string, string}?, Func{string, string?}?)"/>
/// collects every problem as <c>file:line:col: message</c>; <see cref="LoadAsync"/> returns the
/// plan or throws <see cref="PlanInvalidException"/> carrying the same diagnostics.
/// </summary>
public static class ReleasePlanLoader
{
    /// <summary>Validates the plan file at <paramref name="path"/>.</summary>
    /// <param name="variables">Values for <c>${var:NAME}</c> that override the plan's <c>variables:</c>.</param>
    public static async Task<PlanValidation> ValidateAsync(string path, IReadOnlyDictionary<string, string>? variables = null,
        CancellationToken cancellationToken = default)
    {
        // What the path names is read before anything is opened: a FIFO would block the open, a device never end.
        var kind = InputFile.KindOf(path);
        if (kind == InputFileKind.Missing)
        {
            throw new ReleaseOpsException("PlanNotFound", FailureKind.NotFound,
                string.IsNullOrEmpty(path) ? "No release plan was named (the path is empty)." : $"Release plan {path} does not exist.",
                target: path, fix: "Check the path; plans are YAML files such as examples/quickstart/releaseplan.yml.");
        }
        if (kind != InputFileKind.Regular)
        {
            throw new ReleaseOpsException("PlanNotAFile", FailureKind.InvalidArgument,
                $"Release plan {path} is {InputFile.Describe(kind)}, not a file; nothing was read.", target: path,
                fix: "Name the plan's YAML file, e.g. examples/quickstart/releaseplan.yml.");
        }
        string? text;
        try
        {
            text = await InputFile.ReadAllTextAsync(path, MaxPlanBytes, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new ReleaseOpsException("PlanNotFound", FailureKind.NotFound, $"Release plan {path} does not exist.",
                target: path, fix: "Check the path; plans are YAML files such as examples/quickstart/releaseplan.yml.", innerException: ex);
        }
        catch (UnauthorizedAccessException ex)
        {
            throw new ReleaseOpsException("PlanAccessDenied", FailureKind.PermissionDenied, $"Release plan {path} cannot be read: access denied.",
                target: path, fix: "Give the account running ReleaseOps read access to the plan.", innerException: ex);
        }
        if (text is null)
        {
            return new PlanValidation(path, new[] { TooLarge(path) }, null);
        }
        return Validate(text, path, variables, baseDirectory: Path.GetDirectoryName(Path.GetFullPath(path)));
    }

    /// <summary>The largest plan read (plans are a few kilobytes; a larger file is not a plan).</summary>
    public const int MaxPlanBytes = 1 << 20;

    /// <summary>How deep mappings and lists may nest in a plan (the deepest real plan nests about 8 levels).</summary>
    public const int MaxDepth = 64;

    /// <summary>How many nodes a plan may hold, aliases counted at every place they are used.</summary>
    public const int MaxNodes = 100_000;

    private static PlanDiagnostic TooLarge(string file) =>
        new(file, 1, 1, DiagnosticSeverity.Error, "PlanTooLarge", $"the plan is larger than {MaxPlanBytes / 1024} KiB; a release plan is a few kilobytes of YAML");

    /// <summary>Loads a plan, or throws <see cref="PlanInvalidException"/> listing every problem.</summary>
    public static async Task<ReleasePlan> LoadAsync(string path, IReadOnlyDictionary<string, string>? variables = null,
        CancellationToken cancellationToken = default)
    {
        var validation = await ValidateAsync(path, variables, cancellationToken).ConfigureAwait(false);
        return validation.IsValid ? validation.Plan! : throw new PlanInvalidException(validation);
    }

    /// <summary>Loads a plan from text (for plans that do not live in a file), or throws.</summary>
    public static ReleasePlan Parse(string text, string fileName = "plan.yml", IReadOnlyDictionary<string, string>? variables = null)
    {
        var validation = Validate(text, fileName, variables);
        return validation.IsValid ? validation.Plan! : throw new PlanInvalidException(validation);
    }

    /// <summary>Validates plan text; <paramref name="file"/> is the name used in messages.</summary>
    /// <param name="baseDirectory">
    /// Where the plan's relative paths (journal, proxy files, backup destinations, secret files) are
    /// resolved: the plan file's directory when it is read from a file; null keeps them as written.
    /// </param>
    public static PlanValidation Validate(string text, string file, IReadOnlyDictionary<string, string>? variables = null,
        Func<string, string?>? environment = null, string? baseDirectory = null)
    {
        environment ??= Environment.GetEnvironmentVariable;
        if (Encoding.UTF8.GetByteCount(text) > MaxPlanBytes)
        {
            return new PlanValidation(file, new[] { TooLarge(file) }, null);
        }
        var diagnostics = new List<PlanDiagnostic>();
        var root = ReadYaml(text, file, diagnostics);
        if (root is null)
        {
            return new PlanValidation(file, diagnostics, null);
        }
        if (root is not YamlTreeMapping mapping)
        {
            diagnostics.Add(new PlanDiagnostic(file, root.Line, root.Column, DiagnosticSeverity.Error, "WrongType",
                "a release plan is a mapping of keys (api_version, application, environment, services, gates...)"));
            return new PlanValidation(file, diagnostics, null);
        }

        // Variables and secret names come first: every other value may refer to them.
        var secretNames = mapping.Entries.FirstOrDefault(e => e.Key.Value == "secrets").Value is YamlTreeMapping secrets
            ? secrets.Entries.Select(e => e.Key.Value).ToHashSet(StringComparer.Ordinal)
            : new HashSet<string>(StringComparer.Ordinal);
        var resolvedVariables = ReadVariables(mapping, file, secretNames, environment, diagnostics);
        foreach (var (name, value) in variables ?? new Dictionary<string, string>())
        {
            resolvedVariables[name] = value;
        }

        var expander = new VariableExpander(resolvedVariables, secretNames, environment);
        var reader = new ShapeReader(file, expander, CheckCondition, diagnostics);
        var typed = (PlanObject?)reader.Read(mapping, PlanSchema.Root, path: "");
        if (typed is not null)
        {
            PlanRules.Check(typed, file, diagnostics);
        }
        if (diagnostics.Any(d => d.IsError) || typed is null)
        {
            return new PlanValidation(file, Ordered(diagnostics), null);
        }
        return new PlanValidation(file, Ordered(diagnostics), PlanBinder.Bind(typed, file, resolvedVariables, baseDirectory) with { Sha256 = Digest(text) });
    }

    /// <summary>SHA-256 of plan text (UTF-8), hex: what releases record and exported records compare.</summary>
    public static string Digest(string text) =>
        Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(text))).ToLowerInvariant();

    private static IReadOnlyList<PlanDiagnostic> Ordered(List<PlanDiagnostic> diagnostics) =>
        diagnostics.OrderBy(d => d.Line).ThenBy(d => d.Column).ToArray();

    private static Dictionary<string, string> ReadVariables(YamlTreeMapping root, string file, IReadOnlySet<string> secretNames,
        Func<string, string?> environment, List<PlanDiagnostic> diagnostics)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        if (root.Entries.FirstOrDefault(e => e.Key.Value == "variables").Value is not YamlTreeMapping block)
        {
            return result;
        }
        var expander = new VariableExpander(result, secretNames, environment);
        foreach (var (key, value) in block.Entries)
        {
            if (value is YamlTreeScalar scalar)
            {
                result[key.Value] = expander.Expand(scalar.Value, (offset, code, message) =>
                    diagnostics.Add(new PlanDiagnostic(file, scalar.Line, scalar.Column + offset, DiagnosticSeverity.Error, code, message)
                    {
                        Path = "variables." + key.Value,
                    }), allowVariables: false);
            }
            // Non-scalar values are reported by the schema walk (variables is a map of strings).
        }
        return result;
    }

    private static YamlTreeNode? ReadYaml(string text, string file, List<PlanDiagnostic> diagnostics)
    {
        var reader = new YamlTreeReader(MaxDepth, MaxNodes);
        YamlTreeNode? root;
        try
        {
            root = reader.Read(text);
        }
        catch (YamlException ex)
        {
            // YamlDotNet places tab errors at the start of the enclosing block; point at the tab itself.
            var (line, column) = (ex.InnerException?.Message ?? ex.Message).Contains("tab", StringComparison.OrdinalIgnoreCase)
                && FirstIndentingTab(text) is { } tab
                    ? tab
                    : ((int)ex.Start.Line, (int)ex.Start.Column);
            diagnostics.Add(new PlanDiagnostic(file, line, column, DiagnosticSeverity.Error, "MalformedYaml",
                "malformed YAML: " + DescribeYamlError(text, ex)));
            return null;
        }
        foreach (var (line, column, code, message) in reader.Problems)
        {
            diagnostics.Add(new PlanDiagnostic(file, line, column, DiagnosticSeverity.Error, code, message));
        }
        if (root is null)
        {
            diagnostics.Add(new PlanDiagnostic(file, 1, 1, DiagnosticSeverity.Error, "EmptyPlan",
                "the plan is empty; it needs at least api_version, application and environment"));
        }
        return root;
    }

    /// <summary>YamlDotNet's message, with the usual cause spelt out where we can see it.</summary>
    private static string DescribeYamlError(string text, YamlException ex)
    {
        var message = (ex.InnerException?.Message ?? ex.Message).Trim();
        var lines = text.Split('\n');
        var lineIndex = (int)ex.Start.Line - 1;
        var lineText = lineIndex >= 0 && lineIndex < lines.Length ? lines[lineIndex] : string.Empty;
        if (message.Contains("tab", StringComparison.OrdinalIgnoreCase) || lineText.Contains('\t'))
        {
            return message + " (tab characters cannot indent YAML; indent with spaces)";
        }
        if (message.Contains("end of stream", StringComparison.OrdinalIgnoreCase)
            || message.Contains("quoted scalar", StringComparison.OrdinalIgnoreCase))
        {
            return message + " (is a quote left unclosed?)";
        }
        if (message.Contains("mapping values are not allowed", StringComparison.OrdinalIgnoreCase)
            || message.Contains("did not find expected key", StringComparison.OrdinalIgnoreCase)
            || message.Contains("invalid mapping", StringComparison.OrdinalIgnoreCase)
            || message.Contains("block", StringComparison.OrdinalIgnoreCase))
        {
            return message + " (check the indentation of this line against the lines above)";
        }
        return message;
    }

    /// <summary>The position of the first tab used for indentation, which YAML forbids.</summary>
    private static (int Line, int Column)? FirstIndentingTab(string text)
    {
        var lines = text.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var indent = lines[i].Length - lines[i].TrimStart(' ', '\t').Length;
            var tab = lines[i].IndexOf('\t');
            if (tab >= 0 && tab < indent)
            {
                return (i + 1, tab + 1);
            }
        }
        return null;
    }

    /// <summary>Checks a condition's syntax with the shared condition language; null when it parses.</summary>
    private static (int Offset, string Message)? CheckCondition(string text) =>
        Conditions.ConditionExpression.TryParse(text, out _, out var error) ? null : (error!.Offset, error.Message);
}

/// <summary>A plan that did not validate; <see cref="Diagnostics"/> lists every problem.</summary>
public sealed class PlanInvalidException : ReleaseOpsException
{
    public PlanInvalidException(PlanValidation validation)
        : base("PlanInvalid", FailureKind.InvalidConfiguration, Summarize(validation), target: validation.File,
            fix: "Correct the plan at the positions listed; 'releaseops validate PLAN' or Test-ReleasePlan shows them all.")
    {
        Diagnostics = validation.Diagnostics;
    }

    public IReadOnlyList<PlanDiagnostic> Diagnostics { get; }

    private static string Summarize(PlanValidation validation)
    {
        var errors = validation.Errors.ToArray();
        return $"Release plan {validation.File} has {errors.Length} problem{(errors.Length == 1 ? "" : "s")}:"
            + Environment.NewLine + string.Join(Environment.NewLine, errors.Select(e => "  " + e));
    }
}
