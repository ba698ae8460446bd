using System.Globalization;

namespace ReleaseOps.Bench;

/// <summary>The process's peak resident set (VmHWM), resettable so that one benchmark of a run-all measures its own peak.</summary>
public static class PeakWorkingSet
{
    /// <summary>Resets VmHWM to the current resident set (Linux: "5" into /proc/self/clear_refs); a no-op where it cannot.</summary>
    public static void Reset()
    {
        // Aggressive: compacts and gives the freed memory back to the OS, so that what an earlier benchmark of a
        // run-all left in the GC's keeping (the 5,000-endpoint watch's) does not count as this one's peak.
        GC.Collect(2, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(2, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        try
        {
            File.WriteAllText("/proc/self/clear_refs", "5");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
        }
    }

    public static double Megabytes()
    {
        if (!File.Exists("/proc/self/status")) return Environment.WorkingSet / 1048576.0;
        var line = File.ReadLines("/proc/self/status").First(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024.0;
    }
}
