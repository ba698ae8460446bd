using System.Management.Automation;
using ReleaseOps.Cmdlets.Hosting;
using ReleaseOps.Records;
using ReleaseOps.Releases;

namespace ReleaseOps.Cmdlets.Records;

/// <summary>
/// <para type="synopsis">Writes one release as a record for auditors: JSON, Markdown and a self-contained HTML page.</para>
/// <para type="description">Gathers the release from the plan's journal and every capability that left a trace of it: the plan and
/// its SHA-256 (at release time and now), every checklist item's status with each attestation, its signed statement,
/// signature and certificate, the gate results, the deployment steps, the pre-deploy backups with their checksums, the
/// health watch's verdict, the rollbacks of the release, the notifications sent, and the journal's verification and
/// head. The release is the newest deployment of -Version (default the plan's), or -ReleaseId. Files are written into
/// -Path (a directory, default the current location) as APPLICATION-ENVIRONMENT-VERSION-RELEASE.json, .md and .html;
/// -Format picks fewer. The HTML page needs nothing from elsewhere: open it in any browser. Returns what was written.</para>
/// </summary>
/// <example><code>Export-ReleaseRecord ./releaseplan.yml -Version v1 -Path ./records</code></example>
/// <example><code>Get-ReleasePlan ./releaseplan.yml | Export-ReleaseRecord -Path ./records -Format Html -WhatIf</code></example>
[Cmdlet(VerbsData.Export, "ReleaseRecord", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
[OutputType(typeof(ExportedReleaseRecord))]
public sealed class ExportReleaseRecordCommand : PlanCmdlet
{
    /// <summary><para type="description">The version whose newest deployment is exported (default: the plan's version, else the newest deployment).</para></summary>
    [Parameter]
    public string? Version { get; set; }

    /// <summary><para type="description">This deployment exactly (an id from Get-Deployment).</para></summary>
    [Parameter]
    public string? ReleaseId { get; set; }

    /// <summary><para type="description">The directory to write into, relative to the current location (created if needed; default the current location).</para></summary>
    [Parameter]
    public string? Path { get; set; }

    /// <summary><para type="description">Which forms to write: Json, Markdown, Html (default all three).</para></summary>
    [Parameter]
    public ReleaseRecordFormat[] Format { get; set; } = { ReleaseRecordFormat.All };

    protected override void ProcessRecord()
    {
        var directory = ResolvePath(Path ?? ".");
        var formats = Format.Aggregate((ReleaseRecordFormat)0, (all, f) => all | f);
        ForEachPlan(async (op, plan) =>
        {
            var archive = await ReleaseRecordExport.BuildAsync(plan, Version, ReleaseId, op.Cancellation).ConfigureAwait(false);
            if (!await op.ShouldProcessAsync(directory, $"Write the {formats} record of {archive}").ConfigureAwait(false))
            {
                return;
            }
            var files = await ReleaseArchiveWriter.WriteAsync(archive, directory, formats, op.Cancellation).ConfigureAwait(false);
            op.Emit(ReleaseRecordExport.Describe(archive, files));
        });
    }
}
