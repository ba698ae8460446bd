using System.Management.Automation;
using System.Reflection;
using System.Runtime.Loader;

namespace ReleaseOps.Loader;

/// <summary>
/// The module's own load context. Everything ReleaseOps ships in the module's <c>bin/</c> folder
/// (the cmdlets, the engine, Npgsql, YamlDotNet, the Docker and Redis clients) loads here, so
/// another module that brings other versions of those libraries cannot break ReleaseOps, nor
/// ReleaseOps it: an assembly found in <c>bin/</c> is always the one used, whatever the default
/// context already holds. The framework and PowerShell itself (System.Management.Automation) come
/// from the default context, so the objects the cmdlets exchange with PowerShell are PowerShell's.
/// </summary>
public sealed class ModuleContext : AssemblyLoadContext
{
    /// <summary>The assembly holding the cmdlets: the manifest's second nested module.</summary>
    public const string CmdletAssemblyName = "ReleaseOps.Cmdlets";

    private readonly string _directory;
    private readonly Lazy<IReadOnlyDictionary<string, string>> _framework = new(FrameworkAssemblies);

    internal ModuleContext(string directory)
        : base("ReleaseOps", isCollectible: false)
    {
        _directory = directory;
    }

    /// <summary>The folder the module's assemblies load from.</summary>
    public string Directory => _directory;

    protected override Assembly? Load(AssemblyName assemblyName)
    {
        var path = Path.Combine(_directory, assemblyName.Name + ".dll");
        if (!File.Exists(path) || ServedByFramework(assemblyName))
        {
            // Not ours (the framework, System.Management.Automation): the default context's copy,
            // so PowerShell's types stay PowerShell's.
            return null;
        }
        return LoadFromAssemblyPath(path);
    }

    protected override IntPtr LoadUnmanagedDll(string unmanagedDllName)
    {
        var path = Path.Combine(_directory, unmanagedDllName);
        return File.Exists(path) ? LoadUnmanagedDllFromPath(path) : IntPtr.Zero;
    }

    /// <summary>
    /// A framework assembly we also ship (a package's newer System.* for .NET 8) is taken from the
    /// running framework when that one is at least as new: PowerShell 7.6 on .NET 10 uses its own,
    /// PowerShell 7.4 on .NET 8 gets ours. Only the shared framework counts, not what PowerShell
    /// itself bundles, so a library PowerShell happens to carry never replaces ours.
    /// </summary>
    private bool ServedByFramework(AssemblyName name)
    {
        if (name.Name is not { } simple || !_framework.Value.TryGetValue(simple, out var file))
        {
            return false;
        }
        try
        {
            return (AssemblyName.GetAssemblyName(file).Version ?? new Version()) >= (name.Version ?? new Version());
        }
        catch (Exception ex) when (ex is BadImageFormatException or IOException)
        {
            return false;
        }
    }

    private static IReadOnlyDictionary<string, string> FrameworkAssemblies()
    {
        var frameworkDirectory = Path.GetDirectoryName(typeof(object).Assembly.Location);
        var files = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var file in (AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") as string ?? string.Empty)
                     .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            if (string.Equals(Path.GetDirectoryName(file), frameworkDirectory, StringComparison.Ordinal))
            {
                files[Path.GetFileNameWithoutExtension(file)] = file;
            }
        }
        return files;
    }
}

/// <summary>
/// The manifest's first nested module. When PowerShell imports it, it hooks the default context so
/// that PowerShell's request for the second nested module, <c>ReleaseOps.Cmdlets.dll</c> (which
/// is not beside the manifest), is served from the module's own context; PowerShell then keeps
/// using that instance (it caches nested-module assemblies by path for exactly this arrangement).
/// Only that one name is redirected: other modules' requests never reach the module's context.
/// </summary>
public sealed class ModuleInitializer : IModuleAssemblyInitializer, IModuleAssemblyCleanup
{
    private static readonly Lazy<ModuleContext> Context = new(() => new ModuleContext(
        Path.Combine(Path.GetDirectoryName(typeof(ModuleInitializer).Assembly.Location)!, "bin")));

    public void OnImport() => AssemblyLoadContext.Default.Resolving += Resolve;

    public void OnRemove(PSModuleInfo psModuleInfo) => AssemblyLoadContext.Default.Resolving -= Resolve;

    internal static Assembly? Resolve(AssemblyLoadContext requester, AssemblyName name) =>
        string.Equals(name.Name, ModuleContext.CmdletAssemblyName, StringComparison.OrdinalIgnoreCase)
            ? Context.Value.LoadFromAssemblyName(name)
            : null;
}
