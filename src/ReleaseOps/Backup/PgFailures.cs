using System.Net.Sockets;
using Npgsql;
using ReleaseOps.Errors;
using ReleaseOps.Secrets;

namespace ReleaseOps.Backup;

/// <summary>Turns Npgsql failures and pg_dump/pg_restore stderr into typed errors that never hold a password.</summary>
internal static class PgFailures
{
    public static ReleaseOpsException From(Exception ex, PgEndpoint endpoint, string doing)
    {
        var target = endpoint.Describe();
        var redactor = SecretRedactor.For(endpoint.Password);
        if (ex is PostgresException pg)
        {
            var text = redactor.Redact(pg.MessageText);
            return pg.SqlState switch
            {
                "28P01" or "28000" => new ReleaseOpsException("PgAuthenticationFailed", FailureKind.AuthenticationFailed,
                    $"PostgreSQL at {target} refused the credentials of user '{endpoint.Username}': {text}", target,
                    $"Check the password of '{endpoint.Username}' and pg_hba.conf on {endpoint.Host}:{endpoint.Port}.", ex),
                "3D000" => new ReleaseOpsException("PgDatabaseNotFound", FailureKind.NotFound,
                    $"PostgreSQL at {endpoint.Host}:{endpoint.Port} has no database '{endpoint.Database}'.", target,
                    "Check the database name.", ex),
                "42P04" => new ReleaseOpsException("PgDatabaseExists", FailureKind.Conflict,
                    $"A database named in {doing} already exists on {endpoint.Host}:{endpoint.Port}: {text}", target,
                    "Choose another name or drop the existing database first.", ex),
                "57P01" or "57P02" or "57P03" => Lost(target, doing, text, ex),
                "53100" => new ReleaseOpsException("PgDiskFull", FailureKind.ResourceExhausted,
                    $"PostgreSQL at {target} ran out of disk during {doing}: {text}", target, "Free disk space on the database server.", ex),
                "42501" => new ReleaseOpsException("PgPermissionDenied", FailureKind.PermissionDenied,
                    $"PostgreSQL at {target} denied {doing}: {text}", target,
                    $"Grant '{endpoint.Username}' the privileges {doing} needs.", ex),
                _ => new ReleaseOpsException("PgCommandFailed", FailureKind.OperationFailed,
                    $"PostgreSQL at {target} failed during {doing}: {pg.SqlState} {text}", target,
                    "Read the server's message and its log.", ex),
            };
        }
        if (endpoint.Password is null && ex is NpgsqlException && ex.Message.Contains("password", StringComparison.OrdinalIgnoreCase))
        {
            // Npgsql refuses before asking the server when it has no password to answer with.
            return new ReleaseOpsException("PgPasswordMissing", FailureKind.AuthenticationFailed,
                $"PostgreSQL at {target} wants a password for user '{endpoint.Username}', and none was given.", target,
                "Pass -Credential or -PasswordVariable (releaseops: --password-env), or give the connection a password: ${secret:NAME}.", ex);
        }
        if (ex is NpgsqlException { InnerException: SocketException or IOException } or NpgsqlException { IsTransient: true } ||
            ex is TimeoutException || ex is SocketException)
        {
            return Lost(target, doing, redactor.Redact(ex.Message), ex);
        }
        return new ReleaseOpsException("PgCommandFailed", FailureKind.OperationFailed,
            $"PostgreSQL at {target} failed during {doing}: {redactor.Redact(ex.Message)}", target,
            "Read the server's message and its log.", ex);
    }

    /// <summary>Classifies a pg_dump/pg_restore failure from its (already redacted) stderr.</summary>
    public static ReleaseOpsException FromTool(string tool, int exitCode, string stderr, PgEndpoint endpoint, string doing)
    {
        var target = endpoint.Describe();
        var detail = LastLines(stderr);
        if (stderr.Contains("password authentication failed", StringComparison.OrdinalIgnoreCase) ||
            stderr.Contains("no password supplied", StringComparison.OrdinalIgnoreCase))
        {
            return new ReleaseOpsException("PgAuthenticationFailed", FailureKind.AuthenticationFailed,
                $"{tool} could not log in to {target} as '{endpoint.Username}': {detail}", target,
                $"Check the password of '{endpoint.Username}' and pg_hba.conf on {endpoint.Host}:{endpoint.Port}.");
        }
        if (stderr.Contains("server closed the connection", StringComparison.OrdinalIgnoreCase) ||
            stderr.Contains("terminating connection", StringComparison.OrdinalIgnoreCase) ||
            stderr.Contains("connection to server", StringComparison.OrdinalIgnoreCase) ||
            stderr.Contains("could not receive data", StringComparison.OrdinalIgnoreCase) ||
            stderr.Contains("Connection refused", StringComparison.OrdinalIgnoreCase))
        {
            return new ReleaseOpsException("PgConnectionLost", FailureKind.ConnectionFailed,
                $"{tool} lost its connection to {target} during {doing}: {detail}", target,
                "Check that the PostgreSQL server is running and reachable, then run the operation again.");
        }
        if (stderr.Contains("No space left on device", StringComparison.OrdinalIgnoreCase))
        {
            return new ReleaseOpsException("BackupDestinationFull", FailureKind.ResourceExhausted,
                $"{tool} ran out of disk space during {doing}: {detail}", target, "Free space at the destination or choose another one.");
        }
        return new ReleaseOpsException(tool == "pg_dump" ? "PgDumpFailed" : "PgRestoreFailed", FailureKind.OperationFailed,
            $"{tool} failed (exit code {exitCode}) during {doing} of {target}: {detail}", target,
            $"Read {tool}'s message above; check versions and privileges.");
    }

    private static ReleaseOpsException Lost(string target, string doing, string text, Exception ex) =>
        new("PgConnectionLost", FailureKind.ConnectionFailed,
            $"The connection to PostgreSQL at {target} was lost or refused during {doing}: {text}", target,
            "Check that the PostgreSQL server is running and reachable, then run the operation again.", ex);

    private static string LastLines(string text)
    {
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return lines.Length == 0 ? "(no message)" : string.Join(" | ", lines.TakeLast(3));
    }
}
