using System.Security.Cryptography;
using ReleaseOps.Errors;
using ReleaseOps.Plans;
using ReleaseOps.Plans.Loading;

namespace ReleaseOps.Checklists;

/// <summary>Where attestations are kept (the release journal, through the standard wiring).</summary>
public interface IAttestationStore
{
    Task SaveAsync(Attestation attestation, CancellationToken cancellation);

    /// <summary>Every attestation recorded for the application+environment, oldest first.</summary>
    Task<IReadOnlyList<Attestation>> ListAsync(string application, string environment, CancellationToken cancellation);
}

/// <summary>The results of a plan's release of one version: gates, steps, backups, watch (the standard wiring reads the journal).</summary>
public interface IReleaseEvidenceSource
{
    /// <param name="version">Null: the plan's version, else the newest deployment's.</param>
    /// <param name="releaseId">This deployment exactly; null for the newest deployment of the version.</param>
    Task<ReleaseEvidence> GetAsync(ReleasePlan plan, string? version, string? releaseId, CancellationToken cancellation);
}

/// <summary>The attestations required before deploying a version: recorded and valid, missing, recorded but rejected.</summary>
public sealed record SignOffState(IReadOnlyList<string> Present, IReadOnlyList<string> Missing, IReadOnlyList<string> Rejected);

/// <summary>What a person attests: the version, a note, optional evidence (a URL, or a file whose SHA-256 is recorded).</summary>
public sealed record AttestationRequest
{
    public required string Version { get; init; }
    public string? Note { get; init; }
    public string? EvidenceUrl { get; init; }
    public string? EvidenceFile { get; init; }
}

/// <summary>
/// The checklist of a plan, executed: its status for a version, attestations (signed, checked,
/// recorded), and the sign-offs a deployment waits for.
/// </summary>
public sealed class ChecklistService
{
    private readonly IAttestationStore _attestations;
    private readonly IReleaseEvidenceSource _evidence;
    private readonly TimeProvider _clock;

    public ChecklistService(IAttestationStore attestations, IReleaseEvidenceSource evidence, TimeProvider? clock = null)
    {
        _attestations = attestations;
        _evidence = evidence;
        _clock = clock ?? TimeProvider.System;
    }

    /// <summary>Every item of the plan's checklist and where it stands for <paramref name="version"/>, with each file's coverage.</summary>
    public async Task<ChecklistReport> StatusAsync(ReleasePlan plan, string? version, CancellationToken cancellation, string? releaseId = null)
    {
        var bound = await ChecklistBinder.LoadAsync(plan, cancellation).ConfigureAwait(false);
        var evidence = await _evidence.GetAsync(plan, version, releaseId, cancellation).ConfigureAwait(false);
        evidence = evidence with { Attestations = await _attestations.ListAsync(plan.Application, plan.Environment, cancellation).ConfigureAwait(false) };
        return ChecklistStatusRules.Evaluate(bound, evidence, TrustOf(plan));
    }

