namespace ReleaseOps.Errors;

/// <summary>
/// The one exception type the engine throws on purpose. It carries a stable identifier that
/// scripts can match on, the kind of failure, the target it concerns, and the fix an operator
/// should try. Its message never contains a secret: callers build it from names, not values.
/// </summary>
public class ReleaseOpsException : Exception
{
    public ReleaseOpsException(string errorId, FailureKind kind, string message, string? target = null,
        string? fix = null, Exception? innerException = null)
        : base(message, innerException)
    {
        ArgumentException.ThrowIfNullOrEmpty(errorId);
        ErrorId = errorId;
        Kind = kind;
        Target = target;
        Fix = fix;
    }

    /// <summary>Stable identifier, for example <c>DockerDaemonUnreachable</c>.</summary>
    public string ErrorId { get; }

    public FailureKind Kind { get; }

    /// <summary>What the failure is about: an endpoint, a file, a container, a database.</summary>
    public string? Target { get; }

    /// <summary>What the operator should do about it, in one sentence.</summary>
    public string? Fix { get; }

    /// <summary>True when the failure means the whole command cannot go on (bad input).</summary>
    public bool EndsCommand => Kind is FailureKind.InvalidArgument or FailureKind.InvalidConfiguration;

    /// <summary>Message, target and fix in one line, for hosts that print plain text.</summary>
    public string Describe()
    {
        var text = Message;
        if (Target is not null && !Message.Contains(Target, StringComparison.Ordinal))
        {
            text += $" (target: {Target})";
        }
        return Fix is null ? text : $"{text} Fix: {Fix}";
    }
}
