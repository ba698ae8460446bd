using ReleaseOps.Docker;
using ReleaseOps.Errors;
using Xunit;

namespace ReleaseOps.Tests.Docker;

public sealed class DockerEndpointTests
{
    private static Func<string, string?> Env(params (string Name, string Value)[] values)
    {
        var map = values.ToDictionary(v => v.Name, v => v.Value);
        return name => map.TryGetValue(name, out var value) ? value : null;
    }

    [Fact]
    public void Without_settings_the_default_socket_is_used()
    {
        var endpoint = DockerEndpoint.Resolve(environment: Env());
        Assert.Equal("unix:///var/run/docker.sock", endpoint.Address);
        Assert.Equal(DockerTransport.UnixSocket, endpoint.Transport);
        Assert.Equal("/var/run/docker.sock", endpoint.SocketPath);
        Assert.Equal("default", endpoint.Origin);
    }

    [Fact]
    public void Docker_host_names_a_unix_socket()
    {
        var endpoint = DockerEndpoint.Resolve(environment: Env(("DOCKER_HOST", "unix:///tmp/x/docker.sock")));
        Assert.Equal("/tmp/x/docker.sock", endpoint.SocketPath);
        Assert.Equal("DOCKER_HOST", endpoint.Origin);
    }

    [Fact]
    public void Tcp_without_tls_defaults_to_2375_and_with_tls_verify_to_2376_with_the_cert_path()
    {
        var plain = DockerEndpoint.Resolve(environment: Env(("DOCKER_HOST", "tcp://10.1.2.3")));
        Assert.Equal(DockerTransport.Tcp, plain.Transport);
        Assert.Equal(2375, plain.TcpPort);
        Assert.Null(plain.CertPath);

        var tls = DockerEndpoint.Resolve(environment: Env(("DOCKER_HOST", "tcp://docker.example:2400"),
            ("DOCKER_TLS_VERIFY", "1"), ("DOCKER_CERT_PATH", "/etc/docker-certs")));
        Assert.Equal(DockerTransport.TcpTls, tls.Transport);
        Assert.True(tls.TlsVerify);
        Assert.Equal("docker.example", tls.TcpHost);
        Assert.Equal(2400, tls.TcpPort);
        Assert.Equal("/etc/docker-certs/ca.pem", tls.CaCertificateFile);
        Assert.Equal("/etc/docker-certs/cert.pem", tls.ClientCertificateFile);
        Assert.Equal("/etc/docker-certs/key.pem", tls.ClientKeyFile);

        var defaultPort = DockerEndpoint.Resolve(environment: Env(("DOCKER_HOST", "tcp://10.1.2.3"), ("DOCKER_TLS_VERIFY", "0"),
            ("HOME", "/home/ops")));
        Assert.Equal(2376, defaultPort.TcpPort);
        Assert.True(defaultPort.TlsVerify); // as the docker CLI: any non-empty value turns verification on
        Assert.Equal("/home/ops/.docker", defaultPort.CertPath);
    }

    [Fact]
    public void An_ipv6_literal_keeps_its_brackets_in_the_address_only()
    {
        var endpoint = DockerEndpoint.Parse("tcp://[::1]:2375");
        Assert.Equal("tcp://[::1]:2375", endpoint.Address);
        Assert.Equal("::1", endpoint.TcpHost);
        Assert.Equal(2375, endpoint.TcpPort);
    }

    [Fact]
    public void Docker_tls_alone_encrypts_without_verifying()
    {
        var endpoint = DockerEndpoint.Resolve(environment: Env(("DOCKER_HOST", "tcp://127.0.0.1:2376"), ("DOCKER_TLS", "1")));
        Assert.Equal(DockerTransport.TcpTls, endpoint.Transport);
        Assert.False(endpoint.TlsVerify);
    }

    [Fact]
    public void The_plans_fields_win_over_the_environment()
    {
        var endpoint = DockerEndpoint.Resolve("tcp://127.0.0.1:20999", tlsVerify: false, certPath: "/plan/certs", Env(("DOCKER_HOST", "unix:///tmp/other.sock"),
            ("DOCKER_TLS_VERIFY", "1"), ("DOCKER_CERT_PATH", "/env/certs")));
        Assert.Equal("tcp://127.0.0.1:20999", endpoint.Address);
        Assert.Equal(DockerTransport.Tcp, endpoint.Transport);
        Assert.Equal("plan", endpoint.Origin);

        var partial = DockerEndpoint.Resolve(certPath: "/plan/certs",
            environment: Env(("DOCKER_HOST", "tcp://127.0.0.1:2376"), ("DOCKER_TLS_VERIFY", "1")));
        Assert.Equal("/plan/certs", partial.CertPath);
        Assert.True(partial.TlsVerify);
    }

    [Theory]
    [InlineData("ssh://user@host")]
    [InlineData("npipe:////./pipe/docker_engine")]
    [InlineData("unix://relative/docker.sock")]
    [InlineData("tcp://")]
    [InlineData("/var/run/docker.sock")]
    public void Unusable_addresses_are_refused_with_a_typed_error(string host)
    {
        var error = Assert.Throws<ReleaseOpsException>(() => DockerEndpoint.Resolve(environment: Env(("DOCKER_HOST", host))));
        Assert.Equal(DockerErrorIds.EndpointInvalid, error.ErrorId);
        Assert.Equal(FailureKind.InvalidConfiguration, error.Kind);
        Assert.Contains(host, error.Message);
        Assert.Contains("DOCKER_HOST", error.Fix);
    }

