using ReleaseOps.Docker;
using ReleaseOps.Errors;
using Xunit;

namespace ReleaseOps.Tests.Docker;

public sealed class DockerApiVersionTests
{
    private static readonly DockerApiVersion Min = new(1, 41);
    private static readonly DockerApiVersion Max = new(1, 45);

    [Fact]
    public void Versions_compare_numerically()
    {
        Assert.True(DockerApiVersion.Parse("1.9") < DockerApiVersion.Parse("1.41"));
        Assert.True(DockerApiVersion.Parse("2.0") > DockerApiVersion.Parse("1.99"));
        Assert.Equal("1.41", DockerApiVersion.Parse("1.41").ToString());
        Assert.False(DockerApiVersion.TryParse("1.x", out _));
    }

    [Theory]
    [InlineData("1.41", "1.12", "1.41")]
    [InlineData("1.43", "1.12", "1.43")]
    [InlineData("1.51", "1.24", "1.45")]
    public void The_lower_of_the_daemons_newest_and_ours_is_used(string daemonMax, string daemonMin, string expected)
    {
        var version = DockerApiVersion.Negotiate(DockerApiVersion.Parse(daemonMax), DockerApiVersion.Parse(daemonMin), Min, Max, "unix:///x");
        Assert.Equal(DockerApiVersion.Parse(expected), version);
    }

    [Fact]
    public void A_daemon_older_than_our_minimum_is_refused()
    {
        var error = Assert.Throws<ReleaseOpsException>(() =>
            DockerApiVersion.Negotiate(new DockerApiVersion(1, 40), null, Min, Max, "tcp://old:2376"));
        Assert.Equal(DockerErrorIds.ApiVersionTooOld, error.ErrorId);
        Assert.Equal(FailureKind.VersionMismatch, error.Kind);
        Assert.Contains("tcp://old:2376", error.Message);
        Assert.Contains("1.40", error.Message);
    }

    [Fact]
    public void A_daemon_that_dropped_our_newest_is_refused()
    {
        var error = Assert.Throws<ReleaseOpsException>(() =>
            DockerApiVersion.Negotiate(new DockerApiVersion(2, 5), new DockerApiVersion(2, 0), Min, Max, "unix:///x"));
        Assert.Equal(DockerErrorIds.ApiVersionUnsupported, error.ErrorId);
    }
}
