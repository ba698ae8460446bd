namespace ReleaseOps.Errors;

/// <summary>
/// What kind of failure an engine operation hit. Hosts map it onto their own vocabulary
/// (PowerShell's ErrorCategory, a CLI exit code) and decide from it whether the failure
/// ends the whole command (bad arguments or configuration) or only the current item.
/// </summary>
public enum FailureKind
{
    /// <summary>An argument given by the caller is wrong. Ends the command.</summary>
    InvalidArgument,
    /// <summary>A plan or configuration file is wrong. Ends the command.</summary>
    InvalidConfiguration,
    /// <summary>The target (container, database, backup, release) does not exist.</summary>
    NotFound,
    /// <summary>The target is in a state that refuses the operation (lock held, name taken).</summary>
    Conflict,
    /// <summary>The daemon, server or endpoint could not be reached.</summary>
    ConnectionFailed,
    /// <summary>The server refused the credentials.</summary>
    AuthenticationFailed,
    /// <summary>The operation did not finish within its time limit.</summary>
    Timeout,
    /// <summary>The operating system refused access to a file, socket or directory.</summary>
    PermissionDenied,
    /// <summary>Disk, memory or another limited resource ran out.</summary>
    ResourceExhausted,
    /// <summary>Data failed a checksum or consistency check.</summary>
    IntegrityFailure,
    /// <summary>The remote side speaks a version we cannot use.</summary>
    VersionMismatch,
    /// <summary>The operation ran and failed for a reason not covered above.</summary>
    OperationFailed,
}
