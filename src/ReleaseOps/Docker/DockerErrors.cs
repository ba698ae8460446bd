using System.Net;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Text.Json;
using System.Text.RegularExpressions;
using Docker.DotNet;
using ReleaseOps.Errors;
using ReleaseOps.Secrets;

namespace ReleaseOps.Docker;

/// <summary>
/// Turns what the library throws into <see cref="ReleaseOpsException"/>s with ids from
/// <see cref="DockerErrorIds"/>: the daemon's refusals by status code (its message redacted and
/// kept), transport failures as <c>DockerDaemonUnreachable</c> with what went wrong and what to do.
/// </summary>
internal static partial class DockerErrors
{
    [GeneratedRegex(@"client version \S+ is too (new|old)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex VersionRefusal();

    public static bool IsTransport(Exception ex) => ex is HttpRequestException or IOException or SocketException;

    /// <summary>A refusal from the daemon; <paramref name="redact"/> scrubs known secrets from its message.</summary>
    public static ReleaseOpsException FromResponse(DockerApiException ex, string target, DockerEndpoint endpoint,
        DockerApiVersion? version, Func<string, string> redact)
    {
        var message = redact(ExtractMessage(ex.ResponseBody));
        if (message.Contains("update out of sequence", StringComparison.OrdinalIgnoreCase))
        {
            // Swarm answers 500 when the version index is stale: someone changed the object in between.
            return new ReleaseOpsException(DockerErrorIds.Conflict, FailureKind.Conflict,
                $"Docker refused the update of {target}: it was changed since the version given ({message}).",
                target: target, fix: "Inspect it again and retry with its current version index.");
        }
        if (ex.StatusCode == HttpStatusCode.BadRequest && VersionRefusal().IsMatch(message))
        {
            return new ReleaseOpsException(DockerErrorIds.ApiVersionRefused, FailureKind.VersionMismatch,
                $"The Docker daemon at {endpoint} (from {endpoint.Origin}) refused API version {version}: {message}",
                target: endpoint.Address,
                fix: $"Unset DOCKER_API_VERSION (or the pinned version in the options) so ReleaseOps negotiates the lower of the daemon's newest "
                    + $"and its own ({DockerApiVersion.Maximum}), or pin a version the daemon supports (docker version shows its range).");
        }
        return ex.StatusCode switch
        {
            HttpStatusCode.NotFound => new ReleaseOpsException(DockerErrorIds.ObjectNotFound, FailureKind.NotFound,
                $"Docker has no {target} (daemon at {endpoint}: {message}).",
                target: target, fix: "Check the name or id; list what exists with docker ps -a / docker images / docker service ls."),
            HttpStatusCode.Conflict => new ReleaseOpsException(DockerErrorIds.Conflict, FailureKind.Conflict,
                $"Docker refused the request for {target}: {message}",
                target: target, fix: "Remove or rename the object in the way, or stop it first, then retry."),
            HttpStatusCode.BadRequest => new ReleaseOpsException(DockerErrorIds.RequestFailed, FailureKind.InvalidArgument,
                $"Docker rejected the request for {target} as invalid: {message}",
                target: target, fix: "Correct the specification the daemon complained about."),
            HttpStatusCode.ServiceUnavailable => new ReleaseOpsException(DockerErrorIds.SwarmUnavailable, FailureKind.OperationFailed,
                $"Docker at {endpoint} cannot serve {target}: {message}",
                target: target, fix: "Run it against a swarm manager (docker swarm init, or point DOCKER_HOST at a manager)."),
            HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden => new ReleaseOpsException(DockerErrorIds.RequestFailed,
                FailureKind.PermissionDenied, $"Docker refused the request for {target} ({(int)ex.StatusCode}): {message}",
                target: target, fix: "Check the daemon's authorization plugin or TLS client certificate."),
            _ => new ReleaseOpsException(DockerErrorIds.RequestFailed, FailureKind.OperationFailed,
                $"Docker failed the request for {target} ({(int)ex.StatusCode}): {message}",
                target: target, fix: "Read the daemon's message; docker info and the daemon log tell more."),
        };
    }

    /// <summary>The daemon could not be reached, or the connection broke: socket, TLS, refused, not a Docker engine.</summary>
    public static ReleaseOpsException Unreachable(Exception ex, DockerEndpoint endpoint, Func<string, string> redact)
    {
        var socketError = ex.FindInner<SocketException>()?.SocketErrorCode;
        var tls = ex.FindInner<AuthenticationException>();
        var fix = "Start dockerd (or the Docker service), or set DOCKER_HOST to the address the daemon listens on.";
        var kind = FailureKind.ConnectionFailed;
        string why;
        if (tls is not null)
        {
            why = "the TLS handshake failed: " + tls.Message;
            fix = "Check DOCKER_CERT_PATH (ca.pem, cert.pem, key.pem) and DOCKER_TLS_VERIFY against the daemon's TLS setup.";
            kind = FailureKind.AuthenticationFailed;
        }
        else if (socketError is SocketError.AccessDenied)
        {
            why = "permission to the socket was denied";
            fix = "Run as a member of the socket's group (usually docker) or as root.";
            kind = FailureKind.PermissionDenied;
        }
        else if (endpoint.Transport == DockerTransport.UnixSocket && !Path.Exists(endpoint.SocketPath))
        {
            why = $"the socket {endpoint.SocketPath} does not exist";
        }
        else if (socketError is SocketError.ConnectionRefused)
        {
            why = "the connection was refused";
        }
        else if (socketError is SocketError.HostNotFound or SocketError.NoData or SocketError.TryAgain
            || ex is HttpRequestException { HttpRequestError: HttpRequestError.NameResolutionError })
        {
            why = "the host name does not resolve";
            fix = "Correct the host in DOCKER_HOST (or the plan's docker.host).";
        }
        else if (ex is HttpRequestException { HttpRequestError: HttpRequestError.InvalidResponse })
        {
            why = "it did not answer as a Docker engine (" + ex.Message + ")";
            fix = "Check that DOCKER_HOST points at a Docker engine, with TLS only if the daemon expects it.";
        }
        else if (ex is IOException or HttpRequestException { HttpRequestError: HttpRequestError.ResponseEnded })
        {
            why = "the connection broke during the request (the daemon went away or restarted)";
            fix = "Check that dockerd is still running (it may have restarted) and retry.";
        }
        else
        {
            why = ex.InnerException?.Message ?? ex.Message;
        }
        return new ReleaseOpsException(DockerErrorIds.DaemonUnreachable, kind,
            $"Cannot reach the Docker daemon at {endpoint} (from {endpoint.Origin}): {redact(why)}.",
            target: endpoint.Address, fix: fix, innerException: ex);
    }

    public static ReleaseOpsException TimedOut(DockerEndpoint endpoint, string what, string target, TimeSpan limit, Exception? inner = null) =>
        new(DockerErrorIds.Timeout, FailureKind.Timeout,
            $"The Docker daemon at {endpoint} did not finish {what} for {target} within {limit.TotalSeconds:0.#} s.",
            target: target, fix: "Check that dockerd is responsive (docker info), or allow more time.", innerException: inner);

    public static ReleaseOpsException NotJson(DockerEndpoint endpoint, string target, JsonException ex) =>
        new(DockerErrorIds.RequestFailed, FailureKind.OperationFailed,
            $"The Docker daemon at {endpoint} sent an answer about {target} that is not the expected JSON: {ex.Message}",
            target: target, fix: "Check that the endpoint is a Docker engine of a supported version.", innerException: ex);

    /// <summary>A redaction function from the options' redactor and the secrets one request carried.</summary>
    public static Func<string, string> Redaction(SecretRedactor? always, IEnumerable<SecretValue>? secrets)
    {
        var own = secrets is null ? null : SecretRedactor.For([.. secrets]);
        return text => own?.Redact(always?.Redact(text) ?? text) ?? always?.Redact(text) ?? text;
    }

    private static string ExtractMessage(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return "(no message)";
        }
        try
        {
            using var document = JsonDocument.Parse(text);
            if (document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("message", out var message)
                && message.ValueKind == JsonValueKind.String)
            {
                return message.GetString()!.Trim();
            }
        }
        catch (JsonException)
        {
        }
        text = text.Trim();
        return text.Length > 500 ? text[..500] + "..." : text;
    }
}
