namespace ReleaseOps.Tests.Cli;

/// <summary>Runs the releaseops CLI in process and captures what it writes.</summary>
public static class CliRunner
{
    private static readonly SemaphoreSlim OneAtATime = new(1, 1);

    public sealed record CliResult(int ExitCode, string Out, string Error);

    public static CliResult Run(params string[] args)
    {
        OneAtATime.Wait();
        try
        {
            var stdout = new StringWriter();
            var stderr = new StringWriter();
            var code = ReleaseOps.Cli.Program.Run(args, stdout, stderr);
            return new CliResult(code, stdout.ToString(), stderr.ToString());
        }
        finally
        {
            OneAtATime.Release();
        }
    }
}