    /// <summary>The item <paramref name="idOrMatch"/> names (an exact id, else words of its text); it must be bound with <c>attest: ROLE</c>.</summary>
    public async Task<BoundItem> FindAttestableAsync(ReleasePlan plan, string idOrMatch, CancellationToken cancellation)
    {
        var bound = await ChecklistBinder.LoadAsync(plan, cancellation).ConfigureAwait(false);
        var exact = bound.Items.Where(i => i.Item.Id == idOrMatch).ToArray();
        var found = exact.Length > 0 ? exact : bound.Items.Where(i => ChecklistText.Matches(i.Item, idOrMatch)).ToArray();
        if (found.Length == 0)
        {
            throw new ReleaseOpsException("ChecklistItemNotFound", FailureKind.InvalidArgument,
                $"No item of {plan}'s checklist has the id or text '{idOrMatch}'{NameSuggestion.Hint(idOrMatch, bound.Items.Select(i => i.Item.Id))}.",
                idOrMatch, "Import-ReleaseChecklist (releaseops checklist import) lists every item with its id.");
        }
        if (found.Length > 1)
        {
            throw new ReleaseOpsException("ChecklistItemAmbiguous", FailureKind.InvalidArgument,
                $"'{idOrMatch}' fits {found.Length} items: {string.Join("; ", found.Take(5).Select(i => $"{i.Item.Id} ({i.Item.Location})"))}" +
                (found.Length > 5 ? "; ..." : "") + ".", idOrMatch, "Name the item by its id.");
        }
        var item = found[0];
        if (item.Definition is not { Kind: ChecklistBindingKind.Attest })
        {
            throw new ReleaseOpsException("ChecklistItemNotAttestable", FailureKind.InvalidArgument,
                $"'{item.Item.Text}' ({item.Item.Location}) is {(item.Definition is null ? "not bound" : $"covered by {item.Definition.Kind.ToString().ToLowerInvariant()} '{item.Definition.Target}'")}; " +
                "only items the plan binds with 'attest: ROLE' take attestations.", item.Item.Id,
                "Bind the item with attest: ROLE under checklist.items in the plan.");
        }
        return item;
    }

    /// <summary>Signs an attestation of <paramref name="item"/> with <paramref name="key"/>, checks it as an auditor would, and records it.</summary>
    public async Task<Attestation> AttestAsync(ReleasePlan plan, BoundItem item, AttestationRequest request, AttestationKey key,
        CancellationToken cancellation)
    {
        var role = item.Definition is { Kind: ChecklistBindingKind.Attest } d ? d.Target
            : throw new ReleaseOpsException("ChecklistItemNotAttestable", FailureKind.InvalidArgument,
                $"'{item.Item.Text}' is not bound with attest: ROLE.", item.Item.Id, "Bind the item with attest: ROLE in the plan.");
        if (string.IsNullOrWhiteSpace(request.Version))
        {
            throw new ReleaseOpsException("AttestationVersionMissing", FailureKind.InvalidArgument,
                "An attestation holds for one version, and none was given.", item.Item.Id, "Give -Version (--version).");
        }
        var members = ChecklistStatusRules.MembersOf(plan.Checklist!, role);
        if (!members.Contains(key.Signer.Identity, StringComparer.OrdinalIgnoreCase))
        {
            throw new ReleaseOpsException("AttestationSignerNotInRole", FailureKind.InvalidArgument,
                $"The certificate is {key.Signer.Identity}'s, who is not listed for role '{role}' (listed: {string.Join(", ", members)}).",
                key.Signer.Identity, $"Sign with the certificate of someone listed under checklist.roles.{role}, or add them there.");
        }
        var evidenceUrl = CheckedUrl(request.EvidenceUrl);
        var evidenceFile = request.EvidenceFile is null ? null : await EvidenceFileAsync(request.EvidenceFile, cancellation).ConfigureAwait(false);
        var now = _clock.GetUtcNow();
        var at = new DateTimeOffset(now.UtcTicks - now.UtcTicks % TimeSpan.TicksPerMillisecond, TimeSpan.Zero);
        var statement = AttestationStatement.Build(plan.Application, plan.Environment, request.Version, item.Item.Id, item.Item.Text, role,
            request.Note, evidenceUrl, evidenceFile, at, key.Signer.CertificateSha256);
        var attestation = new Attestation
        {
            Id = AttestationVerifier.IdFor(statement),
            Application = plan.Application,
            Environment = plan.Environment,
            Version = request.Version,
            ItemId = item.Item.Id,
            ItemText = item.Item.Text,
            Role = role,
            Note = request.Note,
            EvidenceUrl = evidenceUrl,
            EvidenceFile = evidenceFile,
            AttestedAt = at,
            Signer = key.Signer,
            Algorithm = key.Algorithm,
            Statement = statement,
            Signature = key.Sign(statement),
        };
        var verified = AttestationVerifier.Verify(attestation, TrustOf(plan), members);
        if (!verified.Valid)
        {
            throw new ReleaseOpsException("AttestationUntrusted", FailureKind.InvalidArgument,
                $"The attestation would not hold: {verified.Problem}.", key.Signer.Identity,
                "Sign with a certificate issued by (or listed in) the plan's checklist.trust.");
        }
        await _attestations.SaveAsync(attestation, cancellation).ConfigureAwait(false);
        return attestation;
    }

