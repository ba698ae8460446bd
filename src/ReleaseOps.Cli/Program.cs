using System.CommandLine;
using ReleaseOps.Cli.Commands;

namespace ReleaseOps.Cli;

/// <summary>
/// The releaseops command line: a thin host over the engine for shells and CI jobs without
/// PowerShell. Each capability contributes its commands through an <see cref="ICliCommandSet"/>;
/// this file only assembles them. Exit codes: 0 success, 1 the operation found a problem,
/// 2 usage error, 3 the operation could not run (unreachable service, I/O).
/// </summary>
public static class Program
{
    public static int Main(string[] args) => Run(args, Console.Out, Console.Error);

    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        var context = new CliContext(stdout, stderr);
        try
        {
            var root = BuildRoot(context);
            var parse = root.Parse(args);
            if (parse.Errors.Count > 0)
            {
                foreach (var error in parse.Errors)
                {
                    stderr.WriteLine($"releaseops: {error.Message}");
                }
                stderr.WriteLine("Run 'releaseops --help' for usage.");
                return ExitCodes.Usage;
            }
            context.Verbose = parse.GetValue(CommonOptions.Verbose);
            // No input ends in an unhandled exception: what a command's guard does not catch is caught here, as one line.
            return parse.Invoke(new InvocationConfiguration { Output = stdout, Error = stderr, EnableDefaultExceptionHandler = false });
        }
        catch (Exception ex)
        {
            return CommonOptions.Unexpected(context, ex);
        }
    }

    internal static RootCommand BuildRoot(CliContext context)
    {
        var root = new RootCommand("ReleaseOps: release plans, gates, deployments, health watches, backups and rollbacks. " +
            "Exit codes: 0 success, 1 the operation found a problem, 2 usage, 3 could not run (or anything unexpected), 4 a watch was inconclusive.")
        {
            CommonOptions.Verbose,
        };
        var sets = typeof(Program).Assembly.GetTypes()
            .Where(t => typeof(ICliCommandSet).IsAssignableFrom(t) && t is { IsAbstract: false, IsInterface: false })
            .Select(t => (ICliCommandSet)Activator.CreateInstance(t)!)
            .SelectMany(set => set.Create(context))
            .OrderBy(c => c.Name, StringComparer.Ordinal);
        foreach (var command in sets)
        {
            root.Subcommands.Add(command);
        }
        return root;
    }
}
