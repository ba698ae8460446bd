using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using ReleaseOps.Errors;
using ReleaseOps.Journal;
using ReleaseOps.Plans;

namespace ReleaseOps.Deploy.Proxy;

/// <summary>One backend of an upstream: an address and its share of the traffic.</summary>
public sealed record UpstreamServer(string Address, int Weight = 1)
{
    public override string ToString() => Weight == 1 ? Address : $"{Address} weight={Weight}";
}

/// <summary>An nginx <c>upstream NAME { ... }</c> block. The service's name is the upstream's name.</summary>
public sealed record UpstreamBlock(string Name, IReadOnlyList<UpstreamServer> Servers);

/// <summary>
/// Switches traffic at nginx. ReleaseOps owns one include file (<see cref="ProxyDefinition.UpstreamFile"/>)
/// holding an upstream block per service; the operator's config includes it and proxies to
/// <c>http://SERVICE</c>. A change rewrites the file atomically, runs <c>nginx -t</c> (restoring the
/// previous file if the test fails), then <c>nginx -s reload</c>, which starts new workers with the new
/// upstreams while the old ones finish the requests they are serving. What a reload does drop: the old workers close
/// their idle keep-alive client connections at once, and a request a client sends on one at that instant is reset;
/// <see cref="KeepAliveWarningAsync"/> says where that applies (zero failed requests need <c>keepalive_timeout 0</c>
/// on the switched locations, or clients that retry idempotent requests on a reused connection).
/// </summary>
public sealed partial class NginxProxyController
{
    private static readonly SemaphoreSlim FileGate = new(1, 1);
    private readonly ProxyDefinition _definition;

    public NginxProxyController(ProxyDefinition definition)
    {
        _definition = definition;
    }

    public ProxyDefinition Definition => _definition;

    [GeneratedRegex(@"upstream\s+([A-Za-z0-9_.-]+)\s*\{(.*?)\}", RegexOptions.Singleline | RegexOptions.CultureInvariant)]
    private static partial Regex BlockPattern();

    [GeneratedRegex(@"server\s+([^\s;]+)([^;]*);", RegexOptions.CultureInvariant)]
    private static partial Regex ServerPattern();

    [GeneratedRegex(@"^\s*pid\s+([^;\s]+)\s*;", RegexOptions.Multiline | RegexOptions.CultureInvariant)]
    private static partial Regex PidDirective();

    /// <summary>The upstream name nginx knows a service by.</summary>
    public static string UpstreamName(string service) =>
        new(service.Select(c => char.IsLetterOrDigit(c) || c is '_' or '-' or '.' ? c : '_').ToArray());

    /// <summary>The blocks the file holds now (none when it does not exist yet).</summary>
    public async Task<IReadOnlyList<UpstreamBlock>> ReadAsync(CancellationToken cancellation)
    {
        if (!File.Exists(_definition.UpstreamFile))
        {
            return Array.Empty<UpstreamBlock>();
        }
        var text = await File.ReadAllTextAsync(_definition.UpstreamFile, cancellation).ConfigureAwait(false);
        return Parse(text);
    }

    public async Task<UpstreamBlock?> ReadAsync(string service, CancellationToken cancellation) =>
        (await ReadAsync(cancellation).ConfigureAwait(false)).FirstOrDefault(b => b.Name == UpstreamName(service));

