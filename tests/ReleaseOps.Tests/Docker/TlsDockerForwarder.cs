using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using ReleaseOps.Tests.Support;
using Xunit;

namespace ReleaseOps.Tests.Docker;

/// <summary>
/// Puts the test environment's real dockerd behind TLS with client-certificate authentication, the way a
/// daemon started with --tlsverify listens: a loopback TCP port that terminates TLS (requiring a client
/// certificate signed by <see cref="Authority"/>) and forwards the bytes to the daemon's unix socket.
/// The certificates are written as ca.pem/cert.pem/key.pem into <see cref="CertPath"/> (DOCKER_CERT_PATH)
/// and, signed by an unrelated authority, into <see cref="ForeignCertPath"/>.
/// </summary>
public sealed class TlsDockerForwarder : IAsyncLifetime
{
    public const int ListenPort = 20050;
    private readonly CancellationTokenSource _stop = new();
    private TcpListener? _listener;
    private Task? _accepting;
    private X509Certificate2? _server;
    private DirectoryInfo? _directory;

    public X509Certificate2 Authority { get; private set; } = null!;
    public string CertPath => Path.Combine(_directory!.FullName, "good");
    public string ForeignCertPath => Path.Combine(_directory!.FullName, "foreign");
    public string CaOnlyCertPath => Path.Combine(_directory!.FullName, "ca-only");
    public string Host => $"tcp://localhost:{ListenPort}";

    public Task InitializeAsync()
    {
        TestEnvironment.Require(TestService.Docker);
        _directory = Directory.CreateTempSubdirectory("ro-dock-tls-");
        var authority = CreateAuthority("ro-dock test CA");
        Authority = authority;
        _server = Issue(authority, "localhost", serverAuth: true);
        var client = Issue(authority, "ro-dock client", serverAuth: false);
        WriteCertDirectory(CertPath, authority, client);
        WriteCertDirectory(CaOnlyCertPath, authority, null);
        var foreign = CreateAuthority("ro-dock unrelated CA");
        WriteCertDirectory(ForeignCertPath, foreign, Issue(foreign, "ro-dock foreign client", serverAuth: false));

        _listener = new TcpListener(IPAddress.Loopback, ListenPort);
        _listener.Start();
        _accepting = AcceptAsync();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        _stop.Cancel();
        _listener?.Stop();
        if (_accepting is not null)
        {
            await _accepting;
        }
        _directory?.Delete(recursive: true);
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient tcp;
            try
            {
                tcp = await _listener!.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }
            _ = ForwardAsync(tcp);
        }
    }

    private async Task ForwardAsync(TcpClient tcp)
    {
        using (tcp)
        {
            try
            {
                await using var tls = new SslStream(tcp.GetStream(), leaveInnerStreamOpen: false);
                await tls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions
                {
                    ServerCertificate = _server,
                    ClientCertificateRequired = true,
                    RemoteCertificateValidationCallback = (_, certificate, _, _) => IsIssuedByAuthority(certificate),
                }, _stop.Token);
                using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                await socket.ConnectAsync(new UnixDomainSocketEndPoint(new Uri(TestEnvironment.DockerHost).AbsolutePath), _stop.Token);
                await using var daemon = new NetworkStream(socket, ownsSocket: false);
                await Task.WhenAny(tls.CopyToAsync(daemon, _stop.Token), daemon.CopyToAsync(tls, _stop.Token));
            }
            catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException
                or System.Security.Authentication.AuthenticationException or ObjectDisposedException)
            {
                // A refused handshake or a closed connection ends this forwarding only.
            }
        }
    }

    private bool IsIssuedByAuthority(X509Certificate? certificate)
    {
        if (certificate is null)
        {
            return false;
        }
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(Authority);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(new X509Certificate2(certificate));
    }

    private static X509Certificate2 CreateAuthority(string name)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(2));
    }

    private static X509Certificate2 Issue(X509Certificate2 authority, string name, bool serverAuth)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [new Oid(serverAuth ? "1.3.6.1.5.5.7.3.1" : "1.3.6.1.5.5.7.3.2")], false));
        if (serverAuth)
        {
            var names = new SubjectAlternativeNameBuilder();
            names.AddDnsName("localhost");
            names.AddIpAddress(IPAddress.Loopback);
            request.CertificateExtensions.Add(names.Build());
        }
        var serial = RandomNumberGenerator.GetBytes(12);
        // The authority came from CreateSelfSigned and holds its private key.
        using var issued = request.Create(authority, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1), serial);
        // Round-trip through PEM so the key is usable by the server side of SslStream.
        return X509Certificate2.CreateFromPem(issued.ExportCertificatePem(), key.ExportPkcs8PrivateKeyPem());
    }

    private static void WriteCertDirectory(string directory, X509Certificate2 authority, X509Certificate2? client)
    {
        Directory.CreateDirectory(directory);
        File.WriteAllText(Path.Combine(directory, "ca.pem"), authority.ExportCertificatePem());
        if (client is not null)
        {
            File.WriteAllText(Path.Combine(directory, "cert.pem"), client.ExportCertificatePem());
            File.WriteAllText(Path.Combine(directory, "key.pem"), client.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem());
        }
    }
}

