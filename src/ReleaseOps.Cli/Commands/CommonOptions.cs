using System.CommandLine;
using ReleaseOps.Cli.Rendering;
using ReleaseOps.Errors;

namespace ReleaseOps.Cli.Commands;

/// <summary>Options and error handling shared by every command.</summary>
public static class CommonOptions
{
    public static Argument<FileInfo> PlanArgument() => new("plan") { Description = "Path of the release plan (YAML)." };

    public static Option<OutputFormat> Output() => new("--output", "-o")
    {
        Description = "table (default) or json.",
        DefaultValueFactory = _ => OutputFormat.Table,
    };

    public static Option<string[]> Variables() => new("--var")
    {
        Description = "NAME=VALUE for ${var:NAME}; repeatable. Overrides the plan's variables block.",
        AllowMultipleArgumentsPerToken = false,
    };

    public static IReadOnlyDictionary<string, string> ParseVariables(string[]? pairs)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in pairs ?? Array.Empty<string>())
        {
            var eq = pair.IndexOf('=');
            if (eq <= 0)
            {
                throw new ReleaseOpsException("InvalidVariable", FailureKind.InvalidArgument,
                    $"--var '{pair}' is not NAME=VALUE.", target: pair, fix: "Write --var tag=v2.");
            }
            result[pair[..eq]] = pair[(eq + 1)..];
        }
        return result;
    }

    /// <summary>
    /// Runs a command body and turns engine failures into one clear line on stderr, ending with the
    /// error's stable id, and an exit code: 2 for bad arguments, 1 for bad configuration, 3 when the
    /// operation could not run.
    /// </summary>
    public static async Task<int> Guard(CliContext context, Func<Task<int>> body)
    {
        try
        {
            return await body().ConfigureAwait(false);
        }
        catch (ReleaseOpsException ex)
        {
            // The error id last, as scripts match on it (as on a cmdlet's FullyQualifiedErrorId).
            context.Error.WriteLine($"releaseops: {ex.Describe()} [{ex.ErrorId}]");
            return ex.Kind switch
            {
                FailureKind.InvalidArgument => ExitCodes.Usage,
                FailureKind.InvalidConfiguration => ExitCodes.Problem,
                _ => ExitCodes.CouldNotRun,
            };
        }
        catch (OperationCanceledException)
        {
            context.Error.WriteLine("releaseops: cancelled.");
            return 130;
        }
    }
}
