using System.Collections.ObjectModel;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using ReleaseOps.Tests.Metadata;
using ReleaseOps.Tests.Plans;

namespace ReleaseOps.Tests.Support;

/// <summary>
/// A real PowerShell engine in this process (Microsoft.PowerShell.SDK): a runspace with the
/// ReleaseOps cmdlets imported from the assembly under test, the module's format and type files,
/// and a current location of the test's choosing. Scripts run through the real parameter binder,
/// parameter sets, pipeline, ShouldProcess, streams and Stop(), exactly as a user's session does.
/// The Pester specs (tests/pester) run the built module in a separate pwsh; this is for tests that
/// also want to inspect the engine's objects or drive time and faults from C#.
/// </summary>
public sealed class PowerShellSession : IDisposable
{
    private readonly Runspace _runspace;
    private PowerShell? _running;

    private PowerShellSession(Runspace runspace)
    {
        _runspace = runspace;
    }

    /// <summary>Opens a runspace whose current location is <paramref name="location"/> (default: the system temp folder).</summary>
    public static PowerShellSession Start(string? location = null, params SessionStateCmdletEntry[] extraCmdlets)
    {
        var state = InitialSessionState.CreateDefault2();
        foreach (var file in ModuleFiles("FormatsToProcess"))
        {
            state.Formats.Add(new SessionStateFormatEntry(file));
        }
        foreach (var file in ModuleFiles("TypesToProcess"))
        {
            state.Types.Add(new SessionStateTypeEntry(file));
        }
        foreach (var cmdlet in extraCmdlets)
        {
            state.Commands.Add(cmdlet);
        }
        var runspace = RunspaceFactory.CreateRunspace(state);
        runspace.Open();
        var session = new PowerShellSession(runspace);
        session.Run("param($assembly) Import-Module -Assembly $assembly",
            new Dictionary<string, object?> { ["assembly"] = typeof(Cmdlets.Hosting.ReleaseOpsCmdlet).Assembly }).ThrowIfFailed();
        session.Run("param($path) Set-Location -LiteralPath $path",
            new Dictionary<string, object?> { ["path"] = location ?? Path.GetTempPath() }).ThrowIfFailed();
        return session;
    }

    /// <summary>
    /// Runs <paramref name="script"/> (a script block's text; declare param() to receive
    /// <paramref name="parameters"/>) and collects every stream. A terminating error is captured
    /// in <see cref="PowerShellResult.Terminating"/>, never thrown.
    /// </summary>
    public PowerShellResult Run(string script, IDictionary<string, object?>? parameters = null, bool whatIf = false)
    {
        using var shell = PowerShell.Create();
        shell.Runspace = _runspace;
        shell.AddScript(script);
        foreach (var (name, value) in parameters ?? new Dictionary<string, object?>())
        {
            shell.AddParameter(name, value);
        }
        var progress = new List<ProgressRecord>();
        shell.Streams.Progress.DataAdded += (_, e) => progress.Add(shell.Streams.Progress[e.Index]);
        Collection<PSObject> output = new();
        Exception? terminating = null;
        _running = shell;
        try
        {
            using var input = new PSDataCollection<PSObject>();
            input.Complete();
            var results = new PSDataCollection<PSObject>();
            shell.Invoke(input, results, new PSInvocationSettings { AddToHistory = false });
            output = new Collection<PSObject>(results.ToList());
        }
        catch (RuntimeException ex)
        {
            terminating = ex;
        }
        catch (PipelineStoppedException ex)
        {
            terminating = ex;
        }
        finally
        {
            _running = null;
        }
        return new PowerShellResult(
            output.ToList(),
            shell.Streams.Error.ToList(),
            shell.Streams.Warning.Select(w => w.Message).ToList(),
            shell.Streams.Verbose.Select(v => v.Message).ToList(),
            progress,
            shell.Streams.Information.ToList(),
            terminating);
    }

    /// <summary>Presses Ctrl+C on the running script (from another thread, as the host does).</summary>
    public void Stop() => _running?.Stop();

    public void Dispose() => _runspace.Dispose();

    private static IEnumerable<string> ModuleFiles(string key)
    {
        var manifest = ModuleManifest.Load();
        return manifest.List(key).Select(relative => Path.Combine(ExamplePlanTests.RepositoryRoot, relative));
    }
}

/// <summary>Everything a script wrote: output, errors, warnings, verbose text, progress, information and a terminating error.</summary>
public sealed record PowerShellResult(
    IReadOnlyList<PSObject> Output,
    IReadOnlyList<ErrorRecord> Errors,
    IReadOnlyList<string> Warnings,
    IReadOnlyList<string> Verbose,
    IReadOnlyList<ProgressRecord> Progress,
    IReadOnlyList<InformationRecord> Information,
    Exception? Terminating)
{
    /// <summary>The output's base objects of type <typeparamref name="T"/>.</summary>
    public IReadOnlyList<T> Objects<T>() => Output.Select(o => o.BaseObject).OfType<T>().ToList();

    /// <summary>Fails with everything PowerShell reported when the script raised any error.</summary>
    public PowerShellResult ThrowIfFailed()
    {
        if (Terminating is not null || Errors.Count > 0)
        {
            var errors = Errors.Select(e => $"{e.FullyQualifiedErrorId}: {e.Exception.Message}");
            throw new Xunit.Sdk.XunitException(
                $"PowerShell reported errors:{Environment.NewLine}{string.Join(Environment.NewLine, errors.Prepend(Terminating?.Message ?? ""))}");
        }
        return this;
    }
}