public sealed class DockerTlsTests(TlsDockerForwarder tls) : IClassFixture<TlsDockerForwarder>
{
    private Func<string, string?> Env(string certPath, bool verify = true) => name => name switch
    {
        "DOCKER_HOST" => tls.Host,
        "DOCKER_TLS_VERIFY" => verify ? "1" : null,
        "DOCKER_TLS" => verify ? null : "1",
        "DOCKER_CERT_PATH" => certPath,
        _ => null,
    };

    [Fact]
    public async Task The_daemon_is_reached_over_tls_with_a_client_certificate_from_docker_cert_path()
    {
        var endpoint = ReleaseOps.Docker.DockerEndpoint.Resolve(environment: Env(tls.CertPath));
        Assert.Equal(ReleaseOps.Docker.DockerTransport.TcpTls, endpoint.Transport);
        using var client = new ReleaseOps.Docker.DockerEngine(endpoint);
        Assert.True(await client.PingAsync() > TimeSpan.Zero);
        Assert.NotNull(client.ApiVersion);
        var info = await client.GetSystemInfoAsync();
        Assert.Equal("active", info.Swarm.LocalNodeState);
        Assert.NotNull(await client.TryInspectImageAsync(DockerFixture.WebV1));
    }

    [Fact]
    public async Task A_daemon_certificate_from_another_authority_fails_the_handshake_with_a_typed_error()
    {
        var endpoint = ReleaseOps.Docker.DockerEndpoint.Resolve(environment: Env(tls.ForeignCertPath));
        using var client = new ReleaseOps.Docker.DockerEngine(endpoint);
        var error = await Assert.ThrowsAsync<ReleaseOps.Errors.ReleaseOpsException>(() => client.PingAsync());
        Assert.Equal(ReleaseOps.Docker.DockerErrorIds.DaemonUnreachable, error.ErrorId);
        Assert.Equal(ReleaseOps.Errors.FailureKind.AuthenticationFailed, error.Kind);
        Assert.Contains("TLS", error.Message);
        Assert.Contains(tls.Host, error.Message);
        Assert.Contains("DOCKER_CERT_PATH", error.Fix);
    }

    [Fact]
    public async Task Without_a_client_certificate_the_daemon_refuses_and_the_error_is_typed()
    {
        var endpoint = ReleaseOps.Docker.DockerEndpoint.Resolve(environment: Env(tls.CaOnlyCertPath));
        using var client = new ReleaseOps.Docker.DockerEngine(endpoint);
        var error = await Assert.ThrowsAsync<ReleaseOps.Errors.ReleaseOpsException>(() => client.PingAsync());
        Assert.Equal(ReleaseOps.Docker.DockerErrorIds.DaemonUnreachable, error.ErrorId);
        Assert.Contains(tls.Host, error.Message);
    }

    [Fact]
    public async Task Docker_tls_without_verify_accepts_an_unknown_daemon_certificate()
    {
        // The foreign directory's client certificate is not trusted by the daemon, so use the good client
        // certificate but skip verification of the daemon: the connection works even though the CA differs.
        var mixed = Path.Combine(Path.GetDirectoryName(tls.CertPath)!, "mixed");
        Directory.CreateDirectory(mixed);
        File.Copy(Path.Combine(tls.ForeignCertPath, "ca.pem"), Path.Combine(mixed, "ca.pem"), overwrite: true);
        File.Copy(Path.Combine(tls.CertPath, "cert.pem"), Path.Combine(mixed, "cert.pem"), overwrite: true);
        File.Copy(Path.Combine(tls.CertPath, "key.pem"), Path.Combine(mixed, "key.pem"), overwrite: true);
        var endpoint = ReleaseOps.Docker.DockerEndpoint.Resolve(environment: Env(mixed, verify: false));
        Assert.False(endpoint.TlsVerify);
        using var client = new ReleaseOps.Docker.DockerEngine(endpoint);
        Assert.True(await client.PingAsync() > TimeSpan.Zero);
    }
}
