namespace ReleaseOps.Tests.Support;

/// <summary>
/// A team CA and people's certificates and keys, made with the real openssl command line in a
/// directory of their own: what a team would hand its release signers. RSA and ECDSA keys; one key
/// encrypted with a password (handed to openssl through its environment, never its arguments).
/// </summary>
public sealed class TestCertificates : IDisposable
{
    public TestCertificates()
    {
        Directory = System.IO.Directory.CreateTempSubdirectory("ro-certs-").FullName;
        OpenSsl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", Path("ca.key"), "-out", CaCertificate, "-days", "3650",
            "-subj", "/CN=Team Release CA", "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign");
        OpenSsl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", Path("other-ca.key"), "-out", OtherCaCertificate, "-days", "3650",
            "-subj", "/CN=Someone Else CA", "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign");
    }

    public string Directory { get; }

    public string CaCertificate => Path("ca.pem");

    /// <summary>A CA the plan does not trust.</summary>
    public string OtherCaCertificate => Path("other-ca.pem");

    public string Path(string name) => System.IO.Path.Combine(Directory, name);

    /// <summary>Issues a certificate for <paramref name="email"/> (RSA or ECDSA P-256); returns (certificate, key) paths.</summary>
    public (string Certificate, string Key) Issue(string name, string email, bool ecdsa = false, string? password = null, bool byOtherCa = false)
    {
        var key = Path(name + ".key");
        var csr = Path(name + ".csr");
        var certificate = Path(name + ".pem");
        OpenSsl([
            "req", "-new", "-newkey", ecdsa ? "ec" : "rsa:2048", .. ecdsa ? new[] { "-pkeyopt", "ec_paramgen_curve:prime256v1" } : Array.Empty<string>(),
            "-nodes", "-keyout", key, "-out", csr, "-subj", $"/CN={name}/emailAddress={email}"]);
        var extensions = Path(name + ".ext");
        File.WriteAllText(extensions, $"subjectAltName=email:{email}\nkeyUsage=critical,digitalSignature\nbasicConstraints=critical,CA:FALSE\n");
        var ca = byOtherCa ? "other-ca" : "ca";
        OpenSsl("x509", "-req", "-in", csr, "-CA", Path(ca + ".pem"), "-CAkey", Path(ca + ".key"), "-CAcreateserial", "-out", certificate,
            "-days", "365", "-extfile", extensions);
        if (password is not null)
        {
            var encrypted = Path(name + ".enc.key");
            OpenSsl(new Dictionary<string, string> { ["RO_TEST_KEY_PASSWORD"] = password },
                "pkcs8", "-topk8", "-in", key, "-out", encrypted, "-passout", "env:RO_TEST_KEY_PASSWORD");
            key = encrypted;
        }
        return (certificate, key);
    }

    private static void OpenSsl(params string[] arguments) => OpenSsl(null, arguments);

    private static void OpenSsl(IReadOnlyDictionary<string, string>? environment, params string[] arguments)
    {
        var (code, output, error) = ChildProcess.Run("openssl", environment, arguments);
        if (code != 0)
        {
            throw new InvalidOperationException($"openssl {string.Join(' ', arguments)} failed ({code}): {output}{error}");
        }
    }

    public void Dispose() => System.IO.Directory.Delete(Directory, recursive: true);
}