    [Fact]
    public void Tls_verify_without_a_ca_file_is_refused_when_the_client_is_made()
    {
        var directory = Directory.CreateTempSubdirectory("ro-dock-certs-");
        try
        {
            var endpoint = DockerEndpoint.Parse("tcp://127.0.0.1:20998", tls: true, tlsVerify: true, certPath: directory.FullName);
            var error = Assert.Throws<ReleaseOpsException>(() => new DockerEngine(endpoint));
            Assert.Equal(DockerErrorIds.EndpointInvalid, error.ErrorId);
            Assert.Contains("ca.pem", error.Message);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Fact]
    public void The_current_context_names_the_endpoint_when_docker_host_is_not_set()
    {
        var config = Directory.CreateTempSubdirectory("ro-dock-config-");
        try
        {
            WriteContext(config.FullName, "ro-dock-ctx", "unix:///tmp/ro-dock-ctx.sock");
            WriteContext(config.FullName, "ro-dock-other", "tcp://10.9.8.7:2375");
            File.WriteAllText(Path.Combine(config.FullName, "config.json"), """{ "currentContext": "ro-dock-ctx" }""");

            var current = DockerEndpoint.Resolve(environment: Env(("DOCKER_CONFIG", config.FullName)));
            Assert.Equal("unix:///tmp/ro-dock-ctx.sock", current.Address);
            Assert.Equal("context ro-dock-ctx", current.Origin);

            var chosen = DockerEndpoint.Resolve(environment: Env(("DOCKER_CONFIG", config.FullName), ("DOCKER_CONTEXT", "ro-dock-other")));
            Assert.Equal("tcp://10.9.8.7:2375", chosen.Address);
            Assert.Equal(DockerTransport.Tcp, chosen.Transport);

            var host = DockerEndpoint.Resolve(environment: Env(("DOCKER_CONFIG", config.FullName), ("DOCKER_HOST", "unix:///tmp/env.sock")));
            Assert.Equal("unix:///tmp/env.sock", host.Address);
            Assert.Equal("DOCKER_HOST", host.Origin);

            var missing = Assert.Throws<ReleaseOpsException>(() =>
                DockerEndpoint.Resolve(environment: Env(("DOCKER_CONFIG", config.FullName), ("DOCKER_CONTEXT", "ro-dock-none"))));
            Assert.Equal(DockerErrorIds.EndpointInvalid, missing.ErrorId);
            Assert.Contains("ro-dock-none", missing.Message);
            Assert.Contains("docker context ls", missing.Fix);
        }
        finally
        {
            config.Delete(recursive: true);
        }
    }

    [Fact]
    public void A_context_with_tls_material_verifies_with_it()
    {
        var config = Directory.CreateTempSubdirectory("ro-dock-config-");
        try
        {
            WriteContext(config.FullName, "ro-dock-tls", "tcp://docker.example:2376");
            var tls = Path.Combine(config.FullName, "contexts", "tls", Hash("ro-dock-tls"), "docker");
            Directory.CreateDirectory(tls);
            File.WriteAllText(Path.Combine(tls, "ca.pem"), "placeholder");
            var endpoint = DockerEndpoint.Resolve(environment: Env(("DOCKER_CONFIG", config.FullName), ("DOCKER_CONTEXT", "ro-dock-tls")));
            Assert.Equal(DockerTransport.TcpTls, endpoint.Transport);
            Assert.True(endpoint.TlsVerify);
            Assert.Equal(Path.Combine(tls, "ca.pem"), endpoint.CaCertificateFile);
        }
        finally
        {
            config.Delete(recursive: true);
        }
    }

    [Fact]
    public void Docker_api_version_pins_the_version_and_a_malformed_one_is_refused()
    {
        var pinned = DockerEndpoint.Resolve(environment: Env(("DOCKER_HOST", "unix:///tmp/x.sock"), ("DOCKER_API_VERSION", "1.43")));
        Assert.Equal(new DockerApiVersion(1, 43), pinned.PinnedApiVersion);
        var error = Assert.Throws<ReleaseOpsException>(() =>
            DockerEndpoint.Resolve(environment: Env(("DOCKER_HOST", "unix:///tmp/x.sock"), ("DOCKER_API_VERSION", "latest"))));
        Assert.Equal(DockerErrorIds.EndpointInvalid, error.ErrorId);
        Assert.Contains("DOCKER_API_VERSION", error.Message);
    }

    private static void WriteContext(string config, string name, string host)
    {
        var meta = Path.Combine(config, "contexts", "meta", Hash(name));
        Directory.CreateDirectory(meta);
        File.WriteAllText(Path.Combine(meta, "meta.json"),
            $$"""{ "Name": "{{name}}", "Metadata": {}, "Endpoints": { "docker": { "Host": "{{host}}", "SkipTLSVerify": false } } }""");
    }

    private static string Hash(string name) =>
        Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(name))).ToLowerInvariant();
}
