using System.Management.Automation;
using System.Security;
using ReleaseOps.Checklists;
using ReleaseOps.Cmdlets.Hosting;
using ReleaseOps.Errors;
using ReleaseOps.Plans;
using ReleaseOps.Releases;

namespace ReleaseOps.Cmdlets.Checklists;

/// <summary>
/// <para type="synopsis">Records a signed attestation that a checklist item holds for a release.</para>
/// <para type="description">The item is one the plan binds with 'attest: ROLE': piped from Import-ReleaseChecklist, or named by
/// -Id (its id, or words of its text). The attestation states the application, environment and -Version, the item, the
/// role, a -Note and optional evidence (-EvidenceUrl, and -EvidenceFile whose SHA-256 is recorded). It is signed with the
/// person's X.509 certificate and private key (PEM; RSA or ECDSA): the signer is whoever the certificate names, and they
/// must be listed for the role and their certificate must chain to the plan's checklist.trust. The signature is what
/// 'openssl dgst -sha256 -sign' makes, so an auditor checks it with 'openssl dgst -sha256 -verify'. The attestation is
/// appended to the release journal and returned. A deployment waits for the pre-deploy attestations of its version.</para>
/// </summary>
/// <example><code>Import-ReleaseChecklist ./checklist.md -Kind SignOff | Where-Object Role -eq 'Release Manager' | Confirm-ReleaseChecklistItem -PlanPath ./releaseplan.yml -Version v1 -CertificatePath ./dana.pem -KeyPath ./dana.key -Note 'change window agreed'</code></example>
/// <example><code>Confirm-ReleaseChecklistItem -PlanPath ./releaseplan.yml -Id 'code reviewed' -Version v1 -CertificatePath ./sam.pem -KeyPath ./sam.key -EvidenceUrl https://tracker.example.com/REL-42 -WhatIf</code></example>
[Cmdlet(VerbsLifecycle.Confirm, "ReleaseChecklistItem", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, DefaultParameterSetName = ItemSet)]
[OutputType(typeof(Attestation))]
public sealed class ConfirmReleaseChecklistItemCommand : ReleaseOpsCmdlet
{
    private const string ItemSet = "Item";
    private const string IdSet = "Id";
    private ReleasePlan? _plan;

    /// <summary><para type="description">The item to attest, from Import-ReleaseChecklist (by value from the pipeline).</para></summary>
    [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = ItemSet)]
    public ChecklistItem? Item { get; set; }

    /// <summary><para type="description">The item to attest: its id, or words of its text (or sign-off role) that pick exactly one item.</para></summary>
    [Parameter(Mandatory = true, ParameterSetName = IdSet)]
    [ValidateNotNullOrEmpty]
    public string? Id { get; set; }

    /// <summary><para type="description">The release plan whose checklist binds the item, from Get-ReleasePlan. Give -Plan or -PlanPath.</para></summary>
    [Parameter]
    public ReleasePlan? Plan { get; set; }

    /// <summary><para type="description">Path of the release plan file (YAML), relative to the current location. Give -Plan or -PlanPath.</para></summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? PlanPath { get; set; }

    /// <summary><para type="description">The version the attestation holds for.</para></summary>
    [Parameter(Mandatory = true)]
    [ValidateNotNullOrEmpty]
    public string Version { get; set; } = "";

    /// <summary><para type="description">The signer's X.509 certificate (PEM); their identity is read from it.</para></summary>
    [Parameter(Mandatory = true)]
    [ValidateNotNullOrEmpty]
    public string CertificatePath { get; set; } = "";

    /// <summary><para type="description">The certificate's private key (PEM, PKCS#8 or PKCS#1; RSA or ECDSA).</para></summary>
    [Parameter(Mandatory = true)]
    [ValidateNotNullOrEmpty]
    public string KeyPath { get; set; } = "";

    /// <summary><para type="description">The password of an encrypted private key.</para></summary>
    [Parameter]
    public SecureString? KeyPassword { get; set; }

    /// <summary><para type="description">What the signer states: what was checked, and how.</para></summary>
    [Parameter]
    public string? Note { get; set; }

    /// <summary><para type="description">A link to the evidence: a ticket, a report, a review (http or https, without credentials).</para></summary>
    [Parameter]
    public string? EvidenceUrl { get; set; }

    /// <summary><para type="description">A file offered as evidence; its name, size and SHA-256 are recorded.</para></summary>
    [Parameter]
    public string? EvidenceFile { get; set; }

    protected override void BeginProcessing()
    {
        if ((Plan is null) == (PlanPath is null))
        {
            ThrowFailure(new ReleaseOpsException("PlanArgumentMissing", FailureKind.InvalidArgument,
                "Name the release plan whose checklist binds the item: give either -Plan or -PlanPath.", "Plan",
                "Pass -PlanPath ./releaseplan.yml, or -Plan (Get-ReleasePlan ./releaseplan.yml)."));
        }
        _plan = Plan;
        if (PlanPath is not null)
        {
            var path = ResolvePath(PlanPath);
            Run(async op => { _plan = await LoadPlanAsync(op, path, new Dictionary<string, string>()).ConfigureAwait(false); }, path);
        }
    }

    protected override void ProcessRecord()
    {
        if (_plan is not { } plan)
        {
            return; // the plan did not load; its error is written
        }
        var (certificate, key, evidence) = (ResolvePath(CertificatePath), ResolvePath(KeyPath), ResolveOptionalPath(EvidenceFile));
        if (!TryPrepare(() => KeyPassword is null ? null : SecretConversion.FromSecureString(KeyPassword, "KeyPassword"), out var password))
        {
            return;
        }
        var selector = Item?.Id ?? Id!;
        Run(async op =>
        {
            var checklist = StandardRelease.Checklist(plan);
            var item = await checklist.FindAttestableAsync(plan, selector, op.Cancellation).ConfigureAwait(false);
            using var signingKey = AttestationKey.Load(certificate, key, password);
            if (!await op.ShouldProcessAsync($"'{item.Item.Text}' ({item.Item.Location}) of {plan} {Version}",
                    $"Sign as {signingKey.Signer.Identity} ({item.Definition!.Target}) and record the attestation").ConfigureAwait(false))
            {
                return;
            }
            op.Emit(await checklist.AttestAsync(plan, item, new AttestationRequest
            {
                Version = Version, Note = Note, EvidenceUrl = EvidenceUrl, EvidenceFile = evidence,
            }, signingKey, op.Cancellation).ConfigureAwait(false));
        }, selector);
    }
}
