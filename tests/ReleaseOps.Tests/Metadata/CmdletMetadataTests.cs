using System.Management.Automation;
using System.Reflection;
using System.Xml.Linq;
using ReleaseOps.Cmdlets.Hosting;
using ReleaseOps.Tests.Plans;
using Xunit;

namespace ReleaseOps.Tests.Metadata;

/// <summary>
/// Guards the module's shape without a PowerShell runtime: attributes are read with
/// CustomAttributeData (the PowerShellStandard attribute constructors record nothing).
/// </summary>
public class CmdletMetadataTests
{
    private static readonly Assembly CmdletAssembly = typeof(ReleaseOpsCmdlet).Assembly;

    /// <summary>Verbs whose cmdlets change state and must support -WhatIf/-Confirm.</summary>
    private static readonly HashSet<string> StateChangingVerbs = new(StringComparer.Ordinal)
    {
        "Add", "Approve", "Backup", "Clear", "Deny", "Deploy", "Disable", "Enable", "Grant", "Install", "Invoke", "Lock",
        "Move", "New", "Publish", "Register", "Remove", "Rename", "Reset", "Restart", "Restore", "Resume", "Revoke",
        "Set", "Start", "Stop", "Submit", "Suspend", "Uninstall", "Unlock", "Unpublish", "Unregister", "Update", "Undo",
    };

    /// <summary>Nouns that end in s but are singular.</summary>
    private static readonly HashSet<string> SingularNounsEndingInS = new(StringComparer.Ordinal) { "ReleaseStatus", "Status" };

    public sealed record CmdletInfo(Type Type, string Verb, string Noun, CustomAttributeData Attribute)
    {
        public string Name => $"{Verb}-{Noun}";

        public object? Named(string name)
        {
            foreach (var argument in Attribute.NamedArguments)
            {
                if (argument.MemberName == name)
                {
                    return argument.TypedValue.Value;
                }
            }
            return null;
        }

        public override string ToString() => Name;
    }

    public static IReadOnlyList<CmdletInfo> Cmdlets() =>
        CmdletAssembly.GetTypes()
            .Where(t => t is { IsAbstract: false, IsPublic: true } && typeof(Cmdlet).IsAssignableFrom(t))
            .Select(t => (Type: t, Attr: t.GetCustomAttributesData().FirstOrDefault(a => a.AttributeType == typeof(CmdletAttribute))))
            .Where(x => x.Attr is not null)
            .Select(x => new CmdletInfo(x.Type, (string)x.Attr!.ConstructorArguments[0].Value!, (string)x.Attr.ConstructorArguments[1].Value!, x.Attr))
            .OrderBy(c => c.Name)
            .ToArray();

    public static IEnumerable<object[]> EachCmdlet() => Cmdlets().Select(c => new object[] { c.Name });

    private static CmdletInfo Find(string name) => Cmdlets().Single(c => c.Name == name);

    [Fact]
    public void The_manifest_exports_exactly_the_cmdlets_the_assembly_defines()
    {
        var manifest = ModuleManifest.Load();
        Assert.Equal(Cmdlets().Select(c => c.Name).Order(), manifest.List("CmdletsToExport").Order());
    }

    [Fact]
    public void The_manifest_declares_the_required_fields_and_no_wildcards()
    {
        var manifest = ModuleManifest.Load();
        Assert.True(Guid.TryParse(manifest.Value("GUID"), out _));
        Assert.Matches(@"^\d+\.\d+\.\d+$", manifest.Value("ModuleVersion"));
        Assert.Equal("7.4", manifest.Value("PowerShellVersion"));
        Assert.Equal(new[] { "Core" }, manifest.List("CompatiblePSEditions"));
        foreach (var key in new[] { "CmdletsToExport", "FunctionsToExport", "AliasesToExport", "VariablesToExport" })
        {
            Assert.DoesNotContain(manifest.List(key), e => e.Contains('*'));
        }
        Assert.NotEmpty(manifest.List("FormatsToProcess"));
        Assert.NotEmpty(manifest.List("TypesToProcess"));
    }

    [Fact]
    public void Every_file_the_manifest_names_exists_after_the_build()
    {
        var manifest = ModuleManifest.Load();
        var files = new[] { manifest.Value("RootModule") }
            .Concat(manifest.List("FormatsToProcess"))
            .Concat(manifest.List("TypesToProcess"));
        foreach (var file in files)
        {
            Assert.True(File.Exists(Path.Combine(ExamplePlanTests.RepositoryRoot, file)), $"ReleaseOps.psd1 names {file}, which does not exist");
        }
        // The engine and its dependencies sit where ModuleLoadContext looks for them.
        var dependencies = Path.Combine(ExamplePlanTests.RepositoryRoot, "module", "Dependencies");
        foreach (var dll in new[] { "ReleaseOps.dll", "Npgsql.dll", "YamlDotNet.dll" })
        {
            Assert.True(File.Exists(Path.Combine(dependencies, dll)), $"module/Dependencies/{dll} is missing");
        }
        Assert.False(File.Exists(Path.Combine(ExamplePlanTests.RepositoryRoot, "module", "ReleaseOps.dll")),
            "the engine must not sit beside the cmdlet assembly, or PowerShell's default context would load it");
        Assert.False(File.Exists(Path.Combine(dependencies, "System.Management.Automation.dll")),
            "the PowerShellStandard reference assembly must not ship; PowerShell provides the real one");
    }

