using System.Collections;
using System.Globalization;

namespace ReleaseOps.Plans;

/// <summary>
/// Values handed in by a host (PowerShell hashtables, arrays and PSObjects, CLI strings) brought into the
/// shapes plan settings are read in: string, bool, TimeSpan, long, double, lists and maps, as a plan's
/// loader types them. Inline gates and inline watch probes both read their settings this way.
/// </summary>
public static class HostValues
{
    public static object? Normalize(object? value) => Unwrap(value) switch
    {
        null => null,
        string or bool or TimeSpan or double or long => Unwrap(value),
        int or short or byte or uint or ushort or sbyte => Convert.ToInt64(Unwrap(value), CultureInfo.InvariantCulture),
        float or decimal => Convert.ToDouble(Unwrap(value), CultureInfo.InvariantCulture),
        IDictionary dictionary => dictionary.Keys.Cast<object>().ToDictionary(
            k => Convert.ToString(k, CultureInfo.InvariantCulture)!, k => Normalize(dictionary[k]), StringComparer.OrdinalIgnoreCase)
            as IReadOnlyDictionary<string, object?>,
        IEnumerable items => items.Cast<object?>().Select(Normalize).ToArray() as IReadOnlyList<object?>,
        var other => Convert.ToString(other, CultureInfo.InvariantCulture),
    };

    /// <summary>The object a PowerShell PSObject wraps (the engine does not reference PowerShell, so by name).</summary>
    public static object? Unwrap(object? value) =>
        value?.GetType().FullName == "System.Management.Automation.PSObject"
            ? value.GetType().GetProperty("BaseObject")?.GetValue(value)
            : value;
}
