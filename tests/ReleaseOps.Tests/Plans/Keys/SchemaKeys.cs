using ReleaseOps.Plans.Schema;

namespace ReleaseOps.Tests.Plans.Keys;

/// <summary>One key of the plan schema, by path, with the schema property that declares it.</summary>
public sealed record SchemaKey(string Path, Property? Property)
{
    public override string ToString() => Path;
}

/// <summary>
/// Every key of the plan schema (<see cref="PlanSchema.Root"/>: what the validator, the JSON Schema and the docs are made
/// from), as paths: <c>services[].health[].interval</c>; list items are <c>[]</c>, a map's author-chosen keys <c>*</c>,
/// and the variant keys of a tagged mapping name their variant: <c>gates[type=http].url</c>. A variant is a key of
/// its own too (<c>gates[type=docker-swarm]</c>): what the type does is its effect.
/// </summary>
public static class SchemaKeys
{
    public static IReadOnlyList<SchemaKey> All() => Walk(PlanSchema.Root, "", null).ToArray();

    private static IEnumerable<SchemaKey> Walk(Shape shape, string path, Property? declared)
    {
        switch (shape)
        {
            case ObjectShape obj:
                foreach (var p in obj.Properties)
                {
                    foreach (var key in Property(p, Join(path, p.Name))) yield return key;
                }
                break;
            case ListShape list:
                foreach (var key in Walk(list.Item, path + "[]", declared)) yield return key;
                break;
            case MapShape map:
                foreach (var key in Walk(map.Value, path + ".*", declared)) yield return key;
                break;
            case TaggedShape tagged:
                var common = path.EndsWith("[]", StringComparison.Ordinal) ? path : path + "[]";
                foreach (var p in tagged.Common)
                {
                    foreach (var key in Property(p, Join(path, p.Name))) yield return key;
                }
                foreach (var (tag, settings) in tagged.Variants)
                {
                    var variant = (path.EndsWith("[]", StringComparison.Ordinal) ? path[..^2] : path) + $"[{tagged.Discriminator}={tag}]";
                    yield return new SchemaKey(variant, null);
                    foreach (var p in settings)
                    {
                        foreach (var key in Property(p, Join(variant, p.Name))) yield return key;
                    }
                }
                break;
        }
    }

    private static IEnumerable<SchemaKey> Property(Property p, string path)
    {
        yield return new SchemaKey(path, p);
        if (p.Refused is not null) yield break; // refused as a whole: nothing under it is read
        foreach (var key in Walk(p.Shape, path, p)) yield return key;
    }

    private static string Join(string path, string name) => path.Length == 0 ? name : path + "." + name;
}
