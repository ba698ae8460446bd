using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using ReleaseOps.Errors;
using ReleaseOps.Infrastructure.Redis;
using ReleaseOps.Secrets;

namespace ReleaseOps.Backup;

/// <summary>How to start a private redis-server: a scratch server for test-restores and tests.</summary>
public sealed record ScratchRedisServerOptions
{
    /// <summary>Working directory (<c>dir</c>): holds the RDB it loads and its log. Created if missing.</summary>
    public required string Directory { get; init; }
    /// <summary>Port on 127.0.0.1; 0 picks a free one.</summary>
    public int Port { get; init; }
    /// <summary>The RDB file name inside <see cref="Directory"/> to load at start (<c>dbfilename</c>).</summary>
    public string DbFileName { get; init; } = "dump.rdb";
    /// <summary>requirepass; given to the server on its stdin, never on its command line.</summary>
    public SecretValue? Password { get; init; }
    /// <summary>Extra configuration lines (<c>maxmemory 10mb</c>...).</summary>
    public IReadOnlyList<string> ExtraConfiguration { get; init; } = Array.Empty<string>();
    public string Binary { get; init; } = "redis-server";
    /// <summary>How long to wait for the server to answer PING (loading a large RDB takes a while).</summary>
    public TimeSpan StartTimeout { get; init; } = TimeSpan.FromSeconds(60);
}

/// <summary>
/// A redis-server this process started and owns, on 127.0.0.1, configured through stdin
/// (<c>redis-server -</c>) so that its password never shows in a process listing. Persistence is
/// off (no save points, no AOF): it serves what it loaded and writes nothing back. Dispose stops it.
/// </summary>
public sealed class ScratchRedisServer : IAsyncDisposable
{
    private readonly Process _process;

    private ScratchRedisServer(ScratchRedisServerOptions options, int port, Process process)
    {
        Options = options;
        Port = port;
        _process = process;
    }

    public ScratchRedisServerOptions Options { get; }

    public int Port { get; }

    public int ProcessId => _process.Id;

    public string LogFile => Path.Combine(Options.Directory, "redis-server.log");

    /// <summary>Options for connecting to this server.</summary>
    public RedisConnectionOptions ConnectionOptions => new()
    {
        Host = "127.0.0.1",
        Port = Port,
        Password = Options.Password,
        CommandTimeout = TimeSpan.FromSeconds(30),
    };

    /// <summary>A connection to this server through the shared Redis client.</summary>
    public Task<RedisSession> ConnectAsync(CancellationToken cancellation = default) =>
        RedisSession.ConnectAsync(ConnectionOptions, cancellation);

    public static async Task<ScratchRedisServer> StartAsync(ScratchRedisServerOptions options, CancellationToken cancellation = default)
    {
        System.IO.Directory.CreateDirectory(options.Directory);
        var port = options.Port == 0 ? FreePort() : options.Port;
        var config = new StringBuilder()
            .AppendLine(CultureInfo.InvariantCulture, $"port {port}")
            .AppendLine("bind 127.0.0.1")
            .AppendLine("daemonize no")
            .AppendLine(CultureInfo.InvariantCulture, $"dir {Quote(options.Directory)}")
            .AppendLine(CultureInfo.InvariantCulture, $"dbfilename {Quote(options.DbFileName)}")
            .AppendLine(CultureInfo.InvariantCulture, $"logfile {Quote(Path.Combine(options.Directory, "redis-server.log"))}")
            .AppendLine("save \"\"")
            .AppendLine("appendonly no");
        if (options.Password is { } password)
        {
            config.AppendLine(CultureInfo.InvariantCulture, $"requirepass {Quote(password.Reveal())}");
        }
        foreach (var line in options.ExtraConfiguration)
        {
            config.AppendLine(line);
        }

        var start = new ProcessStartInfo(options.Binary)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = options.Directory,
        };
        start.ArgumentList.Add("-");
        ChildEnvironment.Minimal(start);
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException("redis-server did not start");
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new ReleaseOpsException("RedisServerNotInstalled", FailureKind.NotFound,
                $"Cannot start '{options.Binary}': {ex.Message}.", target: options.Binary,
                fix: "Install redis-server (apt-get install redis-server) or give the path of the binary.", innerException: ex);
        }
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        await process.StandardInput.WriteAsync(config.ToString()).ConfigureAwait(false);
        process.StandardInput.Close();
        var server = new ScratchRedisServer(options, port, process);
        try
        {
            await server.WaitUntilReadyAsync(cancellation).ConfigureAwait(false);
        }
        catch
        {
            await server.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is InvalidOperationException or TimeoutException or System.ComponentModel.Win32Exception)
        {
            // Already gone.
        }
        _process.Dispose();
    }

    private async Task WaitUntilReadyAsync(CancellationToken cancellation)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            cancellation.ThrowIfCancellationRequested();
            if (_process.HasExited)
            {
                throw new ReleaseOpsException("RedisServerStartFailed", FailureKind.OperationFailed,
                    $"redis-server on port {Port} exited with code {_process.ExitCode} while starting: {LastLogLines()}",
                    target: Options.Directory, fix: $"Read {LogFile}; check that port {Port} is free and the RDB file is valid.");
            }
            try
            {
                await using var connection = await RedisSession.ConnectAsync(
                    ConnectionOptions with { ConnectTimeout = TimeSpan.FromSeconds(1), CommandTimeout = TimeSpan.FromSeconds(5) },
                    cancellation).ConfigureAwait(false);
                await connection.RunAsync("PING", (server, _) => server.PingAsync(), cancellation).ConfigureAwait(false);
                return;
            }
            catch (ReleaseOpsException ex) when (ex.ErrorId is "RedisUnreachable" or "RedisConnectionLost" or "RedisTimeout" ||
                                                   ex is RedisCommandFailedException { ServerErrorCode: "LOADING" })
            {
                if (clock.Elapsed > Options.StartTimeout)
                {
                    throw new ReleaseOpsException("RedisServerStartFailed", FailureKind.Timeout,
                        $"redis-server on port {Port} did not answer within {Options.StartTimeout.TotalSeconds:0} s: {LastLogLines()}",
                        target: Options.Directory, fix: $"Read {LogFile}.", innerException: ex);
                }
                await Task.Delay(50, cancellation).ConfigureAwait(false);
            }
        }
    }

    private string LastLogLines()
    {
        try
        {
            var lines = File.ReadAllLines(LogFile);
            var redactor = SecretRedactor.For(Options.Password);
            return redactor.Redact(string.Join(" | ", lines.Skip(Math.Max(0, lines.Length - 3))));
        }
        catch (IOException)
        {
            return "(no log)";
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string Quote(string value) => "\"" + value.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";
}
