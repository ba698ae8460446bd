using ReleaseOps.Errors;
using ReleaseOps.Backup;
using ReleaseOps.Infrastructure.Redis;
using ReleaseOps.Secrets;
using ReleaseOps.Tests.Support;
using Xunit;

namespace ReleaseOps.Tests.Redis;

/// <summary>The Redis client and the snapshot reader over TLS against a private redis-server with a certificate made by openssl.</summary>
public class RedisTlsTests
{
    [Fact]
    public async Task Tls_connection_trusts_a_given_ca_and_refuses_an_unknown_one()
    {
        var directory = Path.Combine(Path.GetTempPath(), "ro-bkp-redis-tls-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(directory);
        var cert = Path.Combine(directory, "cert.pem");
        var key = Path.Combine(directory, "key.pem");
        await ReleaseOps.Tests.Backup.Shell.RunAsync("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
            "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1", "-keyout", key, "-out", cert);
        var password = new SecretValue(CanarySecret.New());
        await using var server = await ScratchRedisServer.StartAsync(new ScratchRedisServerOptions
        {
            Directory = directory,
            Port = 23101,
            Password = password,
            ExtraConfiguration = new[]
            {
                "tls-port 23102", $"tls-cert-file {cert}", $"tls-key-file {key}", $"tls-ca-cert-file {cert}", "tls-auth-clients no",
            },
        });
        try
        {
            var options = new RedisConnectionOptions
            {
                Host = "127.0.0.1",
                Port = 23102,
                UseTls = true,
                TlsServerName = "localhost",
                TlsCaCertificateFile = cert,
                Password = password,
                Database = 2,
            };
            await using (var tls = await RedisSession.ConnectAsync(options))
            {
                await tls.RunAsync("PING", (redis, _) => redis.PingAsync());
                Assert.Equal("23102", (await tls.ConfigGetAsync("tls-port"))["tls-port"]);
            }
            using (var rdb = new MemoryStream())
            {
                var transfer = await ReleaseOps.Redis.RedisSnapshotReader.ReadAsync(options, rdb);
                Assert.Equal(transfer.Bytes, rdb.Length);
            }
            foreach (var untrusting in new Func<Task>[]
                     {
                         () => RedisSession.ConnectAsync(options with { TlsCaCertificateFile = null }),
                         () => ReleaseOps.Redis.RedisSnapshotReader.ReadAsync(options with { TlsCaCertificateFile = null }, Stream.Null),
                     })
            {
                var untrusted = await Assert.ThrowsAsync<ReleaseOpsException>(untrusting);
                Assert.Equal("RedisTlsFailed", untrusted.ErrorId);
                Assert.Contains("127.0.0.1:23102", untrusted.Message);
            }
        }
        finally
        {
            await server.DisposeAsync();
            Directory.Delete(directory, recursive: true);
        }
    }
}
