using System.Management.Automation;
using System.Xml.Linq;
using ReleaseOps.Tests.Plans;
using ReleaseOps.Tests.Support;
using Xunit;

namespace ReleaseOps.Tests.Metadata;

/// <summary>
/// The module's shape as PowerShell itself sees it: the CommandInfo of every cmdlet, read from a real
/// runspace (verbs, nouns, parameter sets, output types, ShouldProcess), checked against the manifest.
/// </summary>
public class CmdletMetadataTests
{
    /// <summary>Verbs whose cmdlets change state and must support -WhatIf/-Confirm.</summary>
    private static readonly HashSet<string> StateChangingVerbs = new(StringComparer.Ordinal)
    {
        "Add", "Approve", "Backup", "Clear", "Deny", "Deploy", "Disable", "Enable", "Grant", "Install", "Invoke", "Lock",
        "Move", "New", "Publish", "Register", "Remove", "Rename", "Reset", "Restart", "Restore", "Resume", "Revoke",
        "Set", "Start", "Stop", "Submit", "Suspend", "Uninstall", "Unlock", "Unpublish", "Unregister", "Update", "Undo",
    };

    private static readonly Lazy<IReadOnlyList<CmdletInfo>> Commands = new(() =>
    {
        using var session = PowerShellSession.Start();
        return session.Run("Get-Command -CommandType Cmdlet | Where-Object { $_.ImplementingType.Namespace -like 'ReleaseOps.Cmdlets.*' } | Sort-Object Name").ThrowIfFailed()
            .Objects<CmdletInfo>();
    });

    public static IReadOnlyList<CmdletInfo> Cmdlets() => Commands.Value;

    public static IEnumerable<object[]> EachCmdlet() => Cmdlets().Select(c => new object[] { c.Name });

    private static CmdletInfo Find(string name) => Cmdlets().Single(c => c.Name == name);

    private static CmdletAttribute Declaration(CmdletInfo cmdlet) =>
        (CmdletAttribute)cmdlet.ImplementingType.GetCustomAttributes(typeof(CmdletAttribute), false).Single();

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
        var root = ExamplePlanTests.RepositoryRoot;
        foreach (var file in manifest.List("NestedModules").Concat(manifest.List("FormatsToProcess")).Concat(manifest.List("TypesToProcess")))
        {
            Assert.True(File.Exists(Path.Combine(root, file)), $"ReleaseOps.psd1 names {file}, which does not exist");
        }
        // The loader beside the inner manifest; the cmdlets, the engine and its dependencies in bin/ (docs/architecture.md, "Load contexts").
        Assert.True(File.Exists(Path.Combine(root, "module", "ReleaseOps.Loader.dll")));
        foreach (var dll in new[] { "ReleaseOps.Cmdlets.dll", "ReleaseOps.dll", "Npgsql.dll", "YamlDotNet.dll" })
        {
            Assert.True(File.Exists(Path.Combine(root, "module", "bin", dll)), $"module/bin/{dll} is missing");
        }
        Assert.False(File.Exists(Path.Combine(root, "module", "ReleaseOps.Cmdlets.dll")),
            "the cmdlets must not sit beside the inner manifest, or PowerShell would load them into its default context");
        Assert.False(File.Exists(Path.Combine(root, "module", "bin", "System.Management.Automation.dll")),
            "the PowerShellStandard reference assembly must not ship; PowerShell provides the real one");
    }

    [Theory]
    [MemberData(nameof(EachCmdlet))]
    public void Verbs_are_approved_and_nouns_singular(string name)
    {
        var cmdlet = Find(name);
        using var session = PowerShellSession.Start();
        var approved = session.Run("(Get-Verb).Verb").ThrowIfFailed().Output.Select(o => (string)o.BaseObject).ToHashSet();
        Assert.Contains(cmdlet.Verb, approved);
        Assert.False(cmdlet.Noun.EndsWith('s'), $"{name}: nouns are singular");
        Assert.EndsWith("Command", cmdlet.ImplementingType.Name);
        Assert.True(typeof(Cmdlets.Hosting.ReleaseOpsCmdlet).IsAssignableFrom(cmdlet.ImplementingType), $"{name} must derive from ReleaseOpsCmdlet (the bridge)");
    }

    [Theory]
    [MemberData(nameof(EachCmdlet))]
    public void Every_cmdlet_declares_output_types_that_are_public_engine_records(string name)
    {
        var outputs = Find(name).OutputType;
        Assert.NotEmpty(outputs);
        foreach (var output in outputs)
        {
            Assert.NotNull(output.Type);
            Assert.True(output.Type.IsPublic, $"{name}: output type {output.Type} is not public");
        }
    }

    [Theory]
    [MemberData(nameof(EachCmdlet))]
    public void State_changing_cmdlets_support_ShouldProcess(string name)
    {
        var cmdlet = Find(name);
        var declaration = Declaration(cmdlet);
        if (StateChangingVerbs.Contains(cmdlet.Verb))
        {
            Assert.True(declaration.SupportsShouldProcess, $"{name} changes state and must declare SupportsShouldProcess = true");
            Assert.Contains("WhatIf", cmdlet.Parameters.Keys);
        }
        if (cmdlet.Verb == "Restore" || name == "Invoke-Rollback")
        {
            Assert.Equal(ConfirmImpact.High, declaration.ConfirmImpact);
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
                Assert.True(engine.GetType(typeName) is not null, $"{file} names {typeName}, which is not a ReleaseOps type");
            }
        }
    }

    [Fact]
    public void Plan_cmdlets_bind_paths_from_the_pipeline_by_value_and_by_property_name()
    {
        foreach (var name in new[] { "Get-ReleasePlan", "Test-ReleasePlan" })
        {
            var path = Find(name).Parameters["Path"];
            var binding = Assert.Single(path.ParameterSets.Values);
            Assert.True(binding.ValueFromPipeline);
            Assert.True(binding.ValueFromPipelineByPropertyName);
            Assert.Contains("FullName", path.Aliases);
        }
    }
}
