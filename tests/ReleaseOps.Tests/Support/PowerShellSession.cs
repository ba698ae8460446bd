using System.Collections.Concurrent;
using System.Globalization;
using System.Management.Automation;
using System.Management.Automation.Host;
using System.Management.Automation.Language;
using System.Management.Automation.Runspaces;
using System.Security;
using ReleaseOps.Tests.Metadata;
using ReleaseOps.Tests.Plans;

namespace ReleaseOps.Tests.Support;

/// <summary>
/// A real PowerShell engine in this process (Microsoft.PowerShell.SDK): a runspace with the
/// ReleaseOps cmdlets imported from the assembly under test, the module's format and type files,
/// and a current location of the test's choosing. Scripts run through the real parameter binder,
/// parameter sets, pipeline, ShouldProcess, streams and Stop(), exactly as a user's session does.
/// The host records what PowerShell writes to the console itself ("What if:" lines) and refuses
/// to prompt, so a test that would wait for a confirmation fails instead.
/// The Pester specs (tests/pester) run the built module in a separate pwsh; this is for tests that
/// also want to inspect the engine's objects or drive time and faults from C#.
/// </summary>
public sealed class PowerShellSession : IDisposable
{
    private const string TrapVariable = "__releaseOpsTerminating";
    private readonly Runspace _runspace;
    private readonly RecordingHost _host;
    private PowerShell? _running;

    private PowerShellSession(Runspace runspace, RecordingHost host)
    {
        _runspace = runspace;
        _host = host;
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
        var host = new RecordingHost();
        var runspace = RunspaceFactory.CreateRunspace(host, state);
        runspace.Open();
        var session = new PowerShellSession(runspace, host);
        session.Run("param($assembly) Import-Module -Assembly $assembly",
            new Dictionary<string, object?> { ["assembly"] = typeof(Cmdlets.Hosting.ReleaseOpsCmdlet).Assembly }).ThrowIfFailed();
        session.Run("param($path) Set-Location -LiteralPath $path",
            new Dictionary<string, object?> { ["path"] = location ?? Path.GetTempPath() }).ThrowIfFailed();
        return session;
    }

    /// <summary>
    /// Runs <paramref name="script"/> (a script block's text; declare param() to receive
    /// <paramref name="parameters"/>) and collects every stream. A terminating error that the
    /// script does not catch itself (a cmdlet's ThrowTerminatingError, -ErrorAction Stop, throw) is
    /// trapped into <see cref="PowerShellResult.Terminating"/> and the script goes on with its next
    /// statement, as in an interactive session; nothing is thrown.
    /// </summary>
    public PowerShellResult Run(string script, IDictionary<string, object?>? parameters = null)
    {
        var trapped = new List<ErrorRecord>();
        _runspace.SessionStateProxy.SetVariable(TrapVariable, trapped);
        using var shell = PowerShell.Create();
        shell.Runspace = _runspace;
        shell.AddScript(WithTrap(script));
        foreach (var (name, value) in parameters ?? new Dictionary<string, object?>())
        {
            shell.AddParameter(name, value);
        }
        var progress = new ConcurrentQueue<ProgressRecord>();
        shell.Streams.Progress.DataAdded += (_, e) => progress.Enqueue(shell.Streams.Progress[e.Index]);
        var hostLines = _host.StartRecording();
        var output = new PSDataCollection<PSObject>();
        Exception? aborted = null;
        _running = shell;
        try
        {
            using var input = new PSDataCollection<PSObject>();
            input.Complete();
            shell.EndInvoke(shell.BeginInvoke(input, output, new PSInvocationSettings { AddToHistory = false }, null, null));
            if (shell.InvocationStateInfo.State == PSInvocationState.Stopped)
            {
                aborted = new PipelineStoppedException();
            }
        }
        catch (RuntimeException ex) // PipelineStoppedException (Ctrl+C), or an error PowerShell could not trap
        {
            aborted = ex;
        }
        finally
        {
            _running = null;
        }
        return new PowerShellResult(
            output.ToList(),
            shell.Streams.Error.Where(e => !trapped.Contains(e)).ToList(),
            shell.Streams.Warning.Select(w => w.Message).ToList(),
            shell.Streams.Verbose.Select(v => v.Message).ToList(),
            progress.ToList(),
            shell.Streams.Information.ToList(),
            hostLines.ToList(),
            trapped.FirstOrDefault(),
            aborted);
    }

    /// <summary>
    /// Presses Ctrl+C on the running script from another thread, as the console host does: it asks
    /// for the stop and does not wait (the synchronous PowerShell.Stop() can throw a
    /// NullReferenceException when the pipeline stops before Stop() returns).
    /// </summary>
    public void Stop() => _running?.BeginStop(null, null);

    public void Dispose() => _runspace.Dispose();

    /// <summary>The script with a trap after its param block that records terminating errors and continues.</summary>
    private static string WithTrap(string script)
    {
        var ast = Parser.ParseInput(script, out _, out _);
        var at = ast.ParamBlock?.Extent.EndOffset ?? 0;
        return script[..at] + $"\ntrap {{ ${TrapVariable}.Add($_); continue }}\n" + script[at..];
    }

    private static IEnumerable<string> ModuleFiles(string key)
    {
        var manifest = ModuleManifest.Load();
        return manifest.List(key).Select(relative => Path.Combine(ExamplePlanTests.RepositoryRoot, relative));
    }

