using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using ReleaseOps.Conditions;
using ReleaseOps.Errors;
using ReleaseOps.Infrastructure.Tls;

namespace ReleaseOps.Gates.Checks;

/// <summary>
/// <c>tls</c>: the server's certificate is valid for the host name, its chain is trusted (system
/// store or a pinned ca_file), it does not expire within min_days (default 30), and the
/// negotiated protocol is at least min_protocol (a server that also accepts an older protocol fails).
/// </summary>
internal sealed class TlsGateCheck : IGateCheck
{
    public IReadOnlyList<string> Types { get; } = new[] { "tls" };

    public async Task RunAsync(GateCheckContext context, GateObservation observation, CancellationToken cancellation)
    {
        var settings = context.Settings;
        var host = context.Require("host");
        var port = (int)(settings.GetInteger("port") ?? 443);
        var serverName = settings.GetString("server_name") ?? host;
        var minDays = settings.GetInteger("min_days") ?? 30;
        var minProtocol = settings.GetString("min_protocol");
        var trust = GateHttp.PinnedAuthorities(context);
        observation.Target = $"{host}:{port}";

        var (certificate, errors, protocol) = await HandshakeAsync(context, host, port, serverName, trust, null, cancellation).ConfigureAwait(false);
        using var presented = certificate;
        if (certificate is null)
        {
            throw new ReleaseOpsException("TlsNoCertificate", FailureKind.OperationFailed, $"{host}:{port} sent no certificate.",
                target: observation.Target, fix: "Configure a certificate on the server.");
        }
        var left = certificate.NotAfter.ToUniversalTime() - context.Clock.GetUtcNow().UtcDateTime;
        observation.Measure("cert_expiry", left);
        observation.Measure("days_to_expiry", Math.Floor(left.TotalDays));
        observation.Measure("subject", certificate.Subject);
        observation.Measure("issuer", certificate.Issuer);
        observation.Evidence["not_after"] = certificate.NotAfter.ToUniversalTime().ToString("yyyy-MM-dd HH:mm 'UTC'");
        observation.Measure("protocol", ProtocolName(protocol));
        var nameValid = !errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch);
        var trusted = !errors.HasFlag(SslPolicyErrors.RemoteCertificateChainErrors);
        observation.Measure("name_valid", nameValid);
        observation.Measure("trusted", trusted);

        observation.Rule("host-name", nameValid, nameValid ? $"valid for {serverName}" : $"the certificate is not valid for '{serverName}' ({certificate.Subject})");
        observation.Rule("chain", trusted, trusted ? (trust is null ? "chain trusted" : "chain trusted by the pinned CA")
            : trust is null ? "the chain is not trusted by the system store" : "the chain is not trusted by the pinned CA file");
        var longEnough = left.TotalDays >= minDays;
        observation.Rule("expiry", longEnough, longEnough
            ? $"expires in {Math.Floor(left.TotalDays)} days"
            : left < TimeSpan.Zero ? $"the certificate expired {Math.Floor(-left.TotalDays)} days ago" : $"the certificate expires in {Math.Floor(left.TotalDays)} days (less than {minDays})");
        if (minProtocol is not null)
        {
            var floor = minProtocol == "tls1.3" ? SslProtocols.Tls13 : SslProtocols.Tls12;
            var negotiatedOk = protocol >= floor;
            observation.Rule("protocol", negotiatedOk, negotiatedOk ? $"negotiated {ProtocolName(protocol)}" : $"negotiated {ProtocolName(protocol)}, below {minProtocol}");
#pragma warning disable SYSLIB0039 // probing deliberately for the old protocols a server should refuse
            var older = floor == SslProtocols.Tls13 ? SslProtocols.Tls12 : SslProtocols.Tls11 | SslProtocols.Tls;
#pragma warning restore SYSLIB0039
            var acceptsOlder = await AcceptsAsync(context, host, port, serverName, older, cancellation).ConfigureAwait(false);
            observation.Rule("older-protocols", !acceptsOlder, acceptsOlder ? $"the server also accepts protocols below {minProtocol}" : $"protocols below {minProtocol} are refused");
        }
        observation.Summary = $"{ProtocolName(protocol)}, certificate for {certificate.GetNameInfo(X509NameType.SimpleName, false)} expires in {Math.Floor(left.TotalDays)} days";
        observation.Fix = "Renew the certificate (or fix its names/chain) and reload the server.";
    }

    private static async Task<bool> AcceptsAsync(GateCheckContext context, string host, int port, string serverName, SslProtocols protocols,
        CancellationToken cancellation)
    {
        try
        {
            (await HandshakeAsync(context, host, port, serverName, null, protocols, cancellation).ConfigureAwait(false)).Certificate?.Dispose();
            return true;
        }
        catch (ReleaseOpsException ex) when (ex.ErrorId == "TlsHandshakeFailed")
        {
            return false;
        }
        catch (Exception ex) when (ex is NotSupportedException or PlatformNotSupportedException)
        {
            return false;
        }
    }

    private static async Task<(X509Certificate2? Certificate, SslPolicyErrors Errors, SslProtocols Protocol)> HandshakeAsync(
        GateCheckContext context, string host, int port, string serverName, X509Certificate2Collection? trust, SslProtocols? protocols,
        CancellationToken cancellation)
    {
        using var client = new TcpClient();
        try
        {
            await client.ConnectAsync(host, port, cancellation).ConfigureAwait(false);
        }
        catch (SocketException ex)
        {
            throw TcpGateCheck.Unreachable(host, port, ex);
        }
        X509Certificate2? certificate = null;
        var errors = SslPolicyErrors.None;
        await using var ssl = new SslStream(client.GetStream(), false);
        var options = new SslClientAuthenticationOptions
        {
            TargetHost = serverName,
            RemoteCertificateValidationCallback = (_, cert, _, e) =>
            {
                // With a ca_file the chain was judged by the pinned CAs only (CertificateChainPolicy below).
                certificate = cert is null ? null : new X509Certificate2(cert);
                errors = e;
                return true; // judged by the gate's rules, not by the handshake
            },
            CertificateChainPolicy = trust is null ? null : CertificateTrust.PinnedPolicy(trust),
        };
        if (protocols is { } p)
        {
            options.EnabledSslProtocols = p;
        }
        try
        {
            await ssl.AuthenticateAsClientAsync(options, cancellation).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is AuthenticationException or IOException)
        {
            throw new ReleaseOpsException("TlsHandshakeFailed", FailureKind.ConnectionFailed,
                $"The TLS handshake with {host}:{port} failed: {ex.Message}", target: $"{host}:{port}",
                fix: "Check that the port speaks TLS and shares a protocol version with this client.");
        }
        return (certificate, errors, ssl.SslProtocol);
    }

    private static string ProtocolName(SslProtocols protocol) => protocol switch
    {
        SslProtocols.Tls13 => "tls1.3",
        SslProtocols.Tls12 => "tls1.2",
#pragma warning disable SYSLIB0039
        SslProtocols.Tls11 => "tls1.1",
        SslProtocols.Tls => "tls1.0",
#pragma warning restore SYSLIB0039
        _ => protocol.ToString().ToLowerInvariant(),
    };
}

