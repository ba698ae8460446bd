using System.Reflection;
using System.Runtime.Loader;
using ReleaseOps.Cmdlets.Hosting;
using ReleaseOps.Tests.Plans;
using Xunit;

namespace ReleaseOps.Tests.Hosting;

/// <summary>
/// Dependency isolation as PowerShell loads the module: the engine and its dependencies resolve
/// from module/Dependencies into ReleaseOps's own load context, apart from any copies another
/// module (here: this test process) has loaded into the default context.
/// </summary>
public class ModuleLoadContextTests
{
    private static string Dependencies => Path.Combine(ExamplePlanTests.RepositoryRoot, "module", "Dependencies");

    [Fact]
    public void The_engine_and_its_dependencies_load_into_their_own_context()
    {
        var context = new ModuleLoadContext(Dependencies);
        var engine = context.LoadFromAssemblyName(new AssemblyName("ReleaseOps"));
        Assert.Same(context, AssemblyLoadContext.GetLoadContext(engine));
        Assert.NotSame(typeof(ReleaseOps.Plans.ReleasePlan).Assembly, engine);

        // Use the isolated engine: parsing a plan pulls YamlDotNet through the same context.
        var loader = engine.GetType("ReleaseOps.Plans.ReleasePlanLoader", throwOnError: true)!;
        var parse = loader.GetMethod("Parse")!;
        var plan = parse.Invoke(null, new object?[] { "api_version: releaseops/v1\napplication: iso\nenvironment: test\n", "iso.yml", null })!;
        Assert.Equal("iso", plan.GetType().GetProperty("Application")!.GetValue(plan));

        var yaml = context.Assemblies.Single(a => a.GetName().Name == "YamlDotNet");
        Assert.NotSame(typeof(YamlDotNet.Core.Parser).Assembly, yaml);
        Assert.Equal(Path.Combine(Dependencies, "YamlDotNet.dll"), yaml.Location);
    }

    [Fact]
    public void Framework_and_PowerShell_assemblies_stay_shared_with_the_default_context()
    {
        var context = new ModuleLoadContext(Dependencies);
        var engine = context.LoadFromAssemblyName(new AssemblyName("ReleaseOps"));
        var runtime = engine.GetReferencedAssemblies().First(a => a.Name == "System.Runtime");
        Assert.Same(AssemblyLoadContext.Default, AssemblyLoadContext.GetLoadContext(context.LoadFromAssemblyName(runtime)));
    }

    [Fact]
    public void Only_the_engine_is_redirected_from_the_default_context()
    {
        ModuleInitializer.Initialize(Dependencies);
        Assert.Null(ModuleInitializer.ResolveEngine(AssemblyLoadContext.Default, new AssemblyName("YamlDotNet")));
        var engine = ModuleInitializer.ResolveEngine(AssemblyLoadContext.Default, new AssemblyName("ReleaseOps"));
        Assert.NotNull(engine);
        Assert.Equal("ReleaseOps", AssemblyLoadContext.GetLoadContext(engine!)!.Name);
    }
}
