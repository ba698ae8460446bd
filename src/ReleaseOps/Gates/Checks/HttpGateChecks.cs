using System.Globalization;
using System.Text.RegularExpressions;
using ReleaseOps.Conditions;
using ReleaseOps.Infrastructure.Http;
using ReleaseOps.Plans;
using ReleaseOps.Text;

namespace ReleaseOps.Gates.Checks;

/// <summary>
/// <c>http</c>: a request whose response must meet the gate's settings (status, max_latency,
/// contains, matches, json, header_present, header_equals) and expect conditions.
/// </summary>
internal sealed class HttpGateCheck : IGateCheck
{
    public IReadOnlyList<string> Types { get; } = new[] { "http" };

    public async Task RunAsync(GateCheckContext context, GateObservation observation, CancellationToken cancellation)
    {
        var response = await GateHttp.SendAsync(context, cancellation).ConfigureAwait(false);
        GateHttp.Describe(observation, response);
        var settings = context.Settings;
        var statuses = settings.GetStrings("status");
        if (statuses.Count > 0)
        {
            observation.Condition("status in [" + string.Join(", ", statuses.Select(s => s.Trim())) + "]");
        }
        else if (context.Gate.Expect.Count == 0 && !HasContentRules(settings))
        {
            // A bare http gate asks for a successful answer.
            observation.Condition("status >= 200 and status < 400");
        }
        if (settings.GetDuration("max_latency") is { } latency)
        {
            observation.Condition($"response_time <= {DurationText.Format(latency)}");
        }
        if (settings.GetString("contains") is { } text)
        {
            observation.Condition("body contains " + GateObservation.Quote(text));
        }
        if (settings.GetString("matches") is { } pattern)
        {
            observation.Condition("body matches " + GateObservation.Quote(pattern));
        }
        foreach (var (path, expected) in settings.GetMap("json"))
        {
            var actual = observation.Values.TryResolve("json." + path, out var v) ? v : null;
            observation.Rule("json." + path, actual is not null && actual.ToText() == expected,
                actual is null ? $"json.{path} is missing (expected {GateObservation.Quote(expected)})"
                    : actual.ToText() == expected ? $"json.{path} == {GateObservation.Quote(expected)}"
                    : $"json.{path} {actual} is not {GateObservation.Quote(expected)}");
        }
        foreach (var header in settings.GetStrings("header_present"))
        {
            observation.Condition($"header.{header} exists");
        }
        foreach (var (header, expected) in settings.GetMap("header_equals"))
        {
            observation.Condition($"header.{header} == {GateObservation.Quote(expected)}");
        }
        var status = response.Status;
        observation.Summary = $"HTTP {status} in {ConditionValue.FormatDuration(response.Elapsed)}" +
            (observation.Findings.Count > 0 ? "; " + string.Join("; ", observation.Findings.Select(f => f.Message)) : "");
    }

    private static bool HasContentRules(GateSettings s) =>
        s.Has("contains") || s.Has("matches") || s.Has("json") || s.Has("header_present") || s.Has("header_equals");
}

/// <summary><c>redirect-https</c>: a plain-HTTP URL answers with a redirect to an https:// location.</summary>
internal sealed class RedirectHttpsGateCheck : IGateCheck
{
    public IReadOnlyList<string> Types { get; } = new[] { "redirect-https" };

    public async Task RunAsync(GateCheckContext context, GateObservation observation, CancellationToken cancellation)
    {
        var response = await GateHttp.SendAsync(context, cancellation).ConfigureAwait(false);
        GateHttp.Describe(observation, response);
        var location = response.Header("Location");
        var redirect = response.Status is 301 or 302 or 307 or 308;
        var toHttps = location is not null && location.StartsWith("https://", StringComparison.OrdinalIgnoreCase);
        observation.Rule("redirect", redirect, redirect ? $"HTTP {response.Status} redirect" : $"HTTP {response.Status} is not a redirect (expected 301/302/307/308)");
        observation.Rule("https", toHttps, toHttps ? $"to {location}" : location is null ? "no Location header" : $"redirects to {location}, not to https://");
        observation.Fix = "Redirect plain HTTP to HTTPS, for example in nginx: return 301 https://$host$request_uri;";
    }
}

