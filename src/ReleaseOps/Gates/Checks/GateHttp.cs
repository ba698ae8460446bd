using ReleaseOps.Conditions;
using ReleaseOps.Infrastructure.Http;
using ReleaseOps.Infrastructure.Tls;
using ReleaseOps.Secrets;

namespace ReleaseOps.Gates.Checks;

/// <summary>
/// The HTTP gates' request, from the gate's settings (url, method, headers with secrets, body,
/// follow_redirects, insecure, ca_file), sent through the engine's one HTTP probe (the run's shared
/// connection pool for these settings; the response reports the certificate of the connection that
/// carried it); and the values a response offers to expect conditions.
/// </summary>
internal static class GateHttp
{
    public static async Task<HttpProbeResponse> SendAsync(GateCheckContext context, CancellationToken cancellation,
        string? method = null, IReadOnlyDictionary<string, string>? extraHeaders = null)
    {
        var settings = context.Settings;
        // A URL may carry a secret (a token in the query); it is masked wherever the URL is reported.
        var urlText = context.Expand(context.Require("url"))!.Reveal();
        if (!Uri.TryCreate(urlText, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            throw context.Invalid("url", $"'{urlText}' is not an absolute http(s) URL.", "Write the full URL, for example https://localhost:8443/health.");
        }
        var headers = settings.GetMap("headers").ToDictionary(h => h.Key, h => context.Expand(h.Value)!, StringComparer.OrdinalIgnoreCase);
        foreach (var (name, value) in extraHeaders ?? new Dictionary<string, string>())
        {
            headers[name] = new SecretValue(value);
        }
        var body = settings.GetString("body");
        // The run's pool for these TLS settings (kept-alive connections; each response still reports the
        // certificate of the connection that carried it), or a client of its own for a gate run alone.
        var probe = context.Http(new HttpProbeOptions
        {
            FollowRedirects = settings.GetBoolean("follow_redirects") ?? false,
            Insecure = settings.GetBoolean("insecure") ?? false,
            Authorities = PinnedAuthorities(context),
            KeepAlive = false,
        }, out var owned);
        using var own = owned ? probe : null;
        return await probe.SendAsync(new HttpProbeRequest
        {
            Url = uri,
            Method = method ?? settings.GetString("method") ?? "GET",
            Headers = headers,
            Body = body is null ? null : context.Expand(body),
            ContentType = body?.TrimStart().StartsWith('{') == true ? "application/json" : null,
            Timeout = context.Timeout,
            Redactor = context.Redactor,
        }, cancellation).ConfigureAwait(false);
    }

    /// <summary>The gate's <c>ca_file</c> setting as the only trusted CAs, or null when it sets none.</summary>
    public static System.Security.Cryptography.X509Certificates.X509Certificate2Collection? PinnedAuthorities(GateCheckContext context)
    {
        if (context.Settings.GetString("ca_file") is not { } caFile)
        {
            return null;
        }
        var path = context.ResolvePath(caFile);
        try
        {
            return context.LoadAuthorities(path);
        }
        catch (Exception ex) when (ex is IOException or System.Security.Cryptography.CryptographicException or UnauthorizedAccessException)
        {
            throw context.Invalid("ca_file", $"{path} could not be read as PEM certificates ({ex.Message}).",
                "Point ca_file at a readable PEM file holding the CA certificate.");
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
            observation.Measure("cert_expiry", cert.NotAfter.ToUniversalTime() - DateTime.UtcNow);
        }
        observation.Values.AddResolver(HttpResponseValues.Resolver(response.Body, response.Headers));
    }
}