    [Theory]
    [MemberData(nameof(EachCmdlet))]
    public void Verbs_are_approved_and_nouns_singular(string name)
    {
        var cmdlet = Find(name);
        var approved = File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, "Metadata", "approved-verbs.txt"))
            .Where(l => l.Length > 0 && !l.StartsWith('#')).ToHashSet(StringComparer.Ordinal);
        Assert.Contains(cmdlet.Verb, approved);
        Assert.True(!cmdlet.Noun.EndsWith('s') || SingularNounsEndingInS.Contains(cmdlet.Noun), $"{name}: nouns are singular");
        Assert.EndsWith("Command", cmdlet.Type.Name);
        Assert.True(typeof(ReleaseOpsCmdlet).IsAssignableFrom(cmdlet.Type), $"{name} must derive from ReleaseOpsCmdlet (the bridge)");
    }

    [Theory]
    [MemberData(nameof(EachCmdlet))]
    public void Every_cmdlet_declares_output_types_that_are_public(string name)
    {
        var cmdlet = Find(name);
        var outputTypes = cmdlet.Type.GetCustomAttributesData().Where(a => a.AttributeType == typeof(OutputTypeAttribute))
            .SelectMany(a => a.ConstructorArguments)
            .SelectMany(arg => arg.Value is IEnumerable<CustomAttributeTypedArgument> many ? many.Select(m => m.Value) : new[] { arg.Value })
            .ToArray();
        Assert.NotEmpty(outputTypes);
        foreach (var type in outputTypes)
        {
            var t = Assert.IsAssignableFrom<Type>(type);
            Assert.True(t.IsPublic, $"{name}: output type {t} is not public");
        }
    }

    [Theory]
    [MemberData(nameof(EachCmdlet))]
    public void State_changing_cmdlets_support_ShouldProcess(string name)
    {
        var cmdlet = Find(name);
        var supports = cmdlet.Named("SupportsShouldProcess") as bool? ?? false;
        if (StateChangingVerbs.Contains(cmdlet.Verb))
        {
            Assert.True(supports, $"{name} changes state and must declare SupportsShouldProcess = true");
        }
        if (cmdlet.Verb == "Restore" || name == "Invoke-Rollback")
        {
            Assert.Equal((int)ConfirmImpact.High, cmdlet.Named("ConfirmImpact"));
        }
    }

    [Theory]
    [MemberData(nameof(EachCmdlet))]
    public void Every_cmdlet_and_parameter_has_help(string name)
    {
        var cmdlet = Find(name);
        var docs = CmdletDocumentation.Load();
        Assert.False(string.IsNullOrWhiteSpace(docs.Synopsis(cmdlet.Type)), $"{name} has no <summary> (help synopsis)");
        foreach (var parameter in CmdletDocumentation.Parameters(cmdlet.Type))
        {
            Assert.False(string.IsNullOrWhiteSpace(docs.Parameter(parameter)), $"{name} -{parameter.Name} has no <summary> (help text)");
        }
    }

    [Fact]
    public void Format_views_are_valid_and_name_real_types()
    {
        var manifest = ModuleManifest.Load();
        var engine = typeof(ReleaseOps.Plans.ReleasePlan).Assembly;
        foreach (var file in manifest.List("FormatsToProcess").Concat(manifest.List("TypesToProcess")))
        {
            var xml = XDocument.Load(Path.Combine(ExamplePlanTests.RepositoryRoot, file));
            var typeNames = xml.Descendants("TypeName").Concat(xml.Descendants("Type").Elements("Name")).Select(e => e.Value.Trim());
            foreach (var typeName in typeNames)
            {
                Assert.True(engine.GetType(typeName) is not null || CmdletAssembly.GetType(typeName) is not null,
                    $"{file} names {typeName}, which is not a ReleaseOps type");
            }
        }
    }

    [Fact]
    public void Plan_cmdlets_bind_paths_from_the_pipeline_by_value_and_by_property_name()
    {
        foreach (var type in new[] { typeof(ReleaseOps.Cmdlets.Plans.GetReleasePlanCommand), typeof(ReleaseOps.Cmdlets.Plans.TestReleasePlanCommand) })
        {
            var path = type.GetProperty("Path")!;
            var parameter = path.GetCustomAttributesData().Single(a => a.AttributeType == typeof(ParameterAttribute));
            Assert.Contains(parameter.NamedArguments, a => a.MemberName == "ValueFromPipeline" && (bool)a.TypedValue.Value!);
            Assert.Contains(parameter.NamedArguments, a => a.MemberName == "ValueFromPipelineByPropertyName" && (bool)a.TypedValue.Value!);
            var aliases = path.GetCustomAttributesData().Single(a => a.AttributeType == typeof(AliasAttribute));
            Assert.Contains("FullName", ((IEnumerable<CustomAttributeTypedArgument>)aliases.ConstructorArguments[0].Value!).Select(v => (string)v.Value!));
        }
    }
}
