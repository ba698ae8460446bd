using System.Management.Automation;
using System.Reflection;

namespace ReleaseOps.Cmdlets.Hosting;

/// <summary>
/// Makes the engine's public types nameable in scripts (<c>$x -is [ReleaseOps.Plans.ReleasePlan]</c>,
/// a <c>[ReleaseOps.Deploy.DeploymentStep]</c> parameter) although they live in the module's own load
/// context, which PowerShell's type-name resolution does not search. Each type is registered under
/// its full name as a type accelerator, the mechanism PowerShell documents for exporting the types of
/// a module (about_Classes, "Exporting classes with type accelerators"), and removed with the module.
/// </summary>
public static class TypeNames
{
    private static readonly object Gate = new();
    private static readonly List<string> Registered = new();

    /// <summary>Registers every public type of <paramref name="assemblies"/> under its full name.</summary>
    public static void Register(params Assembly[] assemblies)
    {
        var accelerators = Accelerators();
        var add = accelerators.GetMethod("Add", BindingFlags.Public | BindingFlags.Static, new[] { typeof(string), typeof(Type) })
            ?? throw new InvalidOperationException("This PowerShell has no TypeAccelerators.Add(string, Type).");
        lock (Gate)
        {
            foreach (var type in assemblies.SelectMany(a => a.GetExportedTypes()))
            {
                if (type.FullName is { } name && !type.IsGenericTypeDefinition)
                {
                    add.Invoke(null, new object[] { name, type });
                    Registered.Add(name);
                }
            }
        }
    }

    /// <summary>Removes the names <see cref="Register"/> added (Remove-Module).</summary>
    public static void Unregister()
    {
        var remove = Accelerators().GetMethod("Remove", BindingFlags.Public | BindingFlags.Static, new[] { typeof(string) });
        lock (Gate)
        {
            foreach (var name in Registered)
            {
                remove?.Invoke(null, new object[] { name });
            }
            Registered.Clear();
        }
    }

    private static Type Accelerators() =>
        typeof(PSObject).Assembly.GetType("System.Management.Automation.TypeAccelerators")
        ?? throw new InvalidOperationException("This PowerShell has no System.Management.Automation.TypeAccelerators.");
}
