using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using ReleaseOps.Errors;
using ReleaseOps.Operations;
using ReleaseOps.Plans;

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
/// fails the probe when the timeout ends, it never stalls the deployment). Expectations use the
/// comparisons deployments need: <c>status OP N</c>, <c>body contains 'text'</c>,
/// <c>json.path == value</c>, <c>response_time OP 500ms</c>; with none, a status below 400 passes.
/// </summary>
public sealed partial class ProbeRunner : IDisposable
{
    private readonly HttpClient _http;

    public ProbeRunner()
    {
        _http = new HttpClient(new SocketsHttpHandler
        {
            PooledConnectionLifetime = TimeSpan.FromSeconds(30),
            ConnectTimeout = TimeSpan.FromSeconds(5),
            AllowAutoRedirect = false,
        })
        { Timeout = Timeout.InfiniteTimeSpan };
    }

    [GeneratedRegex(@"^\s*(status|duration|response_time)\s*(==|!=|<=|>=|<|>)\s*(\S+)\s*$", RegexOptions.CultureInvariant)]
    private static partial Regex Comparison();

    [GeneratedRegex(@"^\s*json\.([A-Za-z0-9_.]+)\s*(==|!=)\s*(.+?)\s*$", RegexOptions.CultureInvariant)]
    private static partial Regex JsonComparison();

    [GeneratedRegex(@"^\s*body\s+contains\s+['""](.*)['""]\s*$", RegexOptions.CultureInvariant)]
    private static partial Regex BodyContains();

    /// <summary>Throws InvalidConfiguration for an expectation this runner cannot evaluate.</summary>
    public static void Validate(IEnumerable<string> expectations, string where)
    {
        foreach (var e in expectations)
        {
            var m = Comparison().Match(e);
            var ok = BodyContains().IsMatch(e) || JsonComparison().IsMatch(e) || (m.Success && (m.Groups[1].Value == "status"
                ? int.TryParse(m.Groups[3].Value, out _)
                : DurationText.TryParse(m.Groups[3].Value, out _)));
            if (!ok)
            {
                throw new ReleaseOpsException("ProbeExpectationUnsupported", FailureKind.InvalidConfiguration,
                    $"{where}: cannot evaluate '{e}' during a deployment.", where,
                    "Write status == 200, status < 400, body contains 'UP', json.status == \"UP\" or response_time < 500ms.");
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
        var url = Resolve(probe.Url ?? "/", probe.Port is null ? instance : new UriBuilder(instance) { Port = probe.Port.Value }.Uri);
        return await HttpAsync(probe.Name, "GET", url, null, probe.Headers, probe.Expect, probe.Timeout, cancellation).ConfigureAwait(false);
    }

    /// <summary>Runs a smoke check; relative URLs resolve against <paramref name="baseAddress"/>.</summary>
    public Task<ProbeOutcome> SmokeAsync(SmokeCheckDefinition check, Uri baseAddress, CancellationToken cancellation) =>
        HttpAsync(check.Name, check.Method, Resolve(check.Url, baseAddress), check.Body, check.Headers, check.Expect, check.Timeout, cancellation);

    private static Uri Resolve(string url, Uri baseAddress) =>
        Uri.TryCreate(url, UriKind.Absolute, out var absolute) && absolute.Scheme.StartsWith("http", StringComparison.Ordinal)
            ? absolute
            : new Uri(baseAddress, url);

    private async Task<ProbeOutcome> HttpAsync(string name, string method, Uri url, string? body,
        IReadOnlyDictionary<string, string> headers, IReadOnlyList<string> expect, TimeSpan timeout, CancellationToken cancellation)
    {
        var target = url.ToString();
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        limit.CancelAfter(timeout);
        var clock = Stopwatch.StartNew();
        try
        {
            using var request = new HttpRequestMessage(new HttpMethod(method), url);
            foreach (var (key, value) in headers) request.Headers.TryAddWithoutValidation(key, value);
            if (body is not null) request.Content = new StringContent(body);
            using var response = await _http.SendAsync(request, limit.Token).ConfigureAwait(false);
            var text = await response.Content.ReadAsStringAsync(limit.Token).ConfigureAwait(false);
            var status = (int)response.StatusCode;
            var observed = $"status {status.ToString(CultureInfo.InvariantCulture)} in {clock.ElapsedMilliseconds} ms";
            var rules = expect.Count == 0 ? new[] { "status < 400" } : expect;
            foreach (var rule in rules)
            {
                if (!Holds(rule, status, text, clock.Elapsed))
                {
                    return new ProbeOutcome(name, target, false, observed, rule);
                }
            }
            return new ProbeOutcome(name, target, true, observed, null);
        }
        catch (OperationCanceledException) when (!cancellation.IsCancellationRequested)
        {
            return new ProbeOutcome(name, target, false, $"no answer within {DurationText.Format(timeout)} (timed out)", "an answer");
        }
        catch (HttpRequestException ex)
        {
            return new ProbeOutcome(name, target, false, ex.HttpRequestError == HttpRequestError.Unknown ? ex.Message : ex.HttpRequestError.ToString(), "an answer");
        }
    }

    private static bool Holds(string rule, int status, string body, TimeSpan elapsed)
    {
        var contains = BodyContains().Match(rule);
        if (contains.Success)
        {
            return body.Contains(contains.Groups[1].Value, StringComparison.Ordinal);
        }
        var json = JsonComparison().Match(rule);
        if (json.Success)
        {
            var equal = string.Equals(JsonValue(body, json.Groups[1].Value), json.Groups[3].Value.Trim('"', '\''), StringComparison.Ordinal);
            return json.Groups[2].Value == "==" ? equal : !equal;
        }
        var m = Comparison().Match(rule);
        if (!m.Success)
        {
            return false;
        }
        double left, right;
        if (m.Groups[1].Value == "status")
        {
            left = status;
            right = double.Parse(m.Groups[3].Value, CultureInfo.InvariantCulture);
        }
        else
        {
            left = elapsed.TotalMilliseconds;
            right = DurationText.Parse(m.Groups[3].Value).TotalMilliseconds;
        }
        return m.Groups[2].Value switch
        {
            "==" => left == right,
            "!=" => left != right,
            "<" => left < right,
            "<=" => left <= right,
            ">" => left > right,
            _ => left >= right,
        };
    }

    /// <summary>The value at a dotted path of a JSON body, as text (null when absent or not JSON).</summary>
    private static string? JsonValue(string body, string path)
    {
        try
        {
            using var document = System.Text.Json.JsonDocument.Parse(body);
            var node = document.RootElement;
            foreach (var part in path.Split('.'))
            {
                if (node.ValueKind != System.Text.Json.JsonValueKind.Object || !node.TryGetProperty(part, out node)) return null;
            }
            return node.ValueKind == System.Text.Json.JsonValueKind.String ? node.GetString() : node.GetRawText();
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
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
