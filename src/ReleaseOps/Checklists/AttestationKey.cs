using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using ReleaseOps.Errors;
using ReleaseOps.Secrets;

namespace ReleaseOps.Checklists;

/// <summary>
/// A person's X.509 certificate and private key (PEM files), used to sign attestations. The
/// signer's identity is read from the certificate. RSA keys sign with PKCS#1 v1.5 and ECDSA keys
/// with DER-encoded signatures over SHA-256: exactly what <c>openssl dgst -sha256 -sign</c>
/// produces, so <c>openssl dgst -sha256 -verify</c> checks them.
/// </summary>
public sealed class AttestationKey : IDisposable
{
    private readonly X509Certificate2 _certificate;

    private AttestationKey(X509Certificate2 certificate)
    {
        _certificate = certificate;
        Signer = SignerOf(certificate);
        Algorithm = certificate.GetRSAPublicKey() is not null ? AttestationAlgorithms.Rsa : AttestationAlgorithms.Ecdsa;
    }

    public AttestationSigner Signer { get; }

    public string Algorithm { get; }

    /// <summary>Loads the certificate and its private key; <paramref name="password"/> decrypts an encrypted key.</summary>
    public static AttestationKey Load(string certificatePath, string keyPath, SecretValue? password = null)
    {
        foreach (var path in new[] { certificatePath, keyPath })
        {
            if (!File.Exists(path))
            {
                throw new ReleaseOpsException("AttestationKeyNotFound", FailureKind.InvalidArgument, $"{path} does not exist.", path,
                    "Give the PEM certificate (-CertificatePath, --certificate) and its private key (-KeyPath, --key).");
            }
        }
        X509Certificate2 certificate;
        try
        {
            certificate = password is null
                ? X509Certificate2.CreateFromPemFile(certificatePath, keyPath)
                : X509Certificate2.CreateFromEncryptedPemFile(certificatePath, password.Reveal(), keyPath);
        }
        catch (Exception ex) when (ex is CryptographicException or ArgumentException)
        {
            throw new ReleaseOpsException("AttestationKeyInvalid", FailureKind.InvalidArgument,
                $"The certificate {certificatePath} and key {keyPath} cannot be used to sign: {(password is null ? "" : "the password is wrong, or ")}" +
                "the key is not an RSA or ECDSA key in PEM form, is encrypted, or does not belong to the certificate.", certificatePath,
                "Give the certificate's own private key (PKCS#8 or PKCS#1 PEM); give the key's password if it is encrypted.", ex);
        }
        if (certificate.GetRSAPrivateKey() is null && certificate.GetECDsaPrivateKey() is null)
        {
            certificate.Dispose();
            throw new ReleaseOpsException("AttestationKeyUnsupported", FailureKind.InvalidArgument,
                $"The key of {certificatePath} is neither RSA nor ECDSA.", certificatePath, "Use an RSA or ECDSA key.");
        }
        return new AttestationKey(certificate);
    }

    /// <summary>Signs <paramref name="statement"/>'s UTF-8 bytes; returns the signature, base64.</summary>
    public string Sign(string statement)
    {
        var data = System.Text.Encoding.UTF8.GetBytes(statement);
        using var rsa = _certificate.GetRSAPrivateKey();
        if (rsa is not null)
        {
            return Convert.ToBase64String(rsa.SignData(data, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));
        }
        using var ecdsa = _certificate.GetECDsaPrivateKey()!;
        return Convert.ToBase64String(ecdsa.SignData(data, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence));
    }

    public void Dispose() => _certificate.Dispose();

    /// <summary>The identity, subject, issuer, fingerprint and PEM of a certificate.</summary>
    public static AttestationSigner SignerOf(X509Certificate2 certificate) => new()
    {
        Identity = IdentityOf(certificate),
        Subject = certificate.Subject,
        Issuer = certificate.Issuer,
        CertificateSha256 = Convert.ToHexString(SHA256.HashData(certificate.RawData)).ToLowerInvariant(),
        CertificatePem = certificate.ExportCertificatePem(),
    };

    /// <summary>The certificate's e-mail address (subject alternative name or E=), else its common name.</summary>
    public static string IdentityOf(X509Certificate2 certificate) =>
        certificate.GetNameInfo(X509NameType.EmailName, forIssuer: false) is { Length: > 0 } email
            ? email
            : certificate.GetNameInfo(X509NameType.SimpleName, forIssuer: false);
}

public static class AttestationAlgorithms
{
    public const string Rsa = "rsa-pkcs1-sha256";
    public const string Ecdsa = "ecdsa-sha256";
}
