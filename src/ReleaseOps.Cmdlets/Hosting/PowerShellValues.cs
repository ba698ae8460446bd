using System.Collections;
using System.Management.Automation;

namespace ReleaseOps.Cmdlets.Hosting;

/// <summary>Values as PowerShell binds them (hashtables, PSObject wrappers), turned into what the engine takes.</summary>
internal static class PowerShellValues
{
    /// <summary>PowerShell wraps values in PSObject; the engine wants the values themselves, also inside lists and hashtables.</summary>
    public static object? Unwrap(object? value) => value switch
    {
        PSObject pso => Unwrap(pso.BaseObject),
        Hashtable table => table.Cast<DictionaryEntry>().ToDictionary(e => e.Key.ToString()!, e => Unwrap(e.Value)),
        object?[] items => items.Select(Unwrap).ToArray(),
        _ => value,
    };

    /// <summary>A -Variable hashtable as names and text values (empty when not given).</summary>
    public static IReadOnlyDictionary<string, string> StringMap(Hashtable? table) =>
        table is null
            ? new Dictionary<string, string>()
            : table.Cast<DictionaryEntry>().ToDictionary(e => e.Key.ToString()!, e => Unwrap(e.Value)?.ToString() ?? string.Empty);
}
