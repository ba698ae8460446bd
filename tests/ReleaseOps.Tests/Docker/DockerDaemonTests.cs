using System.Net.Sockets;
using ReleaseOps.Docker;
using ReleaseOps.Errors;
using Xunit;

namespace ReleaseOps.Tests.Docker;

[Collection(DockerCollection.Name)]
public sealed class DockerDaemonTests(DockerFixture docker)
{
    [Fact]
    public async Task Ping_version_and_info_describe_the_test_daemon()
    {
        Assert.True(await docker.Client.PingAsync() > TimeSpan.Zero);

        var version = await docker.Client.GetVersionAsync();
        Assert.False(string.IsNullOrEmpty(version.Version));
        Assert.Equal("linux", version.Os);

        var info = await docker.Client.GetSystemInfoAsync();
        Assert.True(info.NCPU > 0);
        Assert.True(info.MemTotal > 0);
        Assert.Equal("active", info.Swarm.LocalNodeState); // the test environment runs dockerd in swarm mode
        Assert.True(info.Swarm.ControlAvailable);
    }

    [Fact]
    public async Task The_client_is_pinned_to_the_lower_of_the_daemons_newest_and_the_librarys_newest_version()
    {
        using var client = new DockerEngine(docker.Endpoint);
        Assert.Null(client.ApiVersion);
        var version = await client.GetVersionAsync();
        var daemonNewest = DockerApiVersion.Parse(version.APIVersion);
        var expected = daemonNewest < DockerApiVersion.Maximum ? daemonNewest : DockerApiVersion.Maximum;
        Assert.Equal(expected, client.ApiVersion);

        // A client whose newest is older than the daemon's talks its own version: the daemon still answers.
        using var older = new DockerEngine(docker.Endpoint, new DockerClientOptions
        {
            MinimumApiVersion = new DockerApiVersion(1, 30),
            MaximumApiVersion = new DockerApiVersion(1, 40),
        });
        var info = await older.GetSystemInfoAsync();
        Assert.Equal(new DockerApiVersion(1, 40), older.ApiVersion);
        Assert.False(string.IsNullOrEmpty(info.ServerVersion));
    }

    [Fact]
    public async Task A_pinned_version_skips_negotiation()
    {
        using var client = new DockerEngine(docker.Endpoint, new DockerClientOptions { PinnedApiVersion = new DockerApiVersion(1, 41) });
        Assert.Equal(new DockerApiVersion(1, 41), await client.ConnectAsync());
        Assert.NotNull(await client.ListContainersAsync(name: DockerFixture.Prefix));
    }

    [Theory]
    [InlineData("1.99", "too new")]
    [InlineData("1.5", "too old")]
    public async Task A_pinned_version_the_daemon_refuses_is_a_typed_error_that_says_what_to_do(string pinned, string why)
    {
        // As a user's DOCKER_API_VERSION would pin it.
        var endpoint = DockerEndpoint.Resolve(environment: name => name switch
        {
            "DOCKER_HOST" => docker.Endpoint.Address,
            "DOCKER_API_VERSION" => pinned,
            _ => null,
        });
        Assert.Equal(DockerApiVersion.Parse(pinned), endpoint.PinnedApiVersion);
        using var client = new DockerEngine(endpoint);
        var error = await Assert.ThrowsAsync<ReleaseOpsException>(() => client.ListContainersAsync(name: DockerFixture.Prefix));
        Assert.Equal(DockerErrorIds.ApiVersionRefused, error.ErrorId);
        Assert.Equal(FailureKind.VersionMismatch, error.Kind);
        Assert.Contains(pinned, error.Message);
        Assert.Contains(why, error.Message);
        Assert.Contains(docker.Endpoint.Address, error.Message);
        Assert.Contains("DOCKER_API_VERSION", error.Fix);
    }

