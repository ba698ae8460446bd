using System.Management.Automation;
using ReleaseOps.Operations;

namespace ReleaseOps.Cmdlets.Hosting;

/// <summary>Forwards the seam to the PowerShell host that runs the cmdlet.</summary>
internal sealed class PowerShellRuntime : ICmdletRuntime
{
    private readonly Cmdlet _cmdlet;

    public PowerShellRuntime(Cmdlet cmdlet)
    {
        _cmdlet = cmdlet;
    }

    public void WriteObject(object? value) => _cmdlet.WriteObject(value);

    public void WriteError(CmdletError error) => _cmdlet.WriteError(ToErrorRecord(error));

    public void WriteVerbose(string message) => _cmdlet.WriteVerbose(message);

    public void WriteWarning(string message) => _cmdlet.WriteWarning(message);

    public void WriteProgress(OperationProgress progress)
    {
        var record = new ProgressRecord(progress.ActivityId, progress.Activity,
            string.IsNullOrEmpty(progress.Status) ? progress.Activity : progress.Status)
        {
            PercentComplete = Math.Clamp(progress.PercentComplete, -1, 100),
            ParentActivityId = progress.ParentActivityId,
            RecordType = progress.Completed ? ProgressRecordType.Completed : ProgressRecordType.Processing,
        };
        if (progress.Remaining is { } remaining)
        {
            record.SecondsRemaining = (int)Math.Ceiling(remaining.TotalSeconds);
        }
        _cmdlet.WriteProgress(record);
    }

    public bool ShouldProcess(string target, string action) => _cmdlet.ShouldProcess(target, action);

    public string ResolvePath(string path) =>
        _cmdlet is PSCmdlet ps ? ps.SessionState.Path.GetUnresolvedProviderPathFromPSPath(path) : Path.GetFullPath(path);

    public void ThrowTerminatingError(CmdletError error) => _cmdlet.ThrowTerminatingError(ToErrorRecord(error));

    private static ErrorRecord ToErrorRecord(CmdletError error)
    {
        var record = new ErrorRecord(error.Exception, error.ErrorId, error.Category, error.TargetObject);
        if (error.RecommendedAction is not null)
        {
            record.ErrorDetails = new ErrorDetails(error.Exception.Message) { RecommendedAction = error.RecommendedAction };
        }
        return record;
    }
}
