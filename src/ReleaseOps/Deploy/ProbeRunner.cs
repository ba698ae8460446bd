using System.Globalization;
using System.Net.Sockets;
using ReleaseOps.Conditions;
using ReleaseOps.Errors;
using ReleaseOps.Infrastructure.Http;
using ReleaseOps.Operations;
using ReleaseOps.Plans;
using ReleaseOps.Secrets;
using ReleaseOps.Text;

namespace ReleaseOps.Deploy;

/// <summary>One probe or smoke check against one address: did it pass, and what was seen.</summary>
public sealed record ProbeOutcome(string Probe, string Target, bool Passed, string Observed, string? Expectation)
{
    /// <summary>"probe 'health' on http://127.0.0.1:21003/health: status 404, expected status == 200".</summary>
    public string Describe() =>
        $"probe '{Probe}' on {Target}: {Observed}{(Passed || Expectation is null ? "" : $", expected {Expectation}")}";
}

/// <summary>
/// Runs HTTP and TCP probes and HTTP smoke checks, each within its own timeout (a hanging endpoint
/// fails the probe when the timeout ends, it never stalls the deployment). Expectations are
/// conditions in the shared condition language, over the values <see cref="HttpResponseValues"/>
/// offers (status, response_time, body, header.*, json.*); with none, a status below 400 passes.
/// </summary>
public sealed class ProbeRunner : IDisposable
{
    private static readonly string[] DefaultExpectation = { "status < 400" };
    private readonly HttpProbeClient _http = new();
    private readonly SecretCatalog _secrets;

    /// <summary>
    /// <paramref name="secrets"/>: the plan's, for <c>${secret:NAME}</c> in probes' and smoke checks' URLs, headers and bodies.
    /// Each value is read when a request is made, goes only into the request, and is masked in what an outcome says.
    /// </summary>
    public ProbeRunner(SecretCatalog? secrets = null)
    {
        _secrets = secrets ?? SecretCatalog.Empty;
    }

    /// <summary>Throws InvalidConfiguration (naming where) for an expectation that is not a valid condition.</summary>
    public static void Validate(IEnumerable<string> expectations, string where)
    {
        foreach (var e in expectations)
        {
            if (!ConditionExpression.TryParse(e, out _, out var error))
            {
                throw new ReleaseOpsException("ProbeExpectationUnsupported", FailureKind.InvalidConfiguration,
                    $"{where}: '{e}' is not a condition: {error!.Message} (at character {error.Offset + 1}).", where,
                    "Write a condition such as status == 200, json.status == \"UP\" or response_time < 500ms.");
            }
        }
    }

