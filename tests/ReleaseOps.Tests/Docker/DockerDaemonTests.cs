using System.Net.Sockets;
using ReleaseOps.Docker;
using ReleaseOps.Errors;
using ReleaseOps.Tests.Support;
using Xunit;

namespace ReleaseOps.Tests.Docker;

[Collection(DockerCollection.Name)]
public sealed class DockerDaemonTests(DockerFixture docker)
{
    [Fact]
    public async Task Ping_version_and_info_describe_the_test_daemon()
    {
        var ping = await docker.Client.PingAsync();
        Assert.Equal(docker.Endpoint.Address, ping.Endpoint);
        Assert.NotNull(ping.ApiVersion);

        var version = await docker.Client.GetVersionAsync();
        Assert.False(string.IsNullOrEmpty(version.Version));
        Assert.Equal("linux", version.Os);

        var info = await docker.Client.GetSystemInfoAsync();
        Assert.True(info.CpuCount > 0);
        Assert.True(info.MemoryTotal > 0);
        Assert.True(info.Swarm.IsActive, "the test environment runs dockerd in swarm mode");
        Assert.True(info.Swarm.ControlAvailable);
    }

    [Fact]
    public async Task The_client_talks_the_lower_of_the_daemons_newest_and_its_own_newest_version()
    {
        using var client = new DockerClient(docker.Endpoint);
        Assert.Null(client.ApiVersion);
        var version = await client.GetVersionAsync();
        var daemonNewest = DockerApiVersion.Parse(version.ApiVersion);
        var expected = daemonNewest < DockerApiVersion.Maximum ? daemonNewest : DockerApiVersion.Maximum;
        Assert.Equal(expected, client.ApiVersion);

        // A client whose newest is older than the daemon's talks its own version: the daemon still answers.
        using var older = new DockerClient(docker.Endpoint, new DockerClientOptions
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
        using var client = new DockerClient(docker.Endpoint, new DockerClientOptions { PinnedApiVersion = new DockerApiVersion(1, 41) });
        Assert.Equal(new DockerApiVersion(1, 41), client.ApiVersion);
        Assert.NotNull(await client.ListImagesAsync());
        Assert.Equal(new DockerApiVersion(1, 41), client.ApiVersion);
    }

    [Fact]
    public async Task A_daemon_older_than_the_clients_minimum_is_refused_before_any_request()
    {
        using var client = new DockerClient(docker.Endpoint, new DockerClientOptions
        {
            MinimumApiVersion = new DockerApiVersion(1, 90),
            MaximumApiVersion = new DockerApiVersion(1, 99),
        });
        var error = await Assert.ThrowsAsync<ReleaseOpsException>(() => client.ListContainersAsync());
        Assert.Equal(DockerErrorIds.ApiVersionTooOld, error.ErrorId);
        Assert.Equal(FailureKind.VersionMismatch, error.Kind);
        Assert.Contains(docker.Endpoint.Address, error.Message);
        Assert.Contains("1.90", error.Message);
    }

    [Fact]
    public async Task A_missing_socket_is_reported_as_unreachable_naming_the_endpoint()
    {
        var path = Path.Combine(Path.GetTempPath(), DockerFixture.Name("missing") + ".sock");
        using var client = new DockerClient(DockerEndpoint.Parse("unix://" + path));
        var error = await Assert.ThrowsAsync<ReleaseOpsException>(() => client.PingAsync());
        Assert.Equal(DockerErrorIds.DaemonUnreachable, error.ErrorId);
        Assert.Equal(FailureKind.ConnectionFailed, error.Kind);
        Assert.Contains(path, error.Message);
        Assert.Contains("does not exist", error.Message);
        Assert.Contains("DOCKER_HOST", error.Fix);
        Assert.Contains("dockerd", error.Fix);
        Assert.IsNotType<HttpRequestException>(error);
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
            using var client = new DockerClient(DockerEndpoint.Parse("unix://" + path));
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
        using var client = new DockerClient(DockerEndpoint.Parse($"tcp://127.0.0.1:{port}"));
        var error = await Assert.ThrowsAsync<ReleaseOpsException>(() => client.PingAsync());
        Assert.Equal(DockerErrorIds.DaemonUnreachable, error.ErrorId);
        Assert.Contains($"tcp://127.0.0.1:{port}", error.Message);
    }

    [Fact]
    public async Task Caller_cancellation_is_honoured()
    {
        using var cancel = new CancellationTokenSource();
        cancel.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => docker.Client.ListContainersAsync(cancellation: cancel.Token));
    }
}