    /// <summary>Replaces one service's upstream, tests the configuration and reloads nginx.</summary>
    public async Task SwitchAsync(string service, IReadOnlyList<UpstreamServer> servers, CancellationToken cancellation)
    {
        if (servers.Count == 0 || servers.All(s => s.Weight <= 0))
        {
            throw new ReleaseOpsException("ProxyUpstreamEmpty", FailureKind.InvalidArgument,
                $"Refusing to leave upstream '{UpstreamName(service)}' without a backend.", _definition.UpstreamFile,
                "Keep at least one running instance in the upstream.");
        }
        await FileGate.WaitAsync(cancellation).ConfigureAwait(false);
        try
        {
            var previous = File.Exists(_definition.UpstreamFile)
                ? await File.ReadAllTextAsync(_definition.UpstreamFile, cancellation).ConfigureAwait(false)
                : null;
            var blocks = (previous is null ? new List<UpstreamBlock>() : Parse(previous).ToList());
            var name = UpstreamName(service);
            if (blocks.GroupBy(b => b.Name).FirstOrDefault(g => g.Count() > 1) is { } twice)
            {
                throw new ReleaseOpsException("ProxyUpstreamDuplicate", FailureKind.InvalidConfiguration,
                    $"{_definition.UpstreamFile} defines upstream '{twice.Key}' {twice.Count()} times; nginx refuses that, so no switch can succeed.",
                    _definition.UpstreamFile, $"Keep one 'upstream {twice.Key}' block in {_definition.UpstreamFile} (ReleaseOps rewrites that file; do not edit it by hand).");
            }
            var block = new UpstreamBlock(name, servers.Where(s => s.Weight > 0).ToArray());
            var index = blocks.FindIndex(b => b.Name == name);
            if (index >= 0) blocks[index] = block; else blocks.Add(block);
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(_definition.UpstreamFile))!);
            await FileReleaseJournal.WriteAtomicallyAsync(_definition.UpstreamFile, Render(blocks), cancellation).ConfigureAwait(false);
            var test = await RunNginxAsync(cancellation, "-t").ConfigureAwait(false);
            if (test.ExitCode != 0)
            {
                if (previous is null) File.Delete(_definition.UpstreamFile);
                else await FileReleaseJournal.WriteAtomicallyAsync(_definition.UpstreamFile, previous, CancellationToken.None).ConfigureAwait(false);
                var output = test.Output.Trim();
                throw new ReleaseOpsException("ProxyConfigInvalid", FailureKind.InvalidConfiguration,
                    $"nginx -t rejected the configuration with the new upstreams (the previous upstream file was restored): {output}",
                    _definition.ConfigFile ?? _definition.UpstreamFile,
                    output.Contains("duplicate upstream", StringComparison.Ordinal)
                        ? $"Define each service's upstream only in {_definition.UpstreamFile}: remove the other 'upstream' block nginx names, " +
                          "and include the upstream file once."
                        : output.Contains("upstream", StringComparison.Ordinal) && output.Contains("not allowed", StringComparison.Ordinal)
                            ? $"Include {_definition.UpstreamFile} at http level and proxy_pass to http://SERVICE."
                            : "Correct what nginx reports at the file and line above; the upstream file ReleaseOps writes is restored to its previous content.");
            }
            await ReloadAsync(cancellation).ConfigureAwait(false);
        }
        finally
        {
            FileGate.Release();
        }
    }

    /// <summary>
    /// A warning when locations proxying to the service's upstream keep client connections alive: every switch reloads
    /// nginx, whose old workers close idle keep-alive connections at once, so a request a client sends on one at that
    /// instant is reset (clients that retry idempotent requests on a reused connection, as browsers, curl and Go do, hide
    /// it; others fail). Null when none does, or when the configuration cannot be dumped (nginx -T).
    /// </summary>
    public async Task<string?> KeepAliveWarningAsync(string service, CancellationToken cancellation)
    {
        if (_definition.ConfigFile is null) return null;
        var dump = await RunNginxAsync(cancellation, "-T").ConfigureAwait(false);
        if (dump.ExitCode != 0) return null;
        var locations = NginxConfig.KeepAliveLocations(NginxConfig.ReadDump(dump.Output), UpstreamName(service));
        return locations.Count == 0
            ? null
            : $"nginx keeps client connections alive where it proxies to upstream '{UpstreamName(service)}' " +
              $"({string.Join(", ", locations.Select(l => $"{l.File}:{l.Line}"))}): each switch reloads nginx, and a request sent on an idle " +
              "kept-alive connection just as the old worker closes it is reset. Add 'keepalive_timeout 0;' to those locations for zero failed requests.";
    }

    /// <summary>The text of the include file.</summary>
    public static string Render(IEnumerable<UpstreamBlock> blocks)
    {
        var text = new StringBuilder("# Managed by ReleaseOps: rewritten on every release. Do not edit by hand.\n");
        foreach (var block in blocks)
        {
            text.Append("upstream ").Append(block.Name).Append(" {\n");
            foreach (var server in block.Servers)
            {
                text.Append("    server ").Append(server.Address);
                if (server.Weight != 1) text.Append(" weight=").Append(server.Weight.ToString(CultureInfo.InvariantCulture));
                text.Append(" max_fails=0;\n");
            }
            text.Append("}\n");
        }
        return text.ToString();
    }

    /// <summary>The upstream blocks of the include file; commented-out text is not configuration (nginx ignores it too).</summary>
    public static IReadOnlyList<UpstreamBlock> Parse(string text) =>
        BlockPattern().Matches(NginxConfig.StripComments(text)).Select(m => new UpstreamBlock(m.Groups[1].Value,
            ServerPattern().Matches(m.Groups[2].Value).Select(s =>
            {
                var weight = Regex.Match(s.Groups[2].Value, @"weight=(\d+)");
                return new UpstreamServer(s.Groups[1].Value, weight.Success ? int.Parse(weight.Groups[1].Value, CultureInfo.InvariantCulture) : 1);
            }).ToArray())).ToArray();

    private async Task ReloadAsync(CancellationToken cancellation)
    {
        var master = MasterPid();
        var before = master is null ? null : Children(master.Value);
        var reload = await RunNginxAsync(cancellation, "-s", "reload").ConfigureAwait(false);
        if (reload.ExitCode != 0)
        {
            throw new ReleaseOpsException("ProxyReloadFailed", FailureKind.OperationFailed,
                $"nginx -s reload failed: {reload.Output.Trim()}", _definition.ConfigFile ?? _definition.Binary,
                "Check that the nginx master named by the config's pid file is running.");
        }
        // Reload is a signal: wait until the master has started workers with the new configuration.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        if (master is not null && before is not null)
        {
            // Done when new workers run and every old one has stopped accepting (gone, or "shutting down").
            while (DateTime.UtcNow < deadline &&
                   (!Children(master.Value).Except(before).Any() || before.Any(AcceptsConnections)))
            {
                await Task.Delay(20, cancellation).ConfigureAwait(false);
            }
        }
        else
        {
            await Task.Delay(TimeSpan.FromSeconds(1), cancellation).ConfigureAwait(false);
        }
    }

    private int? MasterPid()
    {
        if (_definition.ConfigFile is null || !File.Exists(_definition.ConfigFile)) return null;
        var m = PidDirective().Match(File.ReadAllText(_definition.ConfigFile));
        if (!m.Success) return null;
        var pidFile = m.Groups[1].Value;
        if (!Path.IsPathRooted(pidFile) || !File.Exists(pidFile)) return null;
        return int.TryParse(File.ReadAllText(pidFile).Trim(), out var pid) ? pid : null;
    }

    private static bool AcceptsConnections(int worker)
    {
        try
        {
            var title = File.ReadAllText($"/proc/{worker}/cmdline");
            return title.Contains("worker process", StringComparison.Ordinal) && !title.Contains("shutting down", StringComparison.Ordinal);
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static HashSet<int> Children(int parent)
    {
        var result = new HashSet<int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid)) continue;
            try
            {
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                if (fields.Length > 1 && fields[1] == parent.ToString(CultureInfo.InvariantCulture)) result.Add(pid);
            }
            catch (IOException)
            {
            }
        }
        return result;
    }

    private async Task<(int ExitCode, string Output)> RunNginxAsync(CancellationToken cancellation, params string[] args)
    {
        var start = new ProcessStartInfo(_definition.Binary)
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        foreach (var a in args) start.ArgumentList.Add(a);
        Secrets.ChildEnvironment.Minimal(start);
        if (_definition.ConfigFile is not null)
        {
            start.ArgumentList.Add("-c");
            start.ArgumentList.Add(Path.GetFullPath(_definition.ConfigFile));
        }
        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new ReleaseOpsException("ProxyBinaryNotFound", FailureKind.NotFound,
                $"Cannot run nginx '{_definition.Binary}': {ex.Message}.", _definition.Binary,
                "Install nginx or set proxy.binary in the plan.", ex);
        }
        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync(cancellation);
            var stderr = process.StandardError.ReadToEndAsync(cancellation);
            using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
            limit.CancelAfter(TimeSpan.FromSeconds(30));
            try
            {
                await process.WaitForExitAsync(limit.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellation.IsCancellationRequested)
            {
                process.Kill(true);
                throw new ReleaseOpsException("ProxyCommandTimeout", FailureKind.Timeout,
                    $"nginx {string.Join(' ', args)} did not finish within 30 s.", _definition.Binary, "Check the nginx host.");
            }
            return (process.ExitCode, await stdout.ConfigureAwait(false) + await stderr.ConfigureAwait(false));
        }
    }
}