/// <summary>
/// <c>security-headers</c>: HSTS, CSP, X-Frame-Options, X-Content-Type-Options and Referrer-Policy,
/// scored from 100 down in the spirit of the MDN HTTP Observatory; each header's finding is evidence.
/// </summary>
internal sealed class SecurityHeadersGateCheck : IGateCheck
{
    public IReadOnlyList<string> Types { get; } = new[] { "security-headers" };

    public async Task RunAsync(GateCheckContext context, GateObservation observation, CancellationToken cancellation)
    {
        var response = await GateHttp.SendAsync(context, cancellation).ConfigureAwait(false);
        GateHttp.Describe(observation, response);
        var settings = context.Settings;
        var minMaxAge = settings.GetDuration("min_hsts_max_age") ?? TimeSpan.FromDays(180);
        var minScore = (int)(settings.GetInteger("min_score") ?? 70);
        var score = 100;
        var perHeader = new Dictionary<string, string>(StringComparer.Ordinal);

        void Finding(string header, int penalty, string message)
        {
            score += penalty;
            perHeader[header] = penalty == 0 ? "ok: " + message : $"{penalty}: {message}";
            observation.Advise(header, penalty == 0, message);
        }

        var https = response.RequestUri.Scheme == "https";
        var hsts = response.Header("Strict-Transport-Security");
        if (hsts is null)
        {
            Finding("hsts", -20, https ? "Strict-Transport-Security is missing" : "Strict-Transport-Security is missing (and the URL is plain http)");
        }
        else
        {
            var m = Regex.Match(hsts, @"max-age\s*=\s*""?(\d+)", RegexOptions.IgnoreCase);
            var maxAge = m.Success ? TimeSpan.FromSeconds(double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)) : TimeSpan.Zero;
            observation.Measure("hsts_max_age", maxAge);
            Finding("hsts", maxAge >= minMaxAge ? 0 : -10, maxAge >= minMaxAge
                ? $"HSTS max-age {ConditionValue.FormatDuration(maxAge)} >= {ConditionValue.FormatDuration(minMaxAge)}"
                : $"HSTS max-age {ConditionValue.FormatDuration(maxAge)} is below {ConditionValue.FormatDuration(minMaxAge)}");
        }

        var csp = response.Header("Content-Security-Policy");
        if (csp is null)
        {
            Finding("csp", -25, "Content-Security-Policy is missing");
        }
        else
        {
            var unsafeInline = csp.Contains("'unsafe-inline'", StringComparison.OrdinalIgnoreCase);
            var unsafeEval = csp.Contains("'unsafe-eval'", StringComparison.OrdinalIgnoreCase);
            Finding("csp", (unsafeInline ? -20 : 0) + (unsafeEval ? -10 : 0),
                unsafeInline || unsafeEval
                    ? "Content-Security-Policy allows " + string.Join(" and ", new[] { unsafeInline ? "'unsafe-inline'" : null, unsafeEval ? "'unsafe-eval'" : null }.Where(x => x is not null))
                    : "Content-Security-Policy set without unsafe-inline/unsafe-eval");
        }

        var xfo = response.Header("X-Frame-Options");
        var frameAncestors = csp?.Contains("frame-ancestors", StringComparison.OrdinalIgnoreCase) ?? false;
        var xfoOk = xfo is not null && (xfo.Equals("DENY", StringComparison.OrdinalIgnoreCase) || xfo.Equals("SAMEORIGIN", StringComparison.OrdinalIgnoreCase));
        Finding("x-frame-options", xfoOk || frameAncestors ? 0 : -20,
            xfoOk ? $"X-Frame-Options {xfo}" : frameAncestors ? "framing limited by CSP frame-ancestors" : xfo is null ? "X-Frame-Options is missing" : $"X-Frame-Options '{xfo}' is neither DENY nor SAMEORIGIN");

        var xcto = response.Header("X-Content-Type-Options");
        var xctoOk = string.Equals(xcto?.Trim(), "nosniff", StringComparison.OrdinalIgnoreCase);
        Finding("x-content-type-options", xctoOk ? 0 : -5, xctoOk ? "X-Content-Type-Options nosniff" : xcto is null ? "X-Content-Type-Options is missing" : $"X-Content-Type-Options '{xcto}' is not nosniff");

        var referrer = response.Header("Referrer-Policy");
        var referrerOk = referrer is not null && !referrer.Contains("unsafe-url", StringComparison.OrdinalIgnoreCase);
        Finding("referrer-policy", referrerOk ? 0 : -5, referrerOk ? $"Referrer-Policy {referrer}" : referrer is null ? "Referrer-Policy is missing" : "Referrer-Policy unsafe-url leaks full URLs");

