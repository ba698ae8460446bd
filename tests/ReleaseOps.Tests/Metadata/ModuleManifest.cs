using System.Collections;
using System.Management.Automation;
using ReleaseOps.Tests.Plans;

namespace ReleaseOps.Tests.Metadata;

/// <summary>ReleaseOps.psd1 as PowerShell reads it (Import-PowerShellDataFile).</summary>
public sealed class ModuleManifest
{
    private static readonly Lazy<ModuleManifest> Loaded = new(() =>
    {
        using var shell = PowerShell.Create();
        var data = shell.AddCommand("Import-PowerShellDataFile").AddParameter("LiteralPath", Path).Invoke().Single().BaseObject;
        return new ModuleManifest((Hashtable)data);
    });

    private readonly Hashtable _data;

    private ModuleManifest(Hashtable data)
    {
        _data = data;
    }

    public static string Path => System.IO.Path.Combine(ExamplePlanTests.RepositoryRoot, "ReleaseOps.psd1");

    public static ModuleManifest Load() => Loaded.Value;

    public string Value(string key) =>
        _data[key] as string ?? throw new InvalidOperationException($"{key} not found in ReleaseOps.psd1");

    public IReadOnlyList<string> List(string key) => _data[key] switch
    {
        object[] items => items.Select(i => i.ToString()!).ToList(),
        string one => new[] { one },
        _ => throw new InvalidOperationException($"{key} not found in ReleaseOps.psd1"),
    };
}
