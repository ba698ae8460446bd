namespace ReleaseOps.Tests.Support;

/// <summary>A scratch directory for one test class instance, removed afterwards.</summary>
public abstract class TemporaryDirectory : IDisposable
{
    protected TemporaryDirectory(string prefix = "ro-test-")
    {
        Directory = System.IO.Directory.CreateTempSubdirectory(prefix).FullName;
    }

    protected string Directory { get; }

    /// <summary>Writes a file into the directory and returns its full path.</summary>
    protected string Write(string name, string text)
    {
        var path = Path.Combine(Directory, name);
        File.WriteAllText(path, text);
        return path;
    }

    public void Dispose()
    {
        System.IO.Directory.Delete(Directory, recursive: true);
        GC.SuppressFinalize(this);
    }
}
