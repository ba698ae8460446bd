using System.CommandLine;

namespace ReleaseOps.Cli.Commands;

/// <summary>
/// A capability's commands (validate, gate, deploy, backup...). Implementations are found by
/// reflection, so adding a capability adds a file and touches nothing else.
/// </summary>
public interface ICliCommandSet
{
    IEnumerable<Command> Create(CliContext context);
}

/// <summary>Where commands write, so tests can capture it, and whether --verbose was given (set once the arguments are parsed).</summary>
public sealed record CliContext(TextWriter Out, TextWriter Error)
{
    public bool Verbose { get; set; }
}

/// <summary>
/// What every command exits with: 0 success, 1 the operation found a problem (a failed gate, a rolled-back deployment, a
/// breached watch), 2 usage (bad arguments), 3 the operation could not run (an unreachable service, I/O, anything
/// unexpected), 4 a watch with no evidence either way (Inconclusive).
/// </summary>
public static class ExitCodes
{
    public const int Success = 0;
    public const int Problem = 1;
    public const int Usage = 2;
    public const int CouldNotRun = 3;
    public const int Inconclusive = 4;
}
