using System.Management.Automation;
using System.Reflection;
using System.Xml.Linq;
using ReleaseOps.Cmdlets.Hosting;

namespace ReleaseOps.Tests.Metadata;

/// <summary>
/// Cmdlet help as written in the cmdlet assembly's XML documentation comments: a class summary
/// with <c>&lt;para type="synopsis"&gt;</c> and <c>&lt;para type="description"&gt;</c> (or plain text),
/// parameter summaries, and <c>&lt;example&gt;&lt;code&gt;</c> blocks.
/// </summary>
public sealed class CmdletDocumentation
{
    private static readonly Lazy<CmdletDocumentation> Instance = new(() => new CmdletDocumentation());
    private readonly Dictionary<string, XElement> _members;

    private CmdletDocumentation()
    {
        var path = Path.ChangeExtension(typeof(ReleaseOpsCmdlet).Assembly.Location, ".xml");
        if (!File.Exists(path))
        {
            throw new InvalidOperationException($"{path} is missing: the cmdlet project must generate its XML documentation.");
        }
        _members = XDocument.Load(path).Descendants("member")
            .ToDictionary(m => (string)m.Attribute("name")!, m => m);
    }

    public static CmdletDocumentation Load() => Instance.Value;

    public static IEnumerable<PropertyInfo> Parameters(Type cmdlet) =>
        cmdlet.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.GetCustomAttributesData().Any(a => a.AttributeType == typeof(ParameterAttribute)))
            .OrderBy(p => p.Name);

    public string? Synopsis(Type type) => Para(Member("T:" + type.FullName), "synopsis") ?? FirstSentence(Text(Member("T:" + type.FullName)?.Element("summary")));

    public string? Description(Type type) => Para(Member("T:" + type.FullName), "description") ?? Text(Member("T:" + type.FullName)?.Element("summary"));

    public string? Parameter(PropertyInfo property) =>
        Para(Member($"P:{property.DeclaringType!.FullName}.{property.Name}"), "description")
        ?? Text(Member($"P:{property.DeclaringType!.FullName}.{property.Name}")?.Element("summary"));

    public IReadOnlyList<string> Examples(Type type) =>
        Member("T:" + type.FullName)?.Elements("example").Select(e => Text(e.Element("code") ?? e) ?? "").Where(t => t.Length > 0).ToArray()
        ?? Array.Empty<string>();

    private XElement? Member(string id) => _members.TryGetValue(id, out var member) ? member : null;

    private static string? Para(XElement? member, string type) =>
        Text(member?.Element("summary")?.Elements("para").FirstOrDefault(p => (string?)p.Attribute("type") == type));

    private static string? Text(XElement? element)
    {
        if (element is null)
        {
            return null;
        }
        var parts = element.Nodes().Select(n => n switch
        {
            XText t => t.Value,
            XElement { Name.LocalName: "see" } see => ((string?)see.Attribute("cref"))?.Split('.', ':').Last() ?? see.Value,
            XElement e when e.Name.LocalName == "para" && e.Attribute("type") is not null => "",
            XElement e => e.Value,
            _ => "",
        });
        var text = string.Join(" ", string.Concat(parts).Split(new[] { ' ', '\n', '\r', '\t' }, StringSplitOptions.RemoveEmptyEntries));
        return text.Length == 0 ? null : text;
    }

    private static string? FirstSentence(string? text)
    {
        if (text is null)
        {
            return null;
        }
        var end = text.IndexOf(". ", StringComparison.Ordinal);
        return end < 0 ? text : text[..(end + 1)];
    }
}
