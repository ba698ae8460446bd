using System.Diagnostics;

namespace ReleaseOps.Secrets;

/// <summary>
/// The environment a tool ReleaseOps runs (pg_dump, pg_restore, redis-server, nginx) starts with: only what such tools
/// need from ours (search path, home, user, locale, time zone, temporary directory, and on Windows what the system
/// needs), then what the caller sets for the tool. Everything else stays behind: a password handed over as
/// <c>--password-env MY_PW</c>, a plan's <c>secrets: { env: X }</c>, a CI job's tokens would otherwise be readable by
/// anyone who may read the child's <c>/proc/PID/environ</c> for as long as it runs.
/// </summary>
public static class ChildEnvironment
{
    private static readonly HashSet<string> Kept = new(StringComparer.OrdinalIgnoreCase)
    {
        "PATH", "HOME", "USER", "LOGNAME", "LANG", "LANGUAGE", "TZ", "TMPDIR",
        "SYSTEMROOT", "WINDIR", "COMSPEC", "PATHEXT", "TEMP", "TMP", "USERPROFILE",
    };

    /// <summary>
    /// Clears <paramref name="start"/>'s environment down to the minimum; variables whose names start with one of
    /// <paramref name="keepPrefixes"/> (settings of that tool, e.g. <c>PGSSL</c>) stay too. Call it before setting the tool's own.
    /// </summary>
    public static void Minimal(ProcessStartInfo start, params string[] keepPrefixes)
    {
        var kept = start.Environment
            .Where(kv => kv.Value is not null && (Kept.Contains(kv.Key) || kv.Key.StartsWith("LC_", StringComparison.Ordinal)
                || keepPrefixes.Any(p => kv.Key.StartsWith(p, StringComparison.Ordinal))))
            .ToList();
        start.Environment.Clear();
        foreach (var (name, value) in kept)
        {
            start.Environment[name] = value;
        }
    }
}