    /// <summary>Runs a health probe against an instance published at <paramref name="instance"/>.</summary>
    public async Task<ProbeOutcome> ProbeAsync(ProbeDefinition probe, Uri instance, CancellationToken cancellation)
    {
        if (probe.Type == ProbeType.Tcp)
        {
            var host = probe.Host ?? instance.Host;
            var port = probe.Port ?? instance.Port;
            var target = $"{host}:{port}";
            using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
            limit.CancelAfter(probe.Timeout);
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(host, port, limit.Token).ConfigureAwait(false);
                return new ProbeOutcome(probe.Name, target, true, "connected", null);
            }
            catch (OperationCanceledException) when (!cancellation.IsCancellationRequested)
            {
                return new ProbeOutcome(probe.Name, target, false, $"no connection within {DurationText.Format(probe.Timeout)}", "a connection");
            }
            catch (SocketException ex)
            {
                return new ProbeOutcome(probe.Name, target, false, ex.SocketErrorCode.ToString(), "a connection");
            }
        }
        var masking = new SecretRedactor();
        var url = Resolve(_secrets.Expand(probe.Url ?? "/", masking)!, probe.Port is null ? instance : new UriBuilder(instance) { Port = probe.Port.Value }.Uri);
        return await HttpAsync(probe.Name, "GET", url, null, probe.Headers, probe.Expect, probe.Timeout, masking, cancellation).ConfigureAwait(false);
    }

    /// <summary>Runs a smoke check; relative URLs resolve against <paramref name="baseAddress"/>.</summary>
    public Task<ProbeOutcome> SmokeAsync(SmokeCheckDefinition check, Uri baseAddress, CancellationToken cancellation)
    {
        var masking = new SecretRedactor();
        return HttpAsync(check.Name, check.Method, Resolve(_secrets.Expand(check.Url, masking)!, baseAddress), check.Body, check.Headers, check.Expect,
            check.Timeout, masking, cancellation);
    }

    private static Uri Resolve(SecretValue url, Uri baseAddress) =>
        Uri.TryCreate(url.Reveal(), UriKind.Absolute, out var absolute) && absolute.Scheme.StartsWith("http", StringComparison.Ordinal)
            ? absolute
            : new Uri(baseAddress, url.Reveal());

    private async Task<ProbeOutcome> HttpAsync(string name, string method, Uri url, string? body,
        IReadOnlyDictionary<string, string> headers, IReadOnlyList<string> expect, TimeSpan timeout, SecretRedactor masking, CancellationToken cancellation)
    {
        // What an outcome says (its target, what was seen) passes through the mask: a URL may carry a secret, an answer may echo one.
        var target = masking.Redact(url.ToString());
        HttpProbeResponse response;
        try
        {
            response = await _http.SendAsync(new HttpProbeRequest
            {
                Url = url,
                Method = method,
                Headers = headers.ToDictionary(h => h.Key, h => _secrets.Expand(h.Value, masking)!),
                Body = _secrets.Expand(body, masking),
                Timeout = timeout,
            }, cancellation).ConfigureAwait(false);
        }
        catch (HttpProbeException ex)
        {
            return new ProbeOutcome(name, target, false, masking.Redact(ex.Kind == FailureKind.Timeout ? ex.Reason + " (timed out)" : ex.Reason), "an answer");
        }
        var observed = $"status {response.Status.ToString(CultureInfo.InvariantCulture)} in {(long)response.Elapsed.TotalMilliseconds} ms";
        var values = HttpResponseValues.Create(response.Status, response.Elapsed, response.Body, response.Headers);
        foreach (var rule in expect.Count == 0 ? DefaultExpectation : expect)
        {
            var outcome = ConditionExpression.Parse(rule).Evaluate(values);
            if (!outcome.Passed)
            {
                return new ProbeOutcome(name, target, false, masking.Redact($"{observed} ({outcome.Message})"), rule);
            }
        }
        return new ProbeOutcome(name, target, true, observed, null);
    }

    public void Dispose() => _http.Dispose();
}

/// <summary>
/// The default canary judge: every HTTP/TCP health probe of the service must pass on the canary and
/// on the stable instances (a failure only on the canary is the canary's fault).
/// </summary>
public sealed class ProbeCanaryAnalysis : ICanaryAnalysis
{
    private readonly ProbeRunner _probes;

    public ProbeCanaryAnalysis(ProbeRunner probes)
    {
        _probes = probes;
    }

    public async Task<CanaryVerdict> AnalyseAsync(CanaryContext context, IOperationReporter reporter, CancellationToken cancellation)
    {
        var reasons = new List<string>();
        var probes = context.Service.Health.Where(p => p.Type is ProbeType.Http or ProbeType.Tcp).ToArray();
        foreach (var canary in context.Canary)
        {
            foreach (var probe in probes)
            {
                var outcome = await _probes.ProbeAsync(probe, canary, cancellation).ConfigureAwait(false);
                if (!outcome.Passed) reasons.Add("canary " + outcome.Describe());
            }
        }
        foreach (var stable in context.Stable)
        {
            foreach (var probe in probes)
            {
                var outcome = await _probes.ProbeAsync(probe, stable, cancellation).ConfigureAwait(false);
                if (!outcome.Passed) reporter.Warning("stable " + outcome.Describe());
            }
        }
        if (reasons.Count == 0)
        {
            reasons.Add($"{probes.Length} probe(s) passed on {context.Canary.Count} canary instance(s) at {context.TrafficPercent}%");
            return new CanaryVerdict(true, reasons);
        }
        return new CanaryVerdict(false, reasons);
    }
}
