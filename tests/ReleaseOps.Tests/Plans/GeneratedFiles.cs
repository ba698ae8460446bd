using Xunit;

namespace ReleaseOps.Tests.Plans;

/// <summary>
/// Files in the repository that are generated from code (the plan's JSON Schema, cmdlet help).
/// A test compares each with what the code generates now; run the tests with
/// RELEASEOPS_UPDATE_GENERATED=1 to rewrite them after an intended change.
/// </summary>
public static class GeneratedFiles
{
    public static void AssertInStep(string relativePath, string generated)
    {
        var path = Path.Combine(ExamplePlanTests.RepositoryRoot, relativePath);
        if (Environment.GetEnvironmentVariable("RELEASEOPS_UPDATE_GENERATED") == "1")
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, generated);
        }
        Assert.True(File.Exists(path), $"{relativePath} is missing; run the tests once with RELEASEOPS_UPDATE_GENERATED=1.");
        var committed = File.ReadAllText(path).ReplaceLineEndings("\n");
        Assert.True(committed == generated.ReplaceLineEndings("\n"),
            $"{relativePath} is out of step with the code that generates it; run the tests with RELEASEOPS_UPDATE_GENERATED=1 and commit the result.");
    }
}
