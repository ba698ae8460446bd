using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using ReleaseOps.Conditions;
using ReleaseOps.Errors;

namespace ReleaseOps.Gates.Checks;

/// <summary>One HTTP exchange as a gate sees it.</summary>
internal sealed record HttpProbeResponse(
    Uri RequestUri,
    Uri FinalUri,
    int Status,
    TimeSpan Elapsed,
    IReadOnlyDictionary<string, string> Headers,
    string Body,
    long BodyBytes,
    X509Certificate2? Certificate,
    SslPolicyErrors CertificateErrors)
{
    public string? Header(string name) => Headers.TryGetValue(name, out var v) ? v : null;
}

/// <summary>
/// Sends the request a gate's settings describe (url, method, headers with secrets, body,
/// follow_redirects, insecure, ca_file) and turns transport failures into errors that say what
/// to fix: nothing listening, DNS failure, TLS handshake failure.
/// </summary>
internal static class HttpProbe
{
    private const int MaxBody = 1 << 20;

    public static async Task<HttpProbeResponse> SendAsync(GateCheckContext context, CancellationToken cancellation,
        string? method = null, IReadOnlyDictionary<string, string>? extraHeaders = null, string? url = null)
    {
        var settings = context.Settings;
        // A URL may carry a secret (a token in the query); it is masked wherever the URL is reported.
        var urlText = url ?? context.Expand(context.Require("url"))!.Reveal();
        if (!Uri.TryCreate(urlText, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            throw context.Invalid("url", $"'{urlText}' is not an absolute http(s) URL.", "Write the full URL, for example https://localhost:8443/health.");
        }
        var insecure = settings.GetBoolean("insecure") ?? false;
        var trust = TlsInspection.PinnedCa(context);
        X509Certificate2? certificate = null;
        var certificateErrors = SslPolicyErrors.None;
        using var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = settings.GetBoolean("follow_redirects") ?? false,
            ConnectTimeout = context.Timeout,
            PooledConnectionLifetime = TimeSpan.Zero,
            AutomaticDecompression = DecompressionMethods.All,
            UseCookies = false,
            SslOptions = new SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = (_, cert, chain, errors) =>
                {
                    if (cert is not null)
                    {
                        certificate = new X509Certificate2(cert);
                    }
                    if (trust is not null && cert is not null)
                    {
                        errors = TlsInspection.Validate(new X509Certificate2(cert), trust, errors);
                    }
                    certificateErrors = errors;
                    return insecure || errors == SslPolicyErrors.None;
                },
            },
        };
        using var client = new HttpClient(handler) { Timeout = System.Threading.Timeout.InfiniteTimeSpan };
        using var request = new HttpRequestMessage(new HttpMethod(method ?? settings.GetString("method") ?? "GET"), uri);
        foreach (var (name, value) in settings.GetMap("headers"))
        {
            var expanded = context.Expand(value)!;
            request.Headers.TryAddWithoutValidation(name, expanded.Reveal());
        }
        foreach (var (name, value) in extraHeaders ?? new Dictionary<string, string>())
        {
            request.Headers.Remove(name);
            request.Headers.TryAddWithoutValidation(name, value);
        }
        if (settings.GetString("body") is { } body)
        {
            request.Content = new StringContent(context.Expand(body)!.Reveal(), Encoding.UTF8,
                body.TrimStart().StartsWith('{') ? "application/json" : "text/plain");
        }

