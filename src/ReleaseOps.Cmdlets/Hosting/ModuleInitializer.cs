using System.Management.Automation;

namespace ReleaseOps.Cmdlets.Hosting;

/// <summary>
/// Runs when PowerShell imports the cmdlets: registers the engine's type names (see
/// <see cref="TypeNames"/>) and removes them with the module.
/// </summary>
public sealed class ModuleInitializer : IModuleAssemblyInitializer, IModuleAssemblyCleanup
{
    public void OnImport() => TypeNames.Register(typeof(ReleaseOps.Plans.ReleasePlan).Assembly);

    public void OnRemove(PSModuleInfo psModuleInfo) => TypeNames.Unregister();
}
