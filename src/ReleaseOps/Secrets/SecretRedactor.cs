using System.Text.RegularExpressions;

namespace ReleaseOps.Secrets;

/// <summary>
/// Removes known secret values from text that came from somewhere we do not control: a child
/// process's stderr, a server's error message, an HTTP body. Used wherever such text can reach an
/// output record, a journal, a report or an exception message.
/// </summary>
public sealed partial class SecretRedactor
{
    private readonly List<string> _values = new();
    private readonly object _gate = new();

    public static SecretRedactor For(params SecretValue?[] secrets)
    {
        var redactor = new SecretRedactor();
        foreach (var secret in secrets)
        {
            redactor.Add(secret);
        }
        return redactor;
    }

    public void Add(SecretValue? secret)
    {
        // Very short values would blank out ordinary text; they are still never written by us.
        if (secret is null || secret.Length < 4)
        {
            return;
        }
        lock (_gate)
        {
            _values.Add(secret.Reveal());
        }
    }

    public string Redact(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return text ?? string.Empty;
        }
        lock (_gate)
        {
            foreach (var value in _values)
            {
                text = text.Replace(value, SecretValue.Mask, StringComparison.Ordinal);
            }
        }
        return text;
    }

    /// <summary>
    /// Masks what looks like a credential in free text whose secrets we do not all know (log lines):
    /// the value after password/secret/token/api-key/authorization, a bearer or basic authorization,
    /// and the password of a URL's user info.
    /// </summary>
    public static string ScrubCredentials(string text) =>
        UrlPassword().Replace(AuthorizationScheme().Replace(KeyValue().Replace(text, "${key}${sep}" + SecretValue.Mask),
            "${scheme} " + SecretValue.Mask), "${user}:" + SecretValue.Mask + "@");

    [GeneratedRegex(@"(?<key>\b[\w.-]*(?:password|passwd|pwd|secret|token|api[_-]?key|credentials?)\b[""']?)(?<sep>\s*[:=]\s*[""']?)[^\s""',;&]+",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, 100)]
    private static partial Regex KeyValue();

    [GeneratedRegex(@"(?<scheme>\b(?:bearer|basic))\s+[A-Za-z0-9._~+/=-]{6,}", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, 100)]
    private static partial Regex AuthorizationScheme();

    [GeneratedRegex(@"(?<user>//[^/\s:@]+):[^@\s/]+@", RegexOptions.CultureInvariant, 100)]
    private static partial Regex UrlPassword();
}
