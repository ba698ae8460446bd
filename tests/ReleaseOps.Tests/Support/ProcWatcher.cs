namespace ReleaseOps.Tests.Support;

/// <summary>
/// Watches /proc while a test runs for processes of the given names (comm) and keeps what anyone on the machine could
/// read of them: their command line and their environment (/proc/PID/environ). Dispose (or <see cref="StopAsync"/>) ends it.
/// </summary>
public sealed class ProcWatcher : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _watching;
    private readonly List<(string Name, string CommandLine, string Environment)> _seen = new();

    public ProcWatcher(params string[] names)
    {
        _watching = Task.Run(async () =>
        {
            while (!_stop.IsCancellationRequested)
            {
                foreach (var dir in Directory.EnumerateDirectories("/proc").Where(d => char.IsDigit(Path.GetFileName(d)[0])))
                {
                    try
                    {
                        var comm = File.ReadAllText(Path.Combine(dir, "comm")).Trim();
                        if (!names.Contains(comm)) continue;
                        var cmdline = File.ReadAllText(Path.Combine(dir, "cmdline")).Replace('\0', ' ');
                        var environ = File.ReadAllText(Path.Combine(dir, "environ")).Replace('\0', ' ');
                        // An exiting process (a zombie) shows neither: nothing to keep.
                        if (cmdline.Length > 0) lock (_seen) _seen.Add((comm, cmdline, environ));
                    }
                    catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                    {
                        // The process ended between the listing and the read.
                    }
                }
                await Task.Delay(2);
            }
        });
    }

    /// <summary>Every (name, command line, environment) seen so far.</summary>
    public IReadOnlyList<(string Name, string CommandLine, string Environment)> Seen
    {
        get
        {
            lock (_seen) return _seen.ToList();
        }
    }

    public async Task StopAsync()
    {
        _stop.Cancel();
        await _watching;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_stop.IsCancellationRequested) await StopAsync();
        _stop.Dispose();
    }
}
