using System.Diagnostics;
using System.Text;
using ReleaseOps.Errors;
using ReleaseOps.Infrastructure.Postgres;
using ReleaseOps.Secrets;

namespace ReleaseOps.Backup;

/// <summary>
/// One run of pg_dump or pg_restore: arguments without secrets, the libpq environment and a 0600
/// password file from <see cref="PgEndpoint"/>, stdout and stdin as streams, stderr collected
/// (bounded, redacted). Cancelling kills the child.
/// </summary>
internal sealed class PgTool : IAsyncDisposable
{
    private const int MaxStderr = 64 * 1024;
    private readonly Process _process;
    private readonly PgPassFile? _passFile;
    private readonly StringBuilder _stderr = new();
    private readonly Task _stderrPump;
    private readonly SecretRedactor _redactor;
    private readonly CancellationTokenRegistration _kill;

    private PgTool(string tool, Process process, PgPassFile? passFile, SecretRedactor redactor, CancellationToken cancellation)
    {
        Tool = tool;
        _process = process;
        _passFile = passFile;
        _redactor = redactor;
        _stderrPump = PumpStderrAsync();
        _kill = cancellation.Register(Kill);
    }

    public string Tool { get; }

    public int ProcessId => _process.Id;

    public Stream StandardOutput => _process.StandardOutput.BaseStream;

    public Stream StandardInput => _process.StandardInput.BaseStream;

    public string Stderr
    {
        get
        {
            lock (_stderr)
            {
                return _redactor.Redact(_stderr.ToString());
            }
        }
    }

    public static PgTool Start(string tool, IEnumerable<string> arguments, PgEndpoint endpoint, bool redirectStdout,
        bool redirectStdin, CancellationToken cancellation, string? binaryDirectory = null)
    {
        var start = new ProcessStartInfo(binaryDirectory is null ? tool : Path.Combine(binaryDirectory, tool))
        {
            RedirectStandardError = true,
            RedirectStandardOutput = redirectStdout,
            RedirectStandardInput = redirectStdin,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        var passFile = PgPassFile.For(endpoint);
        // Nothing of ours but the basics and libpq's TLS settings: the connection's own PG* variables are set next.
        ChildEnvironment.Minimal(start, "PGSSL");
        BackupConnections.Named(endpoint).ApplyTo(start);
        if (passFile is not null)
        {
            start.Environment["PGPASSFILE"] = passFile.Path;
        }
        try
        {
            var process = Process.Start(start) ?? throw new InvalidOperationException($"{tool} did not start");
            return new PgTool(tool, process, passFile, SecretRedactor.For(endpoint.Password), cancellation);
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            passFile?.Dispose();
            throw new ReleaseOpsException("PgToolNotFound", FailureKind.NotFound,
                $"Cannot run {tool}: {ex.Message}.", target: tool,
                fix: "Install the PostgreSQL client tools (apt-get install postgresql-client) matching the server's major version.",
                innerException: ex);
        }
    }

    /// <summary>Waits for the child to exit and returns its exit code (stderr fully read).</summary>
    public async Task<int> WaitAsync(CancellationToken cancellation)
    {
        await _process.WaitForExitAsync(cancellation).ConfigureAwait(false);
        await _stderrPump.ConfigureAwait(false);
        return _process.ExitCode;
    }

    public void Kill()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _kill.DisposeAsync().ConfigureAwait(false);
        Kill();
        try
        {
            await _process.WaitForExitAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
        }
        _process.Dispose();
        _passFile?.Dispose();
    }

    /// <summary>Runs a tool to completion, collecting stdout as text (for --version and --list).</summary>
    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(string tool, IEnumerable<string> arguments,
        PgEndpoint? endpoint, CancellationToken cancellation, Stream? stdin = null, string? binaryDirectory = null)
    {
        var fallback = endpoint ?? new PgEndpoint { Host = "127.0.0.1", Database = "postgres", Username = "postgres" };
        await using var run = Start(tool, arguments, fallback, redirectStdout: true, redirectStdin: stdin is not null, cancellation, binaryDirectory);
        var output = run.ReadAllStdoutAsync(cancellation);
        if (stdin is not null)
        {
            try
            {
                await stdin.CopyToAsync(run.StandardInput, cancellation).ConfigureAwait(false);
            }
            catch (IOException)
            {
                // The tool stopped reading (it failed); its exit code and stderr say why.
            }
            finally
            {
                run.StandardInput.Close();
            }
        }
        var text = await output.ConfigureAwait(false);
        var code = await run.WaitAsync(cancellation).ConfigureAwait(false);
        return (code, text, run.Stderr);
    }

    private async Task<string> ReadAllStdoutAsync(CancellationToken cancellation)
    {
        using var reader = new StreamReader(StandardOutput, Encoding.UTF8, leaveOpen: true);
        return await reader.ReadToEndAsync(cancellation).ConfigureAwait(false);
    }

    private async Task PumpStderrAsync()
    {
        var buffer = new char[4096];
        var reader = _process.StandardError;
        int n;
        while ((n = await reader.ReadAsync(buffer, CancellationToken.None).ConfigureAwait(false)) > 0)
        {
            lock (_stderr)
            {
                if (_stderr.Length < MaxStderr)
                {
                    _stderr.Append(buffer, 0, Math.Min(n, MaxStderr - _stderr.Length));
                }
            }
        }
    }
}
