using System.Management.Automation;
using ReleaseOps.Checklists;
using ReleaseOps.Cmdlets.Hosting;

namespace ReleaseOps.Cmdlets.Checklists;

/// <summary>
/// <para type="synopsis">Reads a team's Markdown checklist and returns one ChecklistItem per item.</para>
/// <para type="description">Finds task-list boxes (- [ ] ...) at any depth, numbered procedure steps and "Step N:" headings,
/// sign-off lines (Role: ______ Date: ____) in paragraphs, lists or code blocks, and lines starting with a box glyph (□)
/// inside code blocks. Each item has a stable Id made of the file name, the section path and the normalised text (what
/// a plan's checklist: section binds), its Section, Text, File and Line, its Kind, its ParentId for nested items, the
/// Role of a sign-off line, and the plain bullets written under it as Details. Pipe items into
/// Confirm-ReleaseChecklistItem to attest them. Nothing is changed.</para>
/// </summary>
/// <example><code>Import-ReleaseChecklist ./checklist.md | Format-Table Line, Kind, Text</code></example>
/// <example><code>Import-ReleaseChecklist ./checklist.md -Kind SignOff | Select-Object Role, Id</code></example>
/// <example><code>Get-ChildItem ./*.md | Import-ReleaseChecklist | Group-Object File | Select-Object Name, Count</code></example>
[Cmdlet(VerbsData.Import, "ReleaseChecklist")]
[OutputType(typeof(ChecklistItem))]
public sealed class ImportReleaseChecklistCommand : ReleaseOpsCmdlet
{
    /// <summary><para type="description">Path of the Markdown checklist, relative to the current location; wildcards select several. Accepts FileInfo objects from Get-ChildItem.</para></summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("FullName", "PSPath")]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string[] Path { get; set; } = Array.Empty<string>();

    /// <summary><para type="description">Only items of these kinds: Box, ProcedureStep, SignOff, CodeBlockBox.</para></summary>
    [Parameter]
    public ChecklistItemKind[]? Kind { get; set; }

    protected override void ProcessRecord()
    {
        foreach (var file in ResolveInputPaths(Path))
        {
            Run(async op =>
            {
                var checklist = await ChecklistReader.ReadAsync(file, cancellation: op.Cancellation).ConfigureAwait(false);
                if (checklist.EncodingRepaired)
                {
                    op.Warning($"{file} was UTF-8 read once as Mac OS Roman and saved again (\"□\" stored as \"‚ñ°\"); it was read as the author wrote it.");
                }
                op.Verbose($"{file}: {checklist.Items.Count} items, sha256 {checklist.Sha256}.");
                foreach (var item in checklist.Items.Where(i => Kind is not { Length: > 0 } || Kind.Contains(i.Kind)))
                {
                    op.Emit(item);
                }
            }, file);
        }
    }
}