    /// <summary>A host that records the lines PowerShell writes to it and never prompts.</summary>
    private sealed class RecordingHost : PSHost
    {
        private readonly RecordingUserInterface _ui = new();

        public ConcurrentQueue<string> StartRecording() => _ui.Lines = new ConcurrentQueue<string>();

        public override string Name => "ReleaseOps.Tests";
        public override Version Version => new(1, 0);
        public override Guid InstanceId { get; } = Guid.NewGuid();
        public override PSHostUserInterface UI => _ui;
        public override CultureInfo CurrentCulture => CultureInfo.InvariantCulture;
        public override CultureInfo CurrentUICulture => CultureInfo.InvariantCulture;
        public override void SetShouldExit(int exitCode) { }
        public override void EnterNestedPrompt() => throw new NotSupportedException();
        public override void ExitNestedPrompt() => throw new NotSupportedException();
        public override void NotifyBeginApplication() { }
        public override void NotifyEndApplication() { }
    }

    private sealed class RecordingUserInterface : PSHostUserInterface
    {
        public ConcurrentQueue<string> Lines { get; set; } = new();
        public override PSHostRawUserInterface? RawUI => null;
        public override void Write(string value) => Lines.Enqueue(value);
        public override void Write(ConsoleColor foregroundColor, ConsoleColor backgroundColor, string value) => Lines.Enqueue(value);
        public override void WriteLine(string value) => Lines.Enqueue(value);
        public override void WriteErrorLine(string value) => Lines.Enqueue(value);
        public override void WriteDebugLine(string message) { }
        public override void WriteProgress(long sourceId, ProgressRecord record) { }
        public override void WriteVerboseLine(string message) { }
        public override void WriteWarningLine(string message) { }
        public override string ReadLine() => throw Refused();
        public override SecureString ReadLineAsSecureString() => throw Refused();
        public override Dictionary<string, PSObject> Prompt(string caption, string message, System.Collections.ObjectModel.Collection<FieldDescription> descriptions) => throw Refused();
        public override PSCredential PromptForCredential(string caption, string message, string userName, string targetName) => throw Refused();
        public override PSCredential PromptForCredential(string caption, string message, string userName, string targetName, PSCredentialTypes allowedCredentialTypes, PSCredentialUIOptions options) => throw Refused();
        public override int PromptForChoice(string caption, string message, System.Collections.ObjectModel.Collection<ChoiceDescription> choices, int defaultChoice) => throw Refused();

        private static PSInvalidOperationException Refused() => new("The test host does not prompt: pass -Confirm:$false or the missing parameter.");
    }
}

/// <summary>
/// Everything a script wrote: output, non-terminating errors, warnings, verbose text, progress,
/// information, the lines PowerShell wrote to the host itself, the first terminating error, and
/// the exception that aborted the run (Ctrl+C).
/// </summary>
public sealed record PowerShellResult(
    IReadOnlyList<PSObject> Output,
    IReadOnlyList<ErrorRecord> Errors,
    IReadOnlyList<string> Warnings,
    IReadOnlyList<string> Verbose,
    IReadOnlyList<ProgressRecord> Progress,
    IReadOnlyList<InformationRecord> Information,
    IReadOnlyList<string> HostLines,
    ErrorRecord? Terminating,
    Exception? Aborted)
{
    /// <summary>The output's base objects of type <typeparamref name="T"/>.</summary>
    public IReadOnlyList<T> Objects<T>() => Output.Select(o => o.BaseObject).OfType<T>().ToList();

    /// <summary>The error ids (FullyQualifiedErrorId without the command name) of the non-terminating errors.</summary>
    public IReadOnlyList<string> ErrorIds => Errors.Select(e => e.FullyQualifiedErrorId.Split(',')[0]).ToList();

    /// <summary>The "What if:" lines -WhatIf wrote to the host.</summary>
    public IReadOnlyList<string> WhatIf =>
        HostLines.Where(m => m.StartsWith("What if:", StringComparison.Ordinal)).Select(m => m.Trim()).ToList();

    /// <summary>Every text the script produced in any stream, for leak scans.</summary>
    public IEnumerable<string> AllText() =>
        Output.Select(o => o.ToString())
            .Concat(Output.Select(o => o.BaseObject?.ToString() ?? ""))
            .Concat(Errors.Append(Terminating).OfType<ErrorRecord>()
                .SelectMany(e => new[] { e.ToString(), e.Exception.ToString(), e.ErrorDetails?.RecommendedAction ?? "", e.TargetObject?.ToString() ?? "" }))
            .Concat(Warnings).Concat(Verbose).Concat(HostLines)
            .Concat(Progress.SelectMany(p => new[] { p.Activity, p.StatusDescription, p.CurrentOperation ?? "" }))
            .Concat(Information.Select(i => i.MessageData?.ToString() ?? ""))
            .Append(Aborted?.ToString() ?? "");

    /// <summary>Fails with everything PowerShell reported when the script raised any error.</summary>
    public PowerShellResult ThrowIfFailed()
    {
        var all = Errors.Append(Terminating).OfType<ErrorRecord>().ToList();
        if (Aborted is not null || all.Count > 0)
        {
            var errors = all.Select(e => $"{e.FullyQualifiedErrorId}: {e.Exception.Message}");
            throw new Xunit.Sdk.XunitException(
                $"PowerShell reported errors:{Environment.NewLine}{string.Join(Environment.NewLine, errors.Prepend(Aborted?.Message ?? ""))}");
        }
        return this;
    }
}
