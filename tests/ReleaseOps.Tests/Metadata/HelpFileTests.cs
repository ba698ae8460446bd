using System.Xml.Linq;
using ReleaseOps.Tests.Plans;
using Xunit;

namespace ReleaseOps.Tests.Metadata;

public class HelpFileTests
{
    [Fact]
    public void The_committed_help_file_matches_the_cmdlets() =>
        GeneratedFiles.AssertInStep(MamlHelpWriter.RelativePath, MamlHelpWriter.Write());

    [Fact]
    public void Help_covers_every_cmdlet_with_synopsis_parameters_and_examples()
    {
        XNamespace command = "http://schemas.microsoft.com/maml/dev/command/2004/10";
        XNamespace maml = "http://schemas.microsoft.com/maml/2004/10";
        var help = XDocument.Parse(MamlHelpWriter.Write());
        var names = help.Descendants(command + "details").Select(d => d.Element(command + "name")!.Value);
        Assert.Equal(CmdletMetadataTests.Cmdlets().Select(c => c.Name), names);

        var testPlan = help.Descendants(command + "command").Single(c => c.Element(command + "details")!.Element(command + "name")!.Value == "Test-ReleasePlan");
        Assert.Contains("Validates a release plan", testPlan.Element(command + "details")!.Element(maml + "description")!.Value);
        var path = testPlan.Element(command + "parameters")!.Elements(command + "parameter").Single(p => p.Element(maml + "name")!.Value == "Path");
        Assert.Equal("true (ByValue, ByPropertyName)", path.Attribute("pipelineInput")!.Value);
        Assert.NotEmpty(testPlan.Descendants(command + "example"));
    }
}
