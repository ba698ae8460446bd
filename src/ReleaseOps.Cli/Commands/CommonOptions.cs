using System.CommandLine;
using ReleaseOps.Cli.Rendering;
using ReleaseOps.Errors;
using ReleaseOps.Text;

namespace ReleaseOps.Cli.Commands;

/// <summary>Options and error handling shared by every command.</summary>
public static class CommonOptions
{
    /// <summary>The plan's path as written: the loader says what is wrong with it (missing, empty, a directory...).</summary>
    public static Argument<string> PlanArgument() => new("plan") { Description = "Path of the release plan (YAML)." };

    /// <summary>
    /// <c>--verbose</c> (<c>-v</c>), on every command: progress and details on stderr, and for an unexpected failure its
    /// stack trace (without it, one line).
    /// </summary>
    public static readonly Option<bool> Verbose = new("--verbose", "-v")
    {
        Description = "Print details on stderr; for an unexpected failure, its stack trace.",
        Recursive = true,
    };

    /// <summary>A TCP port option: 1-65535, or a usage error naming the option.</summary>
    public static Option<int> Port(string name, string description)
    {
        var option = new Option<int>(name) { Description = description };
        option.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() is < 0 or > 65535) r.AddError($"{name} {r.GetValueOrDefault<int>()} is not a TCP port (1-65535).");
        });
        return option;
    }

    /// <summary>A duration written as in plans (500ms, 30s, 5m, 1d), or an InvalidDuration usage error naming the option.</summary>
    public static TimeSpan? Duration(string? text, string option) =>
        text is null ? null
        : DurationText.TryParse(text, out var value) && value > TimeSpan.Zero ? value
        : throw new ReleaseOpsException("InvalidDuration", FailureKind.InvalidArgument, $"{option} '{text}' is not a duration.",
            option, "Write a positive duration such as 500ms, 30s, 5m, 2h or 1d.");

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
    /// operation could not run. Anything else (a bug, an input nobody foresaw) is exit 3 with one line
    /// too; its stack trace only with --verbose.
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
        catch (Exception ex)
        {
            return Unexpected(context, ex);
        }
    }

    /// <summary>Exit 3 with one line naming what happened; the trace with --verbose.</summary>
    public static int Unexpected(CliContext context, Exception ex)
    {
        context.Error.WriteLine($"releaseops: unexpected error: {ex.GetType().Name}: {OneLine(ex.Message)} " +
            $"(run again with --verbose for the stack trace) [Unexpected]");
        if (context.Verbose) context.Error.WriteLine(ex);
        return ExitCodes.CouldNotRun;
    }

    private static string OneLine(string text) => string.Join(' ', text.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries));
}
