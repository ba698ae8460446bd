using System.Management.Automation;
using System.Reflection;
using System.Runtime.Loader;

namespace ReleaseOps.Cmdlets.Hosting;

/// <summary>
/// Keeps the engine and its dependencies (Npgsql, YamlDotNet, ...) in an AssemblyLoadContext of
/// their own, so ReleaseOps coexists with modules that ship other versions of them. Only this
/// cmdlet assembly sits beside the manifest and loads into PowerShell's default context; the
/// engine and everything it needs live in <c>Dependencies/</c>, out of the default probing path.
/// When the default context cannot find the engine, <see cref="ModuleInitializer"/> hands the
/// request to this context, which resolves the engine's own references from the same folder.
/// </summary>
internal sealed class ModuleLoadContext : AssemblyLoadContext
{
    private readonly string _directory;

    public ModuleLoadContext(string directory)
        : base("ReleaseOps", isCollectible: false)
    {
        _directory = directory;
    }

    public string Directory => _directory;

    protected override Assembly? Load(AssemblyName assemblyName)
    {
        var path = Path.Combine(_directory, assemblyName.Name + ".dll");
        // Anything not shipped in Dependencies (the framework, System.Management.Automation)
        // falls back to the default context, so PowerShell's own types stay shared.
        return File.Exists(path) ? LoadFromAssemblyPath(path) : null;
    }

    protected override IntPtr LoadUnmanagedDll(string unmanagedDllName)
    {
        var path = Path.Combine(_directory, unmanagedDllName);
        return File.Exists(path) ? LoadUnmanagedDllFromPath(path) : IntPtr.Zero;
    }
}

/// <summary>Hooks the default context's resolution of the engine when PowerShell imports the module.</summary>
public sealed class ModuleInitializer : IModuleAssemblyInitializer
{
    internal const string EngineAssemblyName = "ReleaseOps";
    private static readonly object Gate = new();
    private static ModuleLoadContext? _context;

    public void OnImport()
    {
        var moduleDirectory = Path.GetDirectoryName(typeof(ModuleInitializer).Assembly.Location)!;
        Initialize(Path.Combine(moduleDirectory, "Dependencies"));
    }

    /// <summary>Creates the module's context over <paramref name="dependencies"/> once, and hooks the default context.</summary>
    internal static void Initialize(string dependencies)
    {
        lock (Gate)
        {
            if (_context is not null)
            {
                return;
            }
            _context = new ModuleLoadContext(dependencies);
            AssemblyLoadContext.Default.Resolving += ResolveEngine;
        }
    }

    internal static Assembly? ResolveEngine(AssemblyLoadContext requester, AssemblyName name)
    {
        // Only the engine is redirected; its dependencies are found by the engine's own context.
        return name.Name == EngineAssemblyName ? _context?.LoadFromAssemblyName(name) : null;
    }
}
