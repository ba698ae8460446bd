using System.Globalization;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using ReleaseOps.Errors;
using ReleaseOps.Infrastructure.Http;
using ReleaseOps.Secrets;

namespace ReleaseOps.Infrastructure.Monitoring;

/// <summary>
/// How to reach a Prometheus or Alertmanager HTTP API: its root URL (a path prefix, as behind a
/// proxy, is kept), a bearer token or basic credentials, and TLS (a pinned CA, or no validation for
/// test endpoints). Secrets stay <see cref="SecretValue"/>s until they go into a request header.
/// </summary>
public sealed record MonitoringEndpoint
{
    public required Uri BaseUrl { get; init; }
    public SecretValue? BearerToken { get; init; }
    public string? Username { get; init; }
    public SecretValue? Password { get; init; }
    /// <summary>Trust only these CAs (a <c>ca_file</c>); null for the system store.</summary>
    public X509Certificate2Collection? Authorities { get; init; }
    public bool Insecure { get; init; }
    /// <summary>For one request: connecting, the answer and its body.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(10);
    /// <summary>Further secrets to keep out of errors (each secret a URL holds).</summary>
    public SecretRedactor? Redactor { get; init; }

    /// <summary>The request headers the credentials make.</summary>
    internal IReadOnlyDictionary<string, SecretValue> AuthorizationHeaders()
    {
        if (BearerToken is not null)
        {
            return new Dictionary<string, SecretValue> { ["Authorization"] = new("Bearer " + BearerToken.Reveal()) };
        }
        if (Username is not null)
        {
            var pair = Encoding.UTF8.GetBytes(Username + ":" + (Password?.Reveal() ?? ""));
            return new Dictionary<string, SecretValue> { ["Authorization"] = new("Basic " + Convert.ToBase64String(pair)) };
        }
        return new Dictionary<string, SecretValue>();
    }

    public override string ToString() => BaseUrl.GetLeftPart(UriPartial.Path).TrimEnd('/');
}

/// <summary>
/// What the Prometheus and Alertmanager clients share: requests through the engine's one HTTP probe
/// (keep-alive, its body cap), the endpoint's credentials, and one error mapping: transport failures
/// keep the probe's ids (<c>HttpUnreachable</c>, <c>HttpTimeout</c>, <c>HttpTlsHandshakeFailed</c>...),
/// 401/403 is <c>MonitoringUnauthorized</c>, a refused request <c>MonitoringRequestRejected</c> with the
/// server's reason, an answer that is not the API's JSON <c>MonitoringAnswerInvalid</c>. No error text
/// holds a credential. Thread-safe; dispose it to close its connections.
/// </summary>
public abstract class MonitoringApi : IDisposable
{
    private readonly HttpProbeClient _client;
    private readonly bool _ownsClient;
    private readonly string _product;
    private readonly SecretRedactor _redactor;

    /// <param name="endpoint">Where and how to connect.</param>
    /// <param name="product">The product's name in errors.</param>
    /// <param name="client">A client to send through (the gates of one run share one per TLS setting), made with the
    /// endpoint's TLS settings and not disposed with this API; null for one of its own.</param>
    protected MonitoringApi(MonitoringEndpoint endpoint, string product, HttpProbeClient? client = null)
    {
        Endpoint = endpoint ?? throw new ArgumentNullException(nameof(endpoint));
        _product = product;
        _ownsClient = client is null;
        _client = client ?? new HttpProbeClient(Options(endpoint));
        _redactor = SecretRedactor.For(endpoint.BearerToken, endpoint.Password);
    }

    /// <summary>The HTTP options an endpoint's TLS settings make (for a shared client).</summary>
    public static HttpProbeOptions Options(MonitoringEndpoint endpoint) =>
        new() { Insecure = endpoint.Insecure, Authorities = endpoint.Authorities };

    public MonitoringEndpoint Endpoint { get; }

    public void Dispose()
    {
        if (_ownsClient)
        {
            _client.Dispose();
        }
        GC.SuppressFinalize(this);
    }

    /// <summary>Query text for a URL: each pair escaped, repeated names kept.</summary>
    protected static string Query(params (string Name, string? Value)[] pairs) =>
        string.Join("&", pairs.Where(p => p.Value is not null).Select(p => p.Name + "=" + Uri.EscapeDataString(p.Value!)));