        var clock = Stopwatch.StartNew();
        HttpResponseMessage response;
        try
        {
            response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellation).ConfigureAwait(false);
        }
        catch (HttpRequestException ex)
        {
            throw Translate(context, uri, ex, certificateErrors);
        }
        using (response)
        {
            var elapsed = clock.Elapsed;
            byte[] bytes;
            try
            {
                await using var stream = await response.Content.ReadAsStreamAsync(cancellation).ConfigureAwait(false);
                using var buffer = new MemoryStream();
                var chunk = new byte[16384];
                int read;
                while ((read = await stream.ReadAsync(chunk, cancellation).ConfigureAwait(false)) > 0 && buffer.Length < MaxBody)
                {
                    buffer.Write(chunk, 0, read);
                }
                bytes = buffer.ToArray();
            }
            catch (HttpRequestException ex)
            {
                throw Translate(context, uri, ex, certificateErrors);
            }
            var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            foreach (var header in response.Headers.Concat(response.Content.Headers))
            {
                headers[header.Key] = string.Join(", ", header.Value);
            }
            return new HttpProbeResponse(uri, response.RequestMessage?.RequestUri ?? uri, (int)response.StatusCode, elapsed, headers,
                Encoding.UTF8.GetString(bytes), response.Content.Headers.ContentLength ?? bytes.LongLength, certificate, certificateErrors);
        }
    }

    /// <summary>Makes the named values an HTTP response offers to expect conditions.</summary>
    public static void Describe(GateObservation observation, HttpProbeResponse response)
    {
        observation.Target = response.RequestUri.ToString();
        observation.Measure("status", response.Status);
        observation.Measure("response_time", response.Elapsed);
        observation.Measure("size", ConditionValue.Size(response.BodyBytes));
        observation.Values.Set("body", response.Body);
        observation.Values.Set("url", response.FinalUri.ToString());
        if (response.Header("Location") is { } location)
        {
            observation.Measure("location", location);
        }
        if (response.Header("Content-Type") is { } contentType)
        {
            observation.Evidence["content_type"] = contentType;
        }
        if (response.Certificate is { } cert)
        {
            var left = cert.NotAfter.ToUniversalTime() - DateTime.UtcNow;
            observation.Measure("cert_expiry", left);
        }
        var headers = response.Headers;
        JsonDocument? json = null;
        var jsonParsed = false;
        observation.Values.AddResolver(name =>
        {
            if (name.StartsWith("header.", StringComparison.OrdinalIgnoreCase))
            {
                return headers.TryGetValue(name[7..], out var value) ? ConditionValue.String(value) : null;
            }
            if (name.StartsWith("json.", StringComparison.OrdinalIgnoreCase) || name.Equals("json", StringComparison.OrdinalIgnoreCase))
            {
                if (!jsonParsed)
                {
                    jsonParsed = true;
                    try
                    {
                        json = JsonDocument.Parse(response.Body);
                    }
                    catch (JsonException)
                    {
                        json = null;
                    }
                }
                return json is null ? null : JsonPath.Find(json.RootElement, name.Length > 4 ? name[5..] : "") is { } element
                    ? ConditionValue.FromJson(element)
                    : null;
            }
            return null;
        });
    }

    private static ReleaseOpsException Translate(GateCheckContext context, Uri uri, HttpRequestException ex, SslPolicyErrors certificateErrors)
    {
        var endpoint = $"{uri.Host}:{uri.Port}";
        var socket = FindInner<SocketException>(ex);
        if (socket is not null)
        {
            return socket.SocketErrorCode switch
            {
                SocketError.HostNotFound or SocketError.NoData or SocketError.TryAgain => new ReleaseOpsException("HttpDnsFailure",
                    FailureKind.ConnectionFailed, $"The host name '{uri.Host}' could not be resolved.", target: uri.ToString(),
                    fix: "Check the host name in the URL, or the DNS/hosts entry for it."),
                SocketError.ConnectionRefused => new ReleaseOpsException("HttpUnreachable", FailureKind.ConnectionFailed,
                    $"Nothing accepts connections at {endpoint} (connection refused).", target: uri.ToString(),
                    fix: "Start the service, or correct the port in the URL."),
                _ => new ReleaseOpsException("HttpUnreachable", FailureKind.ConnectionFailed,
                    $"Could not connect to {endpoint}: {socket.SocketErrorCode}.", target: uri.ToString(),
                    fix: "Check that the host is up and reachable from here."),
            };
        }
        if (FindInner<AuthenticationException>(ex) is not null || ex.HttpRequestError == HttpRequestError.SecureConnectionError)
        {
            var why = certificateErrors switch
            {
                SslPolicyErrors.None => "the TLS handshake failed (protocol or cipher mismatch, or the port does not speak TLS)",
                var e when e.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch) => $"the certificate is not valid for '{uri.Host}'",
                var e when e.HasFlag(SslPolicyErrors.RemoteCertificateChainErrors) => "the certificate chain is not trusted",
                _ => "the server sent no certificate",
            };
            return new ReleaseOpsException("HttpTlsHandshakeFailed", FailureKind.ConnectionFailed,
                $"TLS with {endpoint} failed: {why}.", target: uri.ToString(),
                fix: "Trust the server's CA with ca_file: (or use the host name the certificate names); insecure: true skips validation for test endpoints.");
        }
        if (ex.HttpRequestError is HttpRequestError.ResponseEnded or HttpRequestError.InvalidResponse)
        {
            return new ReleaseOpsException("HttpProtocolError", FailureKind.ConnectionFailed,
                $"{endpoint} did not answer with valid HTTP ({ex.HttpRequestError}).", target: uri.ToString(),
                fix: "Check that the port serves HTTP (not HTTPS or another protocol) and the scheme in the URL matches.");
        }
        return new ReleaseOpsException("HttpRequestFailed", FailureKind.ConnectionFailed,
            $"The request to {uri} failed: {context.Redactor.Redact(ex.Message)}", target: uri.ToString(),
            fix: "Check the URL and that the service answers.");
    }

    private static T? FindInner<T>(Exception? ex) where T : Exception
    {
        while (ex is not null)
        {
            if (ex is T found)
            {
                return found;
            }
            ex = ex.InnerException;
        }
        return null;
    }
}

/// <summary>Dotted JSON paths with array indexes: <c>status</c>, <c>checks[0].name</c>, <c>data.items[2]</c>.</summary>
internal static class JsonPath
{
    public static JsonElement? Find(JsonElement root, string path)
    {
        var current = root;
        if (path.Length == 0)
        {
            return current;
        }
        foreach (var segment in path.Split('.'))
        {
            var name = segment;
            var indexes = new List<int>();
            var bracket = name.IndexOf('[');
            if (bracket >= 0)
            {
                foreach (var part in name[bracket..].Split('[', StringSplitOptions.RemoveEmptyEntries))
                {
                    if (!int.TryParse(part.TrimEnd(']'), out var index))
                    {
                        return null;
                    }
                    indexes.Add(index);
                }
                name = name[..bracket];
            }
            if (name.Length > 0)
            {
                if (current.ValueKind != JsonValueKind.Object || !TryProperty(current, name, out current))
                {
                    return null;
                }
            }
            foreach (var index in indexes)
            {
                if (current.ValueKind != JsonValueKind.Array || index >= current.GetArrayLength())
                {
                    return null;
                }
                current = current[index];
            }
        }
        return current;
    }

    private static bool TryProperty(JsonElement element, string name, out JsonElement value)
    {
        if (element.TryGetProperty(name, out value))
        {
            return true;
        }
        foreach (var property in element.EnumerateObject())
        {
            if (string.Equals(property.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                value = property.Value;
                return true;
            }
        }
        return false;
    }
}
