using System.Management.Automation;
using ReleaseOps.Operations;

namespace ReleaseOps.Cmdlets.Hosting;

/// <summary>
/// The one seam between ReleaseOps cmdlets and the PowerShell host. Every object, error, message,
/// progress update and ShouldProcess question goes through it, always on the pipeline thread.
/// <see cref="PowerShellRuntime"/> forwards to the real host; tests substitute a recorder, because
/// the PowerShellStandard reference assembly that is all this machine has does nothing at run time.
/// </summary>
public interface ICmdletRuntime
{
    void WriteObject(object? value);

    void WriteError(CmdletError error);

    void WriteVerbose(string message);

    void WriteWarning(string message);

    void WriteProgress(OperationProgress progress);

    bool ShouldProcess(string target, string action);

    /// <summary>Turns a PowerShell path (relative to the current location, ~, a PSDrive) into a file system path.</summary>
    string ResolvePath(string path);

    /// <summary>Ends the command. Never returns.</summary>
    void ThrowTerminatingError(CmdletError error);
}

/// <summary>An error as ReleaseOps describes it; the PowerShell runtime turns it into an ErrorRecord.</summary>
public sealed record CmdletError(
    Exception Exception,
    string ErrorId,
    ErrorCategory Category,
    object? TargetObject,
    string? RecommendedAction = null)
{
    public string Message => Exception.Message;
}
