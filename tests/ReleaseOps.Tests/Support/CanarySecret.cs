namespace ReleaseOps.Tests.Support;

/// <summary>
/// A recognisable secret for leak tests: feed it as a password or token, then scan every output
/// record, message, journal, report and exception for it with <see cref="AssertAbsent"/>.
/// </summary>
public static class CanarySecret
{
    public static string New() => "canary-" + Guid.NewGuid().ToString("N")[..20];

    public static void AssertAbsent(string canary, IEnumerable<string?> texts, string where)
    {
        foreach (var text in texts)
        {
            if (text is not null && text.Contains(canary, StringComparison.Ordinal))
            {
                Xunit.Assert.Fail($"The canary secret leaked into {where}: {text}");
            }
        }
    }
}
