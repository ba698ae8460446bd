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
/// <example><code>Confirm-ReleaseChecklistItem ./releaseplan.yml -Id 'code reviewed' -Version v1 -CertificatePath ./sam.pem -KeyPath ./sam.key -EvidenceUrl https://tracker.example.com/REL-42 -WhatIf</code></example>
/// <example><code>$plan | Confirm-ReleaseChecklistItem -Id 'code reviewed' -Version v1 -CertificatePath ./sam.pem -KeyPath ./sam.key -Note 'two seniors reviewed it' -WhatIf</code></example>
[Cmdlet(VerbsLifecycle.Confirm, "ReleaseChecklistItem", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(Attestation))]
public sealed class ConfirmReleaseChecklistItemCommand : ReleaseOpsCmdlet
{
    // As every cmdlet that takes a plan: -Plan (by value) or -PlanPath, with no default set, so a
    // piped plan or a piped item picks the set. The item is piped (-Item) or named (-Id).
    private const string PlanSet = "Plan";
    private const string PlanPathSet = "PlanPath";
    private ReleasePlan? _loaded;

    /// <summary><para type="description">The item to attest, from Import-ReleaseChecklist (by value from the pipeline). Give -Item or -Id.</para></summary>
    [Parameter(ValueFromPipeline = true, ParameterSetName = PlanSet)]
    [Parameter(ValueFromPipeline = true, ParameterSetName = PlanPathSet)]
    public ChecklistItem? Item { get; set; }

    /// <summary><para type="description">The item to attest: its id, or words of its text (or sign-off role) that pick exactly one item. Give -Item or -Id.</para></summary>
    [Parameter(ParameterSetName = PlanSet)]
    [Parameter(ParameterSetName = PlanPathSet)]
    [ValidateNotNullOrEmpty]
    public string? Id { get; set; }

    /// <summary><para type="description">The release plan whose checklist binds the item, from Get-ReleasePlan (by value from the pipeline with -Id).</para></summary>
    [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = PlanSet)]
    public ReleasePlan? Plan { get; set; }

    /// <summary><para type="description">Path of the release plan file (YAML), relative to the current location; a wildcard must select one file.</para></summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = PlanPathSet)]
    [SupportsWildcards]
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
        if (PlanPath is null)
        {
            return;
        }
        var files = ResolveInputPaths(new[] { PlanPath }).ToArray();
        if (files.Length > 1)
        {
            ThrowFailure(new ReleaseOpsException("PlanPathAmbiguous", FailureKind.InvalidArgument,
                $"-PlanPath {PlanPath} selects {files.Length} plans; an attestation belongs to one.", PlanPath, "Name one plan file."));
        }
        foreach (var file in files)
        {
            Run(async op => { _loaded = await LoadPlanAsync(op, file, new Dictionary<string, string>()).ConfigureAwait(false); }, file);
        }
    }

    protected override void ProcessRecord()
    {
        if ((Plan ?? _loaded) is not { } plan)
        {
            return; // the plan file did not load; its error is written
        }
        var (certificate, key, evidence) = (ResolvePath(CertificatePath), ResolvePath(KeyPath), ResolveOptionalPath(EvidenceFile));
        if (!TryPrepare(() => KeyPassword is null ? null : SecretConversion.FromSecureString(KeyPassword, "KeyPassword"), out var password))
        {
            return;
        }
        if ((Item is null) == (Id is null))
        {
            ThrowFailure(new ReleaseOpsException("ChecklistItemArgument", FailureKind.InvalidArgument,
                "Name one item to attest: pipe it from Import-ReleaseChecklist, or give -Id (not both).", "Id",
                "Import-ReleaseChecklist ./checklist.md | Confirm-ReleaseChecklistItem ..., or -Id 'words of the item'."));
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
