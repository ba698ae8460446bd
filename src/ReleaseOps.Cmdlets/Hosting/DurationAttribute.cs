using System.Globalization;
using System.Management.Automation;
using ReleaseOps.Plans;

namespace ReleaseOps.Cmdlets.Hosting;

/// <summary>
/// Lets every TimeSpan parameter take a duration as operators write it: 500ms, 90s, 5m, 2h, 1d,
/// 1h30m, a TimeSpan, or TimeSpan text (00:10:00, 30.00:00:00). PowerShell reads 2s and 1d as
/// numbers (a short and a decimal); the text the user typed travels with them, and is what is read
/// here. A bare number has no unit and is refused rather than taken as ticks or days.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
public sealed class DurationAttribute : ArgumentTransformationAttribute
{
    public override object? Transform(EngineIntrinsics engineIntrinsics, object? inputData)
    {
        var value = inputData is PSObject wrapped ? wrapped.BaseObject : inputData;
        if (value is null or TimeSpan)
        {
            return value;
        }
        // For a number typed on the command line (2s, 1d), PSObject.ToString() is the text as typed.
        var text = (inputData?.ToString() ?? "").Trim();
        if (DurationText.TryParse(text, out var duration))
        {
            return duration;
        }
        if (text.Contains(':') && TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out duration))
        {
            return duration;
        }
        throw new ArgumentTransformationMetadataException(
            $"'{text}' is not a duration: write a number and a unit (500ms, 90s, 5m, 2h, 1d, 1h30m) or a TimeSpan (00:10:00).");
    }
}