        score = Math.Max(0, score);
        observation.Measure("score", score);
        observation.Evidence["findings"] = perHeader;
        foreach (var required in settings.GetStrings("required"))
        {
            var present = response.Header(required) is not null;
            observation.Rule("required:" + required, present, present ? $"{required} present" : $"required header {required} is missing");
        }
        observation.Rule("score", score >= minScore, $"security header score {score}/100" + (score >= minScore ? $" >= {minScore}" : $" is below {minScore}"));
        observation.Summary = $"security header score {score}/100";
        observation.Fix = "Add the missing headers in the server (nginx: add_header Strict-Transport-Security \"max-age=31536000\" always; and so on).";
    }
}

/// <summary>
/// <c>cors</c>: a preflight from a foreign origin is refused, <c>Access-Control-Allow-Origin: *</c>
/// never comes with credentials, and allowed origins (when listed) are allowed.
/// </summary>
internal sealed class CorsGateCheck : IGateCheck
{
    public IReadOnlyList<string> Types { get; } = new[] { "cors" };

    public async Task RunAsync(GateCheckContext context, GateObservation observation, CancellationToken cancellation)
    {
        var foreign = context.Settings.GetString("origin") ?? "https://evil.example";
        var allowed = context.Settings.GetStrings("allowed_origins");
        var response = await Preflight(context, foreign, cancellation).ConfigureAwait(false);
        GateHttp.Describe(observation, response);
        var allowOrigin = response.Header("Access-Control-Allow-Origin");
        var credentials = string.Equals(response.Header("Access-Control-Allow-Credentials")?.Trim(), "true", StringComparison.OrdinalIgnoreCase);
        observation.Evidence["foreign_origin"] = foreign;
        observation.Evidence["allow_origin"] = allowOrigin;
        observation.Evidence["allow_credentials"] = credentials;

        var wildcard = allowOrigin?.Trim() == "*";
        observation.Rule("wildcard-with-credentials", !(wildcard && credentials),
            wildcard && credentials ? "Access-Control-Allow-Origin: * together with Access-Control-Allow-Credentials: true"
                : "no wildcard origin with credentials");
        var foreignAllowed = allowOrigin is not null && (wildcard || allowOrigin.Trim().Equals(foreign, StringComparison.OrdinalIgnoreCase))
            && !allowed.Contains(foreign, StringComparer.OrdinalIgnoreCase);
        observation.Rule("foreign-origin-refused", !foreignAllowed,
            foreignAllowed ? $"a preflight from {foreign} is allowed (Access-Control-Allow-Origin: {allowOrigin})"
                : $"a preflight from {foreign} is refused");
        if (allowOrigin is not null && !wildcard && allowed.Count > 0)
        {
            var listed = allowed.Contains(allowOrigin.Trim(), StringComparer.OrdinalIgnoreCase);
            observation.Rule("allowed-list", listed, listed ? $"{allowOrigin} is in the allowed list" : $"{allowOrigin} is not in the allowed list");
        }
        if (allowed.Count > 0)
        {
            var friendly = await Preflight(context, allowed[0], cancellation).ConfigureAwait(false);
            var friendlyOrigin = friendly.Header("Access-Control-Allow-Origin")?.Trim();
            var ok = friendlyOrigin is not null && (friendlyOrigin == "*" || friendlyOrigin.Equals(allowed[0], StringComparison.OrdinalIgnoreCase));
            observation.Evidence["allowed_origin_answer"] = friendlyOrigin;
            observation.Rule("allowed-origin-allowed", ok, ok ? $"{allowed[0]} is allowed" : $"a preflight from the allowed origin {allowed[0]} is refused");
        }
        observation.Fix = "Answer preflights only for the listed origins, and never send Access-Control-Allow-Origin: * with credentials.";
    }

    private static Task<HttpProbeResponse> Preflight(GateCheckContext context, string origin, CancellationToken cancellation) =>
        GateHttp.SendAsync(context, cancellation, "OPTIONS", new Dictionary<string, string>
        {
            ["Origin"] = origin,
            // The request the preflight asks about: the gate's method (default GET).
            ["Access-Control-Request-Method"] = context.Settings.GetString("method") ?? "GET",
            ["Access-Control-Request-Headers"] = "authorization",
        });
}