    /// <summary>The attestations required before deploying <paramref name="version"/> (of <paramref name="roles"/>, or all): present, missing, rejected.</summary>
    public async Task<SignOffState> SignOffsAsync(ReleasePlan plan, string version, IReadOnlyList<string> roles, CancellationToken cancellation)
    {
        var bound = await ChecklistBinder.LoadAsync(plan, cancellation).ConfigureAwait(false);
        var evidence = new ReleaseEvidence
        {
            Application = plan.Application,
            Environment = plan.Environment,
            Version = version,
            Attestations = await _attestations.ListAsync(plan.Application, plan.Environment, cancellation).ConfigureAwait(false),
        };
        var trust = TrustOf(plan);
        var present = new List<string>();
        var missing = new List<string>();
        var rejected = new List<string>();
        foreach (var required in bound.RequiredBeforeDeploy.Where(r => roles.Count == 0 || roles.Contains(r.Definition!.Target, StringComparer.OrdinalIgnoreCase)))
        {
            var role = required.Definition!.Target;
            var attestations = ChecklistStatusRules.AttestationsOf(required.Item, version, evidence, trust, bound.Definition, role);
            rejected.AddRange(attestations.Where(a => !a.Valid).Select(a => $"{role} by {a.Attestation.Signer.Identity}: {a.Problem}"));
            var valid = attestations.FirstOrDefault(a => a.Valid);
            if (valid is null)
            {
                missing.Add($"{role} for '{required.Item.Text}' ({required.Item.Location})");
            }
            else
            {
                present.Add($"{role}: {valid.Attestation.Signer.Identity} for '{required.Item.Text}'");
            }
        }
        return new SignOffState(present, missing, rejected);
    }

    /// <summary>The plan's trusted certificates (checklist.trust), read relative to the plan's directory.</summary>
    public static AttestationTrust TrustOf(ReleasePlan plan) =>
        AttestationTrust.Load(plan.Checklist?.Trust ?? Array.Empty<string>(),
            plan.SourcePath is null ? Directory.GetCurrentDirectory() : Path.GetDirectoryName(Path.GetFullPath(plan.SourcePath))!);

    private static string? CheckedUrl(string? url)
    {
        if (url is null)
        {
            return null;
        }
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || uri.UserInfo.Length > 0)
        {
            throw new ReleaseOpsException("AttestationEvidenceUrlInvalid", FailureKind.InvalidArgument,
                "The evidence URL must be an absolute http(s) URL without a user name or password in it.", "EvidenceUrl",
                "Give a link to the ticket, report or review, for example https://tracker.example.com/REL-42.");
        }
        return uri.ToString();
    }

    private static async Task<AttestationEvidenceFile> EvidenceFileAsync(string path, CancellationToken cancellation)
    {
        try
        {
            await using var stream = File.OpenRead(path);
            var hash = await SHA256.HashDataAsync(stream, cancellation).ConfigureAwait(false);
            return new AttestationEvidenceFile(Path.GetFileName(path), stream.Length, Convert.ToHexString(hash).ToLowerInvariant());
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException or UnauthorizedAccessException)
        {
            throw new ReleaseOpsException("AttestationEvidenceNotFound", FailureKind.InvalidArgument, $"The evidence file {path} cannot be read.",
                path, "Give a file that exists and can be read; its SHA-256 is recorded with the attestation.", ex);
        }
    }
}
