using System.Diagnostics;
using System.Threading.Channels;

namespace ReleaseOps.Health;

/// <summary>
/// Runs probes on their intervals without a thread per probe. Probes with the same interval form
/// a group, and each group is one timer wheel: the interval is cut into slots (10 ms each, at most
/// 100), the group's probes are spread evenly over the slots, and one loop wakes at each slot's
/// due time (computed from the monotonic timestamps of a <see cref="TimeProvider"/>, so it neither drifts nor follows
/// wall-clock changes) and starts that slot's probes. A probe whose previous sample is still running skips the
/// tick (counted in <see cref="SkippedTicks"/>). Every sample carries how late its start was.
/// </summary>
public sealed class ProbeScheduler
{
    private readonly long _slotTicks; // 10 ms
    private readonly TimeProvider _time;
    private readonly IReadOnlyList<IHealthProbe> _probes;
    private readonly ChannelWriter<HealthSample> _output;
    private readonly long _origin;
    private readonly DateTimeOffset _wallOrigin;
    private long _skipped;
    private long _inFlight;

    /// <param name="probes">What to sample; grouped by interval.</param>
    /// <param name="output">Where each sample is written as soon as it is taken.</param>
    /// <param name="origin">The watch's start, a <see cref="TimeProvider.GetTimestamp"/> value; sample offsets count from it.</param>
    /// <param name="wallOrigin">The wall-clock time of <paramref name="origin"/>, for sample timestamps.</param>
    /// <param name="time">The clock (the system's; a fake one in tests).</param>
    public ProbeScheduler(IReadOnlyList<IHealthProbe> probes, ChannelWriter<HealthSample> output, long origin, DateTimeOffset wallOrigin,
        TimeProvider? time = null)
    {
        _time = time ?? TimeProvider.System;
        _slotTicks = _time.TimestampFrequency / 100;
        _probes = probes;
        _output = output;
        _origin = origin;
        _wallOrigin = wallOrigin;
    }

    /// <summary>Ticks skipped because the probe's previous sample was still running.</summary>
    public long SkippedTicks => Interlocked.Read(ref _skipped);

    /// <summary>
    /// Schedules until <paramref name="cancellation"/> fires or <paramref name="until"/> (a
    /// timestamp of the clock) passes, then waits for samples in flight and completes the channel.
    /// </summary>
    public async Task RunAsync(long until, CancellationToken cancellation)
    {
        var running = new List<Task>();
        try
        {
            foreach (var group in _probes.GroupBy(p => p.Interval.Ticks))
            {
                running.Add(RunGroupAsync(group.ToArray(), group.First().Interval, until, cancellation));
            }
            await Task.WhenAll(running).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
            // Stopped: fall through and let the samples in flight finish.
        }
        finally
        {
            // Samples in flight end at their own timeouts at the latest.
            while (Interlocked.Read(ref _inFlight) > 0)
            {
                await Task.Delay(5, CancellationToken.None).ConfigureAwait(false);
            }
            _output.TryComplete();
        }
    }

    private async Task RunGroupAsync(IHealthProbe[] probes, TimeSpan interval, long until, CancellationToken cancellation)
    {
        var intervalTicks = (long)(interval.TotalSeconds * _time.TimestampFrequency);
        var slots = (int)Math.Clamp(intervalTicks / _slotTicks, 1, 100);
        var slotTicks = intervalTicks / slots;
        var wheel = new List<IHealthProbe>[slots];
        for (var s = 0; s < slots; s++) wheel[s] = new List<IHealthProbe>();
        for (var i = 0; i < probes.Length; i++) wheel[(int)((long)i * slots / probes.Length)].Add(probes[i]);
        var busy = probes.ToDictionary(p => p, _ => new StrongBox());

        var start = _time.GetTimestamp();
        for (long tick = 0; ; tick++)
        {
            var due = start + tick * slotTicks;
            if (due >= until) return;
            var wait = due - _time.GetTimestamp();
            if (wait > 0)
            {
                await Task.Delay(TimeSpan.FromSeconds((double)wait / _time.TimestampFrequency), _time, cancellation).ConfigureAwait(false);
            }
            cancellation.ThrowIfCancellationRequested();
            var now = _time.GetTimestamp();
            if (now - due > intervalTicks)
            {
                // The process was stalled for more than a whole interval: skip the missed ticks
                // rather than firing them all at once.
                var behind = (now - start) / slotTicks;
                Interlocked.Add(ref _skipped, (behind - tick) * probes.Length / slots);
                tick = behind;
                due = start + tick * slotTicks;
            }
            foreach (var probe in wheel[tick % slots])
            {
                var flag = busy[probe];
                if (Interlocked.Exchange(ref flag.Value, 1) == 1)
                {
                    Interlocked.Increment(ref _skipped);
                    continue;
                }
                Interlocked.Increment(ref _inFlight);
                _ = SampleOnceAsync(probe, flag, due, cancellation);
            }
        }
    }

    private async Task SampleOnceAsync(IHealthProbe probe, StrongBox flag, long due, CancellationToken cancellation)
    {
        var startedAt = _time.GetTimestamp();
        var lagMs = (startedAt - due) * 1000.0 / _time.TimestampFrequency;
        try
        {
            HealthSample sample;
            try
            {
                sample = await probe.SampleAsync(cancellation).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                // A probe is not supposed to throw; a bug in one must not stop the watch.
                sample = new HealthSample { Probe = probe.Name, Type = probe.Type, Success = false, Error = ex.GetType().Name + ": " + ex.Message };
            }
            var offset = TimeSpan.FromSeconds((double)(startedAt - _origin) / _time.TimestampFrequency);
            _output.TryWrite(sample with
            {
                Offset = offset,
                Timestamp = _wallOrigin + offset,
                ScheduleLagMs = lagMs,
            });
        }
        finally
        {
            Volatile.Write(ref flag.Value, 0);
            Interlocked.Decrement(ref _inFlight);
        }
    }

    private sealed class StrongBox
    {
        public int Value;
    }
}
