using System.Globalization;
using System.Text;

namespace ReleaseOps.Checklists;

/// <summary>Who signed an attestation, as their certificate says; never a name typed in.</summary>
public sealed record AttestationSigner
{
    /// <summary>The certificate's e-mail address, or its common name when it has none: what plan roles list.</summary>
    public required string Identity { get; init; }
    /// <summary>The certificate's subject, for example <c>CN=Dana Lead, E=dana@example.com</c>.</summary>
    public required string Subject { get; init; }
    public required string Issuer { get; init; }
    /// <summary>SHA-256 of the certificate (DER), hex.</summary>
    public required string CertificateSha256 { get; init; }
    /// <summary>The certificate, PEM, so anyone can verify the signature later (openssl dgst -verify).</summary>
    public required string CertificatePem { get; init; }

    public override string ToString() => Identity;
}

/// <summary>A file offered as evidence: its name as given and the SHA-256 of its content at the time of the attestation.</summary>
public sealed record AttestationEvidenceFile(string Name, long Size, string Sha256)
{
    public override string ToString() => $"{Name} ({Size:N0} bytes, sha256:{Sha256})";
}

/// <summary>
/// A person's signed statement that a checklist item holds for one release (application,
/// environment, version). <see cref="Statement"/> is the exact text signed: a line per field,
/// built from the fields below by <see cref="AttestationStatement"/>, so an edited field no longer
/// matches it and an edited statement no longer matches the <see cref="Signature"/>.
/// </summary>
public sealed record Attestation
{
    /// <summary><c>att-</c> and the first 16 hex digits of the statement's SHA-256.</summary>
    public required string Id { get; init; }
    public required string Application { get; init; }
    public required string Environment { get; init; }
    public required string Version { get; init; }
    public required string ItemId { get; init; }
    public required string ItemText { get; init; }
    /// <summary>The role the plan binds the item to (<c>attest: ROLE</c>).</summary>
    public required string Role { get; init; }
    public string? Note { get; init; }
    public string? EvidenceUrl { get; init; }
    public AttestationEvidenceFile? EvidenceFile { get; init; }
    public required DateTimeOffset AttestedAt { get; init; }
    public required AttestationSigner Signer { get; init; }
    /// <summary><c>rsa-pkcs1-sha256</c> or <c>ecdsa-sha256</c> (DER signature): what <c>openssl dgst -sha256 -sign</c> produces.</summary>
    public required string Algorithm { get; init; }
    public required string Statement { get; init; }
    /// <summary>The signature over the UTF-8 bytes of <see cref="Statement"/>, base64.</summary>
    public required string Signature { get; init; }

    public override string ToString() => $"{Id} {Role} {Signer.Identity} {ItemText} ({Application}/{Environment} {Version})";
}

/// <summary>The text an attestation signs: one <c>key: value</c> line per field, values escaped so a note cannot add lines.</summary>
public static class AttestationStatement
{
    public const string Header = "releaseops-attestation/v1";

    public static string For(Attestation a) => Build(a.Application, a.Environment, a.Version, a.ItemId, a.ItemText, a.Role, a.Note,
        a.EvidenceUrl, a.EvidenceFile, a.AttestedAt, a.Signer.CertificateSha256);

    public static string Build(string application, string environment, string version, string itemId, string itemText, string role,
        string? note, string? evidenceUrl, AttestationEvidenceFile? evidenceFile, DateTimeOffset attestedAt, string certificateSha256)
    {
        var builder = new StringBuilder(Header).Append('\n');
        void Line(string key, string? value)
        {
            if (value is not null) builder.Append(key).Append(": ").Append(Escape(value)).Append('\n');
        }
        Line("application", application);
        Line("environment", environment);
        Line("version", version);
        Line("item", itemId);
        Line("text", itemText);
        Line("role", role);
        Line("note", note);
        Line("evidence-url", evidenceUrl);
        Line("evidence-file", evidenceFile?.Name);
        Line("evidence-file-size", evidenceFile?.Size.ToString(CultureInfo.InvariantCulture));
        Line("evidence-file-sha256", evidenceFile?.Sha256);
        Line("attested-at", attestedAt.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));
        Line("signer-certificate-sha256", certificateSha256);
        return builder.ToString();
    }

    private static string Escape(string value) =>
        value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal).Replace("\r", "\\r", StringComparison.Ordinal);
}
