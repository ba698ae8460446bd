using System.Collections;
using System.Management.Automation;
using ReleaseOps.Cmdlets.Hosting;

namespace ReleaseOps.Cmdlets.Plans;

/// <summary>Parameters shared by the cmdlets that read plan files.</summary>
public abstract class PlanFileCmdlet : ReleaseOpsCmdlet
{
    /// <summary>
    /// <para type="description">Path of the release plan (YAML), relative to the current location; wildcards select several. Accepts FileInfo objects from Get-ChildItem.</para>
    /// </summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("FullName", "PSPath")]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string[] Path { get; set; } = Array.Empty<string>();

    /// <summary>
    /// <para type="description">Values for ${var:NAME} references; they override the plan's variables block.</para>
    /// </summary>
    [Parameter]
    public Hashtable? Variable { get; set; }

    internal IReadOnlyDictionary<string, string> Variables() => PowerShellValues.StringMap(Variable);

    /// <summary>The plan files -Path names: wildcards expanded (a pattern matching nothing is an ObjectNotFound error).</summary>
    internal IEnumerable<string> Files() => ResolveInputPaths(Path);
}
