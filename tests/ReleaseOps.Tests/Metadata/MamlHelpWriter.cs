using System.Management.Automation;
using System.Reflection;
using System.Xml.Linq;

namespace ReleaseOps.Tests.Metadata;

/// <summary>
/// Writes PowerShell's MAML help (en-US/ReleaseOps.Cmdlets.dll-Help.xml, beside the manifest) from
/// the cmdlets' attributes and XML documentation, so Get-Help shows the same text the code carries.
/// </summary>
public static class MamlHelpWriter
{
    private static readonly XNamespace Msh = "http://msh";
    private static readonly XNamespace Maml = "http://schemas.microsoft.com/maml/2004/10";
    private static readonly XNamespace Command = "http://schemas.microsoft.com/maml/dev/command/2004/10";
    private static readonly XNamespace Dev = "http://schemas.microsoft.com/maml/dev/2004/10";

    public const string RelativePath = "en-US/ReleaseOps.Cmdlets.dll-Help.xml";

    public static string Write()
    {
        var docs = CmdletDocumentation.Load();
        var root = new XElement(Msh + "helpItems", new XAttribute("schema", "maml"),
            new XAttribute(XNamespace.Xmlns + "maml", Maml), new XAttribute(XNamespace.Xmlns + "command", Command),
            new XAttribute(XNamespace.Xmlns + "dev", Dev),
            CmdletMetadataTests.Cmdlets().Select(c => CommandElement(c, docs)));
        return new XDocument(new XDeclaration("1.0", "utf-8", null), root).Declaration + "\n" + root + "\n";
    }

    private static XElement Para(string? text) => new(Maml + "para", text ?? "");

    private static XElement CommandElement(CmdletMetadataTests.CmdletInfo cmdlet, CmdletDocumentation docs)
    {
        var parameters = CmdletDocumentation.Parameters(cmdlet.Type).ToArray();
        var outputTypes = cmdlet.Type.GetCustomAttributesData().Where(a => a.AttributeType == typeof(OutputTypeAttribute))
            .SelectMany(a => a.ConstructorArguments)
            .SelectMany(arg => arg.Value is IEnumerable<CustomAttributeTypedArgument> many ? many.Select(m => m.Value) : new[] { arg.Value })
            .OfType<Type>();
        return new XElement(Command + "command",
            new XElement(Command + "details",
                new XElement(Command + "name", cmdlet.Name),
                new XElement(Maml + "description", Para(docs.Synopsis(cmdlet.Type))),
                new XElement(Command + "verb", cmdlet.Verb),
                new XElement(Command + "noun", cmdlet.Noun)),
            new XElement(Maml + "description", Para(docs.Description(cmdlet.Type))),
            new XElement(Command + "syntax",
                new XElement(Command + "syntaxItem",
                    new XElement(Maml + "name", cmdlet.Name),
                    parameters.Select(p => ParameterElement(p, docs)))),
            new XElement(Command + "parameters", parameters.Select(p => ParameterElement(p, docs))),
            new XElement(Command + "returnValues", outputTypes.Select(t =>
                new XElement(Command + "returnValue", new XElement(Dev + "type", new XElement(Maml + "name", t.FullName))))),
            new XElement(Command + "examples", docs.Examples(cmdlet.Type).Select((code, i) =>
                new XElement(Command + "example",
                    new XElement(Maml + "title", $"-------------------------- EXAMPLE {i + 1} --------------------------"),
                    new XElement(Dev + "code", code),
                    new XElement(Dev + "remarks", Para(""))))));
    }

    private static XElement ParameterElement(PropertyInfo property, CmdletDocumentation docs)
    {
        var attribute = property.GetCustomAttributesData().First(a => a.AttributeType == typeof(ParameterAttribute));
        bool Flag(string name) => attribute.NamedArguments.Any(a => a.MemberName == name && a.TypedValue.Value is true);
        var position = attribute.NamedArguments.Where(a => a.MemberName == "Position").Select(a => a.TypedValue.Value?.ToString()).FirstOrDefault() ?? "named";
        var pipeline = (Flag("ValueFromPipeline"), Flag("ValueFromPipelineByPropertyName")) switch
        {
            (true, true) => "true (ByValue, ByPropertyName)",
            (true, false) => "true (ByValue)",
            (false, true) => "true (ByPropertyName)",
            _ => "false",
        };
        var typeName = property.PropertyType == typeof(SwitchParameter) ? "SwitchParameter" : property.PropertyType.Name;
        return new XElement(Command + "parameter",
            new XAttribute("required", Flag("Mandatory") ? "true" : "false"),
            new XAttribute("globbing", "false"),
            new XAttribute("pipelineInput", pipeline),
            new XAttribute("position", position),
            new XElement(Maml + "name", property.Name),
            new XElement(Maml + "description", Para(docs.Parameter(property))),
            new XElement(Command + "parameterValue", new XAttribute("required", "true"), typeName),
            new XElement(Dev + "type", new XElement(Maml + "name", property.PropertyType.FullName)));
    }
}
