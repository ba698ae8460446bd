namespace ReleaseOps.Tests.Support;

/// <summary>
/// Debian's chromium, headless, for looking at HTML the product writes: the DOM after rendering
/// and a screenshot at a laptop's window size. Each run gets a new, empty profile directory.
/// </summary>
public static class HeadlessChromium
{
    /// <summary>Where screenshots are kept after the run (under the test state directory).</summary>
    public static string ArtifactDirectory => Path.Combine(TestEnvironment.StateDirectory, "artifacts");

    public static string Require()
    {
        foreach (var candidate in new[] { "/usr/bin/chromium", "/usr/bin/chromium-browser" })
        {
            if (File.Exists(candidate)) return candidate;
        }
        throw new InvalidOperationException("This test renders HTML in headless chromium, which is not installed. " +
            "Run 'scripts/test-env.sh up' as root (it installs Debian's chromium).");
    }

    /// <summary>The DOM chromium built from the file (scripts would have run; ours have none).</summary>
    public static string DumpDom(string htmlFile)
    {
        var (code, output, error) = Run(htmlFile, "--dump-dom");
        return code == 0 ? output : throw new InvalidOperationException($"chromium --dump-dom failed (exit {code}): {error}");
    }

    /// <summary>Takes a screenshot of the page at <paramref name="width"/> x <paramref name="height"/> into <paramref name="png"/>.</summary>
    public static void Screenshot(string htmlFile, string png, int width = 1366, int height = 900)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(png)!);
        File.Delete(png);
        var (code, _, error) = Run(htmlFile, $"--screenshot={png}", $"--window-size={width},{height}");
        if (code != 0 || !File.Exists(png))
        {
            throw new InvalidOperationException($"chromium did not write {png} (exit {code}): {error}");
        }
    }

    private static (int Code, string Output, string Error) Run(string htmlFile, params string[] extra)
    {
        var chromium = Require();
        var profile = Directory.CreateTempSubdirectory("ro-chromium-").FullName;
        try
        {
            var arguments = new List<string>
            {
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--no-first-run", "--hide-scrollbars", $"--user-data-dir={profile}",
            };
            arguments.AddRange(extra);
            arguments.Add(new Uri(Path.GetFullPath(htmlFile)).AbsoluteUri);
            return ChildProcess.Run(chromium, null, arguments.ToArray());
        }
        finally
        {
            Directory.Delete(profile, recursive: true);
        }
    }
}