    /// <summary>Sends one request below the endpoint's root and returns the JSON answer.</summary>
    protected async Task<JsonDocument> SendAsync(string method, string path, string? body, string? contentType, CancellationToken cancellation)
    {
        var url = new Uri(Endpoint.BaseUrl.GetLeftPart(UriPartial.Path).TrimEnd('/') + "/" + path.TrimStart('/'));
        var response = await _client.SendAsync(new HttpProbeRequest
        {
            Url = url,
            Method = method,
            Headers = Endpoint.AuthorizationHeaders(),
            Body = body is null ? null : new SecretValue(body),
            ContentType = contentType,
            Timeout = Endpoint.Timeout,
            Redactor = Endpoint.Redactor,
        }, cancellation).ConfigureAwait(false);
        var where = $"{_product} at {Endpoint}";
        if (response.Status is 401 or 403)
        {
            throw new ReleaseOpsException("MonitoringUnauthorized", FailureKind.AuthenticationFailed,
                $"{where} refused the request (HTTP {response.Status}): the credentials are missing or wrong.", Endpoint.ToString(),
                "Give the bearer_token, or username and password, the server (or the proxy in front of it) expects, as ${secret:NAME}.");
        }
        if (response.BodyTruncated)
        {
            throw new ReleaseOpsException("MonitoringAnswerTooLarge", FailureKind.OperationFailed,
                $"{where} answered with more than {HttpProbeClient.MaxBodyBytes >> 20} MiB.", Endpoint.ToString(),
                "Narrow the query (aggregate with sum/count, or select fewer series).");
        }
        JsonDocument? document = null;
        try
        {
            // An answer without a body (Alertmanager's to a post) is JSON null.
            document = JsonDocument.Parse(string.IsNullOrWhiteSpace(response.Body) ? "null" : response.Body);
        }
        catch (JsonException)
        {
        }
        if (response.Status >= 400)
        {
            document?.Dispose();
            throw new ReleaseOpsException("MonitoringRequestRejected", FailureKind.OperationFailed,
                $"{where} refused the request (HTTP {response.Status}): {Reason(response.Body)}", Endpoint.ToString(),
                response.Status is 400 or 422
                    ? "Correct the query or matcher the server names."
                    : $"Check that the URL points at {_product}'s API root and that the server is healthy.");
        }
        return document ?? throw new ReleaseOpsException("MonitoringAnswerInvalid", FailureKind.OperationFailed,
            $"{where} did not answer with JSON (HTTP {response.Status}, {response.Header("Content-Type") ?? "no content type"}).", Endpoint.ToString(),
            $"Point the url at {_product}'s root (for example http://prometheus:9090), not at its web pages.");
    }

    /// <summary>The server's own words for a refusal: the API's <c>error</c> field, a JSON string, or the start of the text; never a credential.</summary>
    private string Reason(string body)
    {
        string text;
        try
        {
            using var document = JsonDocument.Parse(body);
            text = document.RootElement.ValueKind switch
            {
                JsonValueKind.Object when document.RootElement.TryGetProperty("error", out var error) => error.ToString(),
                JsonValueKind.String => document.RootElement.GetString()!,
                _ => body,
            };
        }
        catch (JsonException)
        {
            text = body;
        }
        text = text.ReplaceLineEndings(" ").Trim();
        text = text.Length > 300 ? text[..300] + "..." : text;
        return _redactor.Redact(Endpoint.Redactor?.Redact(text) ?? text);
    }

    protected ReleaseOpsException Unexpected(string what) =>
        new("MonitoringAnswerInvalid", FailureKind.OperationFailed, $"{_product} at {Endpoint} answered in an unexpected shape: {what}.",
            Endpoint.ToString(), $"Check that the url points at {_product} (Prometheus 2.x: /api/v1, Alertmanager 0.2x: /api/v2).");

    /// <summary>A label set from a JSON object of strings.</summary>
    protected static IReadOnlyDictionary<string, string> Labels(JsonElement element) =>
        element.ValueKind == JsonValueKind.Object
            ? element.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.ToString(), StringComparer.Ordinal)
            : new Dictionary<string, string>();

    protected static DateTimeOffset? Time(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            && DateTimeOffset.TryParse(value.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time)
            && time.Year > 1 ? time : null;

    /// <summary><c>{name="value", ...}</c>: a label set as PromQL writes it (sorted, <c>__name__</c> first as the metric name).</summary>
    public static string Describe(IReadOnlyDictionary<string, string> labels)
    {
        var name = labels.TryGetValue("__name__", out var metric) ? metric : "";
        var rest = labels.Where(l => l.Key != "__name__").OrderBy(l => l.Key, StringComparer.Ordinal)
            .Select(l => $"{l.Key}=\"{l.Value.Replace("\\", "\\\\").Replace("\"", "\\\"")}\"");
        return name + "{" + string.Join(", ", rest) + "}";
    }
}
