using System.Globalization;
using ReleaseOps.Errors;

namespace ReleaseOps.Docker;

/// <summary>A Docker Engine API version such as <c>1.41</c>, ordered numerically (1.9 &lt; 1.41).</summary>
public readonly record struct DockerApiVersion(int Major, int Minor) : IComparable<DockerApiVersion>
{
    /// <summary>The oldest API this client speaks: Docker 20.10 (Debian 12's docker.io).</summary>
    public static readonly DockerApiVersion Minimum = new(1, 41);

    /// <summary>
    /// The newest API the library speaks: Docker.DotNet.Enhanced 4.3.3 is generated from Docker 29.4's API,
    /// 1.54. Newer daemons are talked to at this version.
    /// </summary>
    public static readonly DockerApiVersion Maximum = new(1, 54);

    public static DockerApiVersion Parse(string text)
    {
        if (TryParse(text, out var version))
        {
            return version;
        }
        throw new ReleaseOpsException(DockerErrorIds.RequestFailed, FailureKind.VersionMismatch,
            $"'{text}' is not a Docker API version (expected MAJOR.MINOR, for example 1.41).",
            target: text, fix: "Give an API version such as 1.41.");
    }

    public static bool TryParse(string? text, out DockerApiVersion version)
    {
        version = default;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }
        var parts = text.Trim().TrimStart('v').Split('.');
        if (parts.Length != 2
            || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var major)
            || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var minor))
        {
            return false;
        }
        version = new DockerApiVersion(major, minor);
        return true;
    }

    /// <summary>
    /// The version to talk at: the lower of the daemon's newest and ours. Throws
    /// <see cref="DockerErrorIds.ApiVersionTooOld"/> when the daemon's newest is older than our oldest, and
    /// <see cref="DockerErrorIds.ApiVersionUnsupported"/> when the daemon's oldest is newer than our newest.
    /// </summary>
    public static DockerApiVersion Negotiate(DockerApiVersion daemonMaximum, DockerApiVersion? daemonMinimum,
        DockerApiVersion clientMinimum, DockerApiVersion clientMaximum, string endpoint)
    {
        if (daemonMaximum < clientMinimum)
        {
            throw new ReleaseOpsException(DockerErrorIds.ApiVersionTooOld, FailureKind.VersionMismatch,
                $"The Docker daemon at {endpoint} speaks API {daemonMaximum} at most; ReleaseOps needs {clientMinimum} or newer.",
                target: endpoint, fix: $"Upgrade the Docker engine to a release with API {clientMinimum} or newer (Docker 20.10+).");
        }
        if (daemonMinimum is { } oldest && oldest > clientMaximum)
        {
            throw new ReleaseOpsException(DockerErrorIds.ApiVersionUnsupported, FailureKind.VersionMismatch,
                $"The Docker daemon at {endpoint} no longer speaks API {clientMaximum} (its oldest is {oldest}).",
                target: endpoint, fix: "Upgrade ReleaseOps (and with it Docker.DotNet.Enhanced) to a release that speaks this daemon's API.");
        }
        return daemonMaximum < clientMaximum ? daemonMaximum : clientMaximum;
    }

    /// <summary>As the library takes it.</summary>
    public System.Version ToVersion() => new(Major, Minor);

    public int CompareTo(DockerApiVersion other) =>
        Major != other.Major ? Major.CompareTo(other.Major) : Minor.CompareTo(other.Minor);

    public static bool operator <(DockerApiVersion a, DockerApiVersion b) => a.CompareTo(b) < 0;
    public static bool operator >(DockerApiVersion a, DockerApiVersion b) => a.CompareTo(b) > 0;
    public static bool operator <=(DockerApiVersion a, DockerApiVersion b) => a.CompareTo(b) <= 0;
    public static bool operator >=(DockerApiVersion a, DockerApiVersion b) => a.CompareTo(b) >= 0;

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Major}.{Minor}");
}
