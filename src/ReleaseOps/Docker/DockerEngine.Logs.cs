using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Docker.DotNet;
using Docker.DotNet.Models;
using ReleaseOps.Errors;

namespace ReleaseOps.Docker;

/// <summary>Whose logs to read: one container's, or every task's of a Swarm service.</summary>
public enum LogSourceKind
{
    Container,
    Service,
}

/// <summary>
/// What a log scan found: lines read, lines matching, the first matching lines (as written: the
/// caller redacts them before they go anywhere), and whether the scan stopped at its byte limit
/// (then the counts are lower bounds).
/// </summary>
public sealed record LogScan(long Lines, long Matches, IReadOnlyList<string> FirstMatches, bool Truncated);

public sealed partial class DockerEngine
{
    /// <summary>The longest line matched; the rest of a longer line is not read into the pattern.</summary>
    public const int MaxLineLength = 16 * 1024;

    /// <summary>A log pattern as the log checks take it: a .NET regular expression, at most a second on a line.</summary>
    /// <exception cref="ArgumentException">It is not a regular expression.</exception>
    public static Regex LogPattern(string pattern, bool ignoreCase) =>
        new(pattern, RegexOptions.CultureInvariant | (ignoreCase ? RegexOptions.IgnoreCase : RegexOptions.None), TimeSpan.FromSeconds(1));

    /// <summary>
    /// Reads a container's (or a Swarm service's) stdout and stderr written since <paramref name="since"/>
    /// (up to <paramref name="until"/> for containers; services' logs always run to now) and counts the
    /// lines <paramref name="pattern"/> matches, keeping the first <paramref name="keep"/>. Stops after
    /// <paramref name="maxBytes"/> bytes. A pattern that takes too long on a line is <c>LogPatternTooSlow</c>.
    /// </summary>
    public Task<LogScan> ScanLogsAsync(LogSourceKind kind, string name, Regex pattern, DateTimeOffset since, DateTimeOffset? until,
        int keep, long maxBytes, CancellationToken cancellation = default, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        var target = kind == LogSourceKind.Container ? ContainerTarget(name) : ServiceTarget(name);
        return CallAsync(target, async (api, token) =>
        {
            using var stream = kind == LogSourceKind.Container
                ? await api.Containers.GetContainerLogsAsync(name, new ContainerLogsParameters
                {
                    ShowStdout = true,
                    ShowStderr = true,
                    Since = UnixTime(since),
                    Until = until is null ? null : UnixTime(until.Value),
                }, token).ConfigureAwait(false)
                : await api.Swarm.GetServiceLogsAsync(name, await ServiceHasTtyAsync(api, name, token).ConfigureAwait(false),
                    new ServiceLogsParameters { ShowStdout = true, ShowStderr = true, Since = UnixTime(since) }, token).ConfigureAwait(false);
            return await ScanAsync(stream, pattern, keep, maxBytes, target, token).ConfigureAwait(false);
        }, cancellation, timeout);
    }

    private static async Task<bool> ServiceHasTtyAsync(IDockerClient api, string service, CancellationToken cancellation) =>
        (await api.Swarm.InspectServiceAsync(service, cancellation).ConfigureAwait(false)).Spec?.TaskTemplate?.ContainerSpec?.TTY == true;

    private static async Task<LogScan> ScanAsync(MultiplexedStream stream, Regex pattern, int keep, long maxBytes, string target,
        CancellationToken cancellation)
    {
        var decoder = Encoding.UTF8.GetDecoder();
        var bytes = new byte[64 * 1024];
        var chars = new char[Encoding.UTF8.GetMaxCharCount(bytes.Length)];
        var line = new StringBuilder();
        var kept = new List<string>();
        long lines = 0, matches = 0, read = 0;
        var truncated = false;

        void Finish()
        {
            var text = line.ToString().TrimEnd('\r');
            line.Clear();
            lines++;
            bool hit;
            try
            {
                hit = pattern.IsMatch(text);
            }
            catch (RegexMatchTimeoutException ex)
            {
                throw new ReleaseOpsException("LogPatternTooSlow", FailureKind.InvalidConfiguration,
                    $"The pattern '{pattern}' took longer than {pattern.MatchTimeout.TotalSeconds:0.#} s on one line of {target}.", target,
                    "Simplify the pattern: anchor it, and avoid nested quantifiers such as (a+)+.", ex);
            }
            if (hit)
            {
                matches++;
                if (kept.Count < keep) kept.Add(text);
            }
        }

        while (true)
        {
            var result = await stream.ReadOutputAsync(bytes, 0, bytes.Length, cancellation).ConfigureAwait(false);
            if (result.EOF)
            {
                break;
            }
            read += result.Count;
            var count = decoder.GetChars(bytes, 0, result.Count, chars, 0);
            for (var i = 0; i < count; i++)
            {
                if (chars[i] == '\n')
                {
                    Finish();
                }
                else if (line.Length < MaxLineLength)
                {
                    line.Append(chars[i]);
                }
            }
            if (read >= maxBytes)
            {
                truncated = true;
                break;
            }
        }
        if (line.Length > 0)
        {
            Finish();
        }
        return new LogScan(lines, matches, kept, truncated);
    }

    /// <summary>Seconds since the epoch with nanoseconds, as the logs endpoints take them.</summary>
    private static string UnixTime(DateTimeOffset time)
    {
        var ticks = time.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks;
        return (ticks / TimeSpan.TicksPerSecond).ToString(CultureInfo.InvariantCulture) + "." +
               (ticks % TimeSpan.TicksPerSecond * 100).ToString("D9", CultureInfo.InvariantCulture);
    }
}
