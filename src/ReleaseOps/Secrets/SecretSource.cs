using ReleaseOps.Errors;

namespace ReleaseOps.Secrets;

/// <summary>
/// Where a named secret lives. A plan names secrets (<c>${secret:db_password}</c>) and says where
/// each comes from; the value is read only when an operation needs it and is never stored in the
/// plan object, a record, a journal or a report.
/// </summary>
public abstract record SecretSource(string Name)
{
    /// <summary>Reads the value now. Throws <see cref="ReleaseOpsException"/> naming the source, never the value.</summary>
    public abstract SecretValue Resolve();

    /// <summary>Text for output and journals, for example <c>env:PGPASSWORD</c>.</summary>
    public abstract string Describe();

    public sealed override string ToString() => $"{Name} <- {Describe()}";
}

/// <summary>A secret held in an environment variable of the process running ReleaseOps.</summary>
public sealed record EnvironmentSecretSource(string Name, string Variable) : SecretSource(Name)
{
    public override SecretValue Resolve()
    {
        var value = Environment.GetEnvironmentVariable(Variable);
        if (value is null)
        {
            throw new ReleaseOpsException("SecretNotFound", FailureKind.NotFound,
                $"Secret '{Name}' is not available: environment variable {Variable} is not set.",
                target: $"env:{Variable}", fix: $"Set {Variable} in the environment that runs ReleaseOps.");
        }
        return new SecretValue(value) { Source = Describe() };
    }

    public override string Describe() => $"env:{Variable}";
}

/// <summary>A secret held in a file; a single trailing newline is not part of the value.</summary>
public sealed record FileSecretSource(string Name, string Path) : SecretSource(Name)
{
    public override SecretValue Resolve()
    {
        string text;
        try
        {
            text = File.ReadAllText(Path);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new ReleaseOpsException("SecretNotFound", FailureKind.NotFound,
                $"Secret '{Name}' is not available: file {Path} does not exist.",
                target: Path, fix: "Create the file or point the secret at the right path.", innerException: ex);
        }
        catch (UnauthorizedAccessException ex)
        {
            throw new ReleaseOpsException("SecretAccessDenied", FailureKind.PermissionDenied,
                $"Secret '{Name}' is not readable: access to {Path} was denied.",
                target: Path, fix: "Give the account running ReleaseOps read access to the file (mode 0400/0600).",
                innerException: ex);
        }
        return new SecretValue(text.AsSpan().TrimEnd("\r\n")) { Source = Describe() };
    }

    public override string Describe() => $"file:{Path}";
}

/// <summary>A Docker (Swarm) secret mounted into the container running ReleaseOps.</summary>
public sealed record DockerSecretSource(string Name, string SecretName, string MountDirectory = "/run/secrets")
    : SecretSource(Name)
{
    public override SecretValue Resolve()
    {
        var value = new FileSecretSource(Name, System.IO.Path.Combine(MountDirectory, SecretName)).Resolve();
        return new SecretValue(value.Reveal()) { Source = Describe() };
    }

    public override string Describe() => $"docker:{SecretName}";
}

/// <summary>A secret handed over directly by the host (a PSCredential's password, a SecureString).</summary>
public sealed record GivenSecretSource(string Name, SecretValue Value) : SecretSource(Name)
{
    public override SecretValue Resolve() => Value;

    public override string Describe() => "given";
}
