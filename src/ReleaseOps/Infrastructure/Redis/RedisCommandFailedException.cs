using ReleaseOps.Errors;

namespace ReleaseOps.Infrastructure.Redis;

/// <summary>
/// The server answered a command with an error reply (<c>-ERR ...</c>, <c>-WRONGTYPE ...</c>).
/// ErrorId <c>RedisCommandFailed</c>; <see cref="ServerErrorCode"/> holds the reply's first word so
/// callers can tell a refused command from a missing one without parsing text.
/// </summary>
public sealed class RedisCommandFailedException : ReleaseOpsException
{
    public RedisCommandFailedException(string command, string serverMessage, string endpoint)
        : base("RedisCommandFailed", KindOf(serverMessage),
            $"Redis at {endpoint} refused {command}: {serverMessage}", target: endpoint,
            fix: FixFor(command, serverMessage))
    {
        Command = command;
        ServerMessage = serverMessage;
        ServerErrorCode = serverMessage.Split(' ', 2)[0];
    }

    /// <summary>The command name (never its arguments, which may hold a secret).</summary>
    public string Command { get; }

    /// <summary>The server's error text, with known secrets removed.</summary>
    public string ServerMessage { get; }

    /// <summary>The first word of the error reply: ERR, WRONGTYPE, NOAUTH, NOPERM...</summary>
    public string ServerErrorCode { get; }

    private static FailureKind KindOf(string message)
    {
        var code = message.Split(' ', 2)[0];
        return code switch
        {
            "NOAUTH" or "WRONGPASS" => FailureKind.AuthenticationFailed,
            "NOPERM" => FailureKind.PermissionDenied,
            "OOM" => FailureKind.ResourceExhausted,
            "LOADING" or "BUSY" or "MASTERDOWN" or "READONLY" => FailureKind.Conflict,
            _ => FailureKind.OperationFailed,
        };
    }

    private static string FixFor(string command, string message) => message.Split(' ', 2)[0] switch
    {
        "NOAUTH" => "Give the Redis password (and ACL user if one is used) to the connection.",
        "NOPERM" => $"Grant the ACL user the permission to run {command} (ACL SETUSER ... +{command.ToLowerInvariant()}).",
        "LOADING" => "Wait until the server has loaded its dataset, then try again.",
        _ => $"Check that the server supports {command} with these arguments.",
    };
}
