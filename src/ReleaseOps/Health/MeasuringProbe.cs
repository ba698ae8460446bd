using System.Diagnostics;
using ReleaseOps.Conditions;
using ReleaseOps.Errors;
using ReleaseOps.Infrastructure.Http;
using ReleaseOps.Plans;
using ReleaseOps.Secrets;
using ReleaseOps.Text;

namespace ReleaseOps.Health;

/// <summary>One measurement: the numbers a sample carries to the criteria, and values only its own expect conditions read (text).</summary>
public sealed record ProbeMeasurement(IReadOnlyDictionary<string, double> Values, IReadOnlyDictionary<string, object?>? Extra = null);

/// <summary>
/// A probe that measures the team's own figures (a PromQL query, log lines, a database's or Redis's
/// statistics, a command's result) each interval. A sample succeeds when the measurement was taken within
/// the probe's timeout and meets every <c>expect</c> condition; it fails with the first unmet condition,
/// the timeout, or why the target could not be measured, and every error text passes through the probe's
/// redactor (its secrets). Samples carry no latency: how long a query or a script takes is not the
/// service's response time, so it stays out of the watch's latency figures (expect can read it as
/// <c>duration</c>). Resources (connections, clients) are made on the first sample and released by
/// <see cref="DisposeAsync"/>, so a watch that is only prepared holds nothing.
/// </summary>
public abstract class MeasuringProbe : IHealthProbe, IAsyncDisposable
{
    private readonly IReadOnlyList<HealthCondition> _expect;

    protected MeasuringProbe(ProbeDefinition definition, TimeSpan interval, SecretRedactor redactor)
    {
        Name = definition.Name;
        Type = definition.Type;
        Interval = interval;
        Timeout = definition.Timeout;
        Redactor = redactor;
        _expect = definition.Expect.Select(HealthCondition.Parse).ToArray();
    }

    public string Name { get; }

    public ProbeType Type { get; }

    public TimeSpan Interval { get; }

    public TimeSpan Timeout { get; }

    protected SecretRedactor Redactor { get; }

    public async Task<HealthSample> SampleAsync(CancellationToken cancellation)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        limit.CancelAfter(Timeout);
        var started = Stopwatch.GetTimestamp();
        ProbeMeasurement measured;
        try
        {
            measured = await MeasureAsync(limit.Token).WaitAsync(limit.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellation.IsCancellationRequested)
        {
            return Failed($"no measurement within {DurationText.Format(Timeout)}");
        }
        catch (ReleaseOpsException ex)
        {
            var why = ex is HttpProbeException http ? http.Reason : ex.Message;
            return Failed(Redactor.Redact(why));
        }
        var latency = Stopwatch.GetElapsedTime(started);
        var unmet = Judge(measured, latency);
        return new HealthSample
        {
            Probe = Name, Type = Type, Values = measured.Values, Success = unmet is null, Error = unmet is null ? null : Redactor.Redact(unmet),
        };
    }

    /// <summary>Takes one measurement; throws a <see cref="ReleaseOpsException"/> when the target cannot be measured.</summary>
    protected abstract Task<ProbeMeasurement> MeasureAsync(CancellationToken cancellation);

    public virtual ValueTask DisposeAsync()
    {
        GC.SuppressFinalize(this);
        return ValueTask.CompletedTask;
    }

    /// <summary>The first expect condition the measurement does not meet (it reads the numbers, the extra values and <c>duration</c>).</summary>
    private string? Judge(ProbeMeasurement measured, TimeSpan latency)
    {
        if (_expect.Count == 0)
        {
            return null;
        }
        var values = new ConditionValues().Set("duration", latency);
        foreach (var (name, value) in measured.Values)
        {
            values.Set(name, value);
        }
        foreach (var (name, value) in measured.Extra ?? new Dictionary<string, object?>())
        {
            values.Set(name, value);
        }
        return _expect.Select(c => c.Expression.Evaluate(values)).FirstOrDefault(o => !o.Passed)?.Message;
    }

    private HealthSample Failed(string why) => new() { Probe = Name, Type = Type, Success = false, Error = why };
}
