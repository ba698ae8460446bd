using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace ReleaseOps.Infrastructure.Tls;

/// <summary>
/// Server certificates judged against a private CA instead of the system store: the TLS gate's
/// <c>ca_file</c>, the Docker daemon's <c>ca.pem</c>, a Redis server's CA file. The one place
/// that builds such a chain.
/// </summary>
public static class CertificateTrust
{
    /// <summary>
    /// The CA certificates of a PEM file. Throws <see cref="IOException"/>,
    /// <see cref="UnauthorizedAccessException"/> or <see cref="System.Security.Cryptography.CryptographicException"/>
    /// for the caller to word in its own terms.
    /// </summary>
    public static X509Certificate2Collection LoadAuthorities(string pemFile)
    {
        var authorities = new X509Certificate2Collection();
        authorities.ImportFromPemFile(pemFile);
        if (authorities.Count == 0)
        {
            throw new System.Security.Cryptography.CryptographicException($"{pemFile} holds no PEM certificate.");
        }
        return authorities;
    }

    /// <summary>
    /// <paramref name="errors"/> (as the TLS stack reported them) with the chain part recomputed against
    /// <paramref name="authorities"/> as the only roots; name and availability errors are kept.
    /// </summary>
    public static SslPolicyErrors Evaluate(X509Certificate? certificate, X509Certificate2Collection authorities, SslPolicyErrors errors)
    {
        if (certificate is null)
        {
            return errors | SslPolicyErrors.RemoteCertificateNotAvailable;
        }
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(authorities);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        using var presented = new X509Certificate2(certificate);
        var trusted = chain.Build(presented);
        errors &= ~SslPolicyErrors.RemoteCertificateChainErrors;
        return trusted ? errors : errors | SslPolicyErrors.RemoteCertificateChainErrors;
    }

    /// <summary>
    /// The chain policy that makes a TLS handshake judge the server's chain by <paramref name="authorities"/>
    /// as the only roots (no revocation check), as <see cref="Evaluate"/> does: set as the handshake's
    /// <c>CertificateChainPolicy</c>, the errors its validation callback gets are already the pinned verdict,
    /// with one chain build instead of a system-store one and a pinned one after it.
    /// </summary>
    public static X509ChainPolicy PinnedPolicy(X509Certificate2Collection authorities)
    {
        var policy = new X509ChainPolicy
        {
            TrustMode = X509ChainTrustMode.CustomRootTrust,
            RevocationMode = X509RevocationMode.NoCheck,
        };
        policy.CustomTrustStore.AddRange(authorities);
        return policy;
    }

    /// <summary>
    /// A validation callback accepting a certificate valid for the host name and issued by one of
    /// <paramref name="authorities"/>; with <paramref name="orSystemStore"/> also one the system store trusts.
    /// </summary>
    public static RemoteCertificateValidationCallback Accepting(X509Certificate2Collection authorities, bool orSystemStore = false) =>
        (_, certificate, _, errors) => (orSystemStore && errors == SslPolicyErrors.None)
            || Evaluate(certificate, authorities, errors) == SslPolicyErrors.None;
}
