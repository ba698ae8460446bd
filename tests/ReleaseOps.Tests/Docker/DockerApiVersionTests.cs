using ReleaseOps.Docker;
using ReleaseOps.Errors;
using Xunit;

namespace ReleaseOps.Tests.Docker;

public sealed class DockerApiVersionTests
{
    private static readonly DockerApiVersion Min = new(1, 41);
    private static readonly DockerApiVersion Max = DockerApiVersion.Maximum;

    [Fact]
    public void The_newest_version_is_the_librarys()
    {
        // Docker.DotNet.Enhanced 4.3.3 is generated from Docker 29.4 (API 1.54); raise this with the package.
        Assert.Equal(new DockerApiVersion(1, 54), DockerApiVersion.Maximum);
        Assert.Equal(new System.Version(1, 54), DockerApiVersion.Maximum.ToVersion());
    }

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
    [InlineData("1.54", "1.24", "1.54")]
    [InlineData("1.60", "1.44", "1.54")]
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
