using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using ReleaseOps.Errors;

namespace ReleaseOps.Checklists;

/// <summary>An attestation and whether it holds: statement intact, signature valid, certificate trusted, signer in the role.</summary>
public sealed record VerifiedAttestation(Attestation Attestation, bool Valid, string? Problem)
{
    public override string ToString() => Valid ? $"{Attestation.Role}: {Attestation.Signer.Identity} ({Attestation.Id})" : $"{Attestation.Id}: {Problem}";
}

/// <summary>The certificates attestation signers must chain to (the plan's <c>checklist.trust</c>).</summary>
public sealed class AttestationTrust
{
    private readonly X509Certificate2Collection _anchors;

    public AttestationTrust(X509Certificate2Collection anchors)
    {
        _anchors = anchors;
    }

    public int Count => _anchors.Count;

    /// <summary>Reads every certificate of the PEM files (relative paths against <paramref name="baseDirectory"/>).</summary>
    public static AttestationTrust Load(IEnumerable<string> files, string baseDirectory)
    {
        var anchors = new X509Certificate2Collection();
        foreach (var file in files)
        {
            var path = Path.IsPathRooted(file) ? file : Path.Combine(baseDirectory, file);
            try
            {
                anchors.ImportFromPemFile(path);
            }
            catch (Exception ex) when (ex is IOException or CryptographicException or UnauthorizedAccessException)
            {
                throw new ReleaseOpsException("AttestationTrustUnreadable", FailureKind.InvalidConfiguration,
                    $"The trusted certificate file {path} (checklist.trust) cannot be read: {ex.Message}", path,
                    "Point checklist.trust at PEM files holding the team's CA or signers' certificates.", ex);
            }
        }
        return new AttestationTrust(anchors);
    }

    /// <summary>Null when <paramref name="certificate"/> chains to an anchor at <paramref name="at"/>; otherwise why not.</summary>
    public string? Check(X509Certificate2 certificate, DateTimeOffset at)
    {
        if (_anchors.Count == 0)
        {
            return "no certificate is trusted (checklist.trust is empty)";
        }
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(_anchors);
        chain.ChainPolicy.ExtraStore.AddRange(_anchors);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.VerificationTime = at.UtcDateTime;
        if (chain.Build(certificate))
        {
            return null;
        }
        var status = string.Join(", ", chain.ChainStatus.Select(s => s.Status).Distinct());
        return $"the certificate of {AttestationKey.IdentityOf(certificate)} does not chain to a trusted certificate ({status})";
    }
}

/// <summary>Checks attestations as an auditor would, from the attestation alone plus the plan's trust and roles.</summary>
public static class AttestationVerifier
{
    /// <param name="members">Who may attest for the attestation's role; null to skip the membership check.</param>
    public static VerifiedAttestation Verify(Attestation attestation, AttestationTrust trust, IReadOnlyList<string>? members)
    {
        var problem = Check(attestation, trust, members);
        return new VerifiedAttestation(attestation, problem is null, problem);
    }

    private static string? Check(Attestation a, AttestationTrust trust, IReadOnlyList<string>? members)
    {
        if (a.Statement != AttestationStatement.For(a))
        {
            return "its fields no longer match the signed statement (edited after signing)";
        }
        if (a.Id != IdFor(a.Statement))
        {
            return "its id does not belong to its statement";
        }
        X509Certificate2 certificate;
        try
        {
            certificate = X509Certificate2.CreateFromPem(a.Signer.CertificatePem);
        }
        catch (CryptographicException)
        {
            return "its certificate cannot be read";
        }
        using (certificate)
        {
            var signer = AttestationKey.SignerOf(certificate);
            if (signer.CertificateSha256 != a.Signer.CertificateSha256 || signer.Identity != a.Signer.Identity)
            {
                return "its certificate is not the one named in the statement";
            }
            if (!SignatureHolds(certificate, a))
            {
                return "the signature does not verify against the signer's certificate";
            }
            if (trust.Check(certificate, a.AttestedAt) is { } untrusted)
            {
                return untrusted;
            }
        }
        if (members is not null && !members.Contains(a.Signer.Identity, StringComparer.OrdinalIgnoreCase))
        {
            return $"{a.Signer.Identity} is not listed for role '{a.Role}'";
        }
        return null;
    }

    public static string IdFor(string statement) =>
        "att-" + Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(statement)))[..16].ToLowerInvariant();

    private static bool SignatureHolds(X509Certificate2 certificate, Attestation a)
    {
        byte[] signature;
        try
        {
            signature = Convert.FromBase64String(a.Signature);
        }
        catch (FormatException)
        {
            return false;
        }
        var data = Encoding.UTF8.GetBytes(a.Statement);
        switch (a.Algorithm)
        {
            case AttestationAlgorithms.Rsa:
                using (var rsa = certificate.GetRSAPublicKey())
                {
                    return rsa is not null && rsa.VerifyData(data, signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
                }
            case AttestationAlgorithms.Ecdsa:
                using (var ecdsa = certificate.GetECDsaPublicKey())
                {
                    return ecdsa is not null && ecdsa.VerifyData(data, signature, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
                }
            default:
                return false;
        }
    }
}