/// <summary><c>tcp</c>: a port is open, or (state: closed) refuses connections.</summary>
internal sealed class TcpGateCheck : IGateCheck
{
    public IReadOnlyList<string> Types { get; } = new[] { "tcp" };

    public async Task RunAsync(GateCheckContext context, GateObservation observation, CancellationToken cancellation)
    {
        var host = context.Require("host");
        var port = (int)(context.Settings.GetInteger("port") ?? throw context.Missing("port"));
        var wantOpen = !string.Equals(context.Settings.GetString("state"), "closed", StringComparison.OrdinalIgnoreCase);
        observation.Target = $"{host}:{port}";
        var clock = System.Diagnostics.Stopwatch.StartNew();
        bool open;
        string detail;
        using var client = new TcpClient();
        // A closed-port check must not time out the gate: a silent (filtered) port counts as closed.
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        if (!wantOpen)
        {
            limit.CancelAfter(context.Timeout * 0.8);
        }
        try
        {
            await client.ConnectAsync(host, port, limit.Token).ConfigureAwait(false);
            open = true;
            detail = "accepts connections";
        }
        catch (SocketException ex) when (ex.SocketErrorCode is SocketError.HostNotFound or SocketError.NoData or SocketError.TryAgain)
        {
            throw Unreachable(host, port, ex);
        }
        catch (SocketException ex)
        {
            open = false;
            detail = ex.SocketErrorCode == SocketError.ConnectionRefused ? "refuses connections" : $"does not answer ({ex.SocketErrorCode})";
        }
        catch (OperationCanceledException) when (!cancellation.IsCancellationRequested)
        {
            open = false;
            detail = "does not answer (filtered)";
        }
        observation.Measure("open", open);
        observation.Measure("connect_time", clock.Elapsed);
        observation.Rule(wantOpen ? "open" : "closed", open == wantOpen,
            open == wantOpen ? $"{host}:{port} {detail}" : $"{host}:{port} {detail}, expected {(wantOpen ? "open" : "closed")}");
        observation.Fix = wantOpen ? "Start the service or open the port." : "Stop publishing the port, or firewall it from this network.";
    }

    internal static ReleaseOpsException Unreachable(string host, int port, SocketException ex) => ex.SocketErrorCode switch
    {
        SocketError.HostNotFound or SocketError.NoData or SocketError.TryAgain => new ReleaseOpsException("DnsFailure",
            FailureKind.ConnectionFailed, $"The host name '{host}' could not be resolved.", target: $"{host}:{port}",
            fix: "Check the host name, or the DNS/hosts entry for it."),
        SocketError.ConnectionRefused => new ReleaseOpsException("ConnectionRefused", FailureKind.ConnectionFailed,
            $"Nothing accepts connections at {host}:{port} (connection refused).", target: $"{host}:{port}",
            fix: "Start the service, or correct the host and port."),
        _ => new ReleaseOpsException("Unreachable", FailureKind.ConnectionFailed,
            $"Could not connect to {host}:{port}: {ex.SocketErrorCode}.", target: $"{host}:{port}",
            fix: "Check that the host is up and reachable from here."),
    };
}
