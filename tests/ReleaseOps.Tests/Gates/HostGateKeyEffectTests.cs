using Microsoft.Extensions.Time.Testing;
using ReleaseOps.Gates;
using ReleaseOps.Operations;
using Xunit;
using static ReleaseOps.Tests.Gates.GateKit;

namespace ReleaseOps.Tests.Gates;

/// <summary>
/// Keys of the disk, memory and window gates whose effect HostAndPolicyGateTests did not show (set only to values that pass):
/// each is run with a value the host meets and with one it cannot.
/// </summary>
public class HostGateKeyEffectTests
{
    [Fact]
    public async Task Disk_path_and_min_free_percent_decide_what_is_measured_and_what_passes()
    {
        var here = Path.GetTempPath();
        var low = await Run(("type", "disk"), ("path", here), ("min_free_percent", 0.1));
        Assert.True(low.Status == GateStatus.Passed, Explain(low));
        Assert.Equal(Path.GetFullPath(here), Path.GetFullPath(low.Target!));
        var impossible = await Run(("type", "disk"), ("path", here), ("min_free_percent", 100));
        Assert.Equal(GateStatus.Failed, impossible.Status);
        Assert.Contains("100%", impossible.Message);

        var nowhere = await Run(("type", "disk"), ("path", "/nonexistent/ro-gate-disk"), ("min_free", "1MB"));
        Assert.Equal(GateStatus.Error, nowhere.Status);
        Assert.Equal("GatePathNotFound", nowhere.ErrorId);
    }

    [Fact]
    public async Task Memory_min_available_fails_a_floor_above_what_the_host_has()
    {
        var low = await Run(("type", "memory"), ("min_available", "1MB"));
        Assert.True(low.Status == GateStatus.Passed, Explain(low));
        var impossible = await Run(("type", "memory"), ("min_available", "900TB"));
        Assert.Equal(GateStatus.Failed, impossible.Status);
        Assert.Contains("900TB", impossible.Message);
        var lowPercent = await Run(("type", "memory"), ("min_available_percent", 0.1));
        Assert.True(lowPercent.Status == GateStatus.Passed, Explain(lowPercent));
    }

    [Fact]
    public async Task A_window_end_and_freeze_dates_decide_whether_now_is_inside()
    {
        // Wednesday 2026-11-18 08:30 UTC is 09:30 in Berlin.
        var options = new GateRunOptions { Clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 18, 8, 30, 0, TimeSpan.Zero)) };
        Task<GateResult> Window(params (string, object?)[] extra) =>
            Run(GateEnvironment.Default, options, extra.Prepend(("timezone", "Europe/Berlin")).Prepend(("type", "window")).ToArray());
        static object[] Freeze(string from, string to) => new object[] { new Dictionary<string, object?> { ["from"] = from, ["to"] = to, ["reason"] = "audit" } };

        var open = await Window(("start", "08:00"), ("end", "10:00"));
        Assert.True(open.Status == GateStatus.Passed, Explain(open));
        var closed = await Window(("start", "08:00"), ("end", "09:00"));
        Assert.Equal(GateStatus.Failed, closed.Status);
        Assert.Contains("09:30 is outside the window 08:00-09:00 (Europe/Berlin)", closed.Message);

        var frozen = await Window(("freezes", Freeze("2026-11-18", "2026-11-20")));
        Assert.Equal(GateStatus.Failed, frozen.Status);
        Assert.Contains("(audit)", frozen.Message);
        var notYet = await Window(("freezes", Freeze("2026-11-19", "2026-11-20")));
        Assert.True(notYet.Status == GateStatus.Passed, Explain(notYet));
        var over = await Window(("freezes", Freeze("2026-11-10", "2026-11-17")));
        Assert.True(over.Status == GateStatus.Passed, Explain(over));
    }
}