    [Fact]
    public async Task A_daemon_older_than_the_clients_minimum_is_refused_before_any_request()
    {
        using var client = new DockerEngine(docker.Endpoint, new DockerClientOptions
        {
            MinimumApiVersion = new DockerApiVersion(1, 90),
            MaximumApiVersion = new DockerApiVersion(1, 99),
        });
        var error = await Assert.ThrowsAsync<ReleaseOpsException>(() => client.ListContainersAsync());
        Assert.Equal(DockerErrorIds.ApiVersionTooOld, error.ErrorId);
        Assert.Equal(FailureKind.VersionMismatch, error.Kind);
        Assert.Contains(docker.Endpoint.Address, error.Message);
        Assert.Contains("1.90", error.Message);
        Assert.Null(client.ApiVersion);
    }

    [Fact]
    public async Task A_missing_socket_is_reported_as_unreachable_naming_the_endpoint()
    {
        var path = Path.Combine(Path.GetTempPath(), DockerFixture.Name("missing") + ".sock");
        using var client = new DockerEngine(DockerEndpoint.Parse("unix://" + path));
        var error = await Assert.ThrowsAsync<ReleaseOpsException>(() => client.PingAsync());
        Assert.Equal(DockerErrorIds.DaemonUnreachable, error.ErrorId);
        Assert.Equal(FailureKind.ConnectionFailed, error.Kind);
        Assert.Contains(path, error.Message);
        Assert.Contains("does not exist", error.Message);
        Assert.Contains("DOCKER_HOST", error.Fix);
        Assert.Contains("dockerd", error.Fix);
    }

    [Fact]
    public async Task A_socket_nobody_listens_on_is_reported_as_refused()
    {
        var path = Path.Combine(Path.GetTempPath(), DockerFixture.Name("dead") + ".sock");
        // Bound but never listening: the file exists, and every connect is refused.
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        socket.Bind(new UnixDomainSocketEndPoint(path));
        try
        {
            using var client = new DockerEngine(DockerEndpoint.Parse("unix://" + path));
            var error = await Assert.ThrowsAsync<ReleaseOpsException>(() => client.GetVersionAsync());
            Assert.Equal(DockerErrorIds.DaemonUnreachable, error.ErrorId);
            Assert.True(error.Message.Contains("refused"), error.Message);
            Assert.Contains(path, error.Message);
        }
        finally
        {
            socket.Dispose();
            File.Delete(path);
        }
    }

    [Fact]
    public async Task A_closed_tcp_port_is_reported_as_unreachable()
    {
        var port = DockerFixture.Port();
        using var client = new DockerEngine(DockerEndpoint.Parse($"tcp://127.0.0.1:{port}"));
        var error = await Assert.ThrowsAsync<ReleaseOpsException>(() => client.PingAsync());
        Assert.Equal(DockerErrorIds.DaemonUnreachable, error.ErrorId);
        Assert.Contains($"tcp://127.0.0.1:{port}", error.Message);
        Assert.Contains("refused", error.Message);
    }

    [Fact]
    public async Task Caller_cancellation_is_honoured_and_a_request_past_its_limit_is_a_typed_timeout()
    {
        using var cancel = new CancellationTokenSource();
        cancel.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => docker.Client.ListContainersAsync(cancellation: cancel.Token));

        // A listener that accepts and never answers stands in for a hung daemon.
        var path = Path.Combine(Path.GetTempPath(), DockerFixture.Name("hung") + ".sock");
        using var silent = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        silent.Bind(new UnixDomainSocketEndPoint(path));
        silent.Listen(4);
        try
        {
            using var client = new DockerEngine(DockerEndpoint.Parse("unix://" + path), new DockerClientOptions
            {
                RequestTimeout = TimeSpan.FromMilliseconds(300),
                PinnedApiVersion = new DockerApiVersion(1, 41),
            });
            var error = await Assert.ThrowsAsync<ReleaseOpsException>(() => client.ListContainersAsync());
            Assert.Equal(DockerErrorIds.Timeout, error.ErrorId);
            Assert.Equal(FailureKind.Timeout, error.Kind);
        }
        finally
        {
            silent.Dispose();
            File.Delete(path);
        }
    }
}
