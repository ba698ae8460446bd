using System.Management.Automation;
using System.Runtime.InteropServices;
using System.Security;
using ReleaseOps.Errors;
using ReleaseOps.Plans;
using ReleaseOps.Secrets;

namespace ReleaseOps.Cmdlets.Hosting;

/// <summary>The one place a SecureString or PSCredential becomes a <see cref="SecretValue"/>.</summary>
internal static class SecretConversion
{
    public static SecretValue FromSecureString(SecureString secure, string source)
    {
        var pointer = Marshal.SecureStringToGlobalAllocUnicode(secure);
        var chars = new char[secure.Length];
        try
        {
            Marshal.Copy(pointer, chars, 0, chars.Length);
            return new SecretValue(chars) { Source = source };
        }
        finally
        {
            Array.Clear(chars);
            Marshal.ZeroFreeGlobalAllocUnicode(pointer);
        }
    }

    /// <summary>
    /// A -Secret hashtable (NAME = SecureString or PSCredential) as the secrets its ${secret:NAME} references read;
    /// plain text is refused (SecretNotSecure).
    /// </summary>
    public static SecretCatalog ToCatalog(System.Collections.Hashtable? secrets)
    {
        var catalog = SecretCatalog.Empty;
        foreach (System.Collections.DictionaryEntry entry in secrets ?? new System.Collections.Hashtable())
        {
            var name = entry.Key.ToString()!;
            var value = PowerShellValues.Unwrap(entry.Value) switch
            {
                SecureString secure => FromSecureString(secure, "given"),
                PSCredential credential => FromSecureString(credential.Password, "given"),
                _ => throw new ReleaseOpsException("SecretNotSecure", FailureKind.InvalidArgument,
                    $"Secret '{name}' must be a SecureString or a PSCredential.", target: name,
                    fix: "Pass (Read-Host -AsSecureString) or (Get-Credential), never plain text."),
            };
            catalog = catalog.With(new GivenSecretSource(name, value));
        }
        return catalog;
    }

    /// <summary>User and password from a credential, or from -User and -PasswordVariable; null password when neither is given.</summary>
    public static (string? User, SecretValue? Password) From(PSCredential? credential, string? user, string? passwordVariable)
    {
        if (credential is not null && credential.Password is not null)
        {
            return (credential.UserName, FromSecureString(credential.Password, "credential"));
        }
        var password = passwordVariable is null ? null : new EnvironmentSecretSource("password", passwordVariable).Resolve();
        return (credential?.UserName is { Length: > 0 } name ? name : user, password);
    }
}
