namespace ReleaseOps.Plans.Schema;

/// <summary>
/// The plan schema, as data: what a value in a release plan may be. One description serves three
/// purposes: validating a YAML plan (with positions), converting it to typed values, and writing
/// the JSON Schema that editors use for completion (docs/releaseplan.schema.json).
/// </summary>
public abstract record Shape
{
    public string? Description { get; init; }
}

public enum ScalarKind
{
    String,
    Integer,
    Number,
    Boolean,
    /// <summary>500ms, 30s, 5m, 2h, 1d, 1h30m.</summary>
    Duration,
    /// <summary>An absolute http(s) URL.</summary>
    Url,
    /// <summary>Bytes with a unit: 512KB, 300MB, 1GiB.</summary>
    Size,
    /// <summary>An expression in the condition language: <c>status == 200</c>.</summary>
    Condition,
    /// <summary>A TCP port, 1-65535.</summary>
    Port,
    /// <summary>One of <see cref="ScalarShape.Allowed"/>.</summary>
    Enum,
}

public sealed record ScalarShape(ScalarKind Kind) : Shape
{
    public IReadOnlyList<string> Allowed { get; init; } = Array.Empty<string>();
    public long? Minimum { get; init; }
    public long? Maximum { get; init; }
    /// <summary>Values that were once allowed, with why they no longer are (for enums).</summary>
    public IReadOnlyDictionary<string, string> Retired { get; init; } = new Dictionary<string, string>();
}

/// <summary>A sequence. With <see cref="AcceptsSingle"/>, a lone value counts as a list of one.</summary>
public sealed record ListShape(Shape Item) : Shape
{
    public bool AcceptsSingle { get; init; }
    /// <summary>For lists of objects: the key whose values must be unique (usually <c>name</c>).</summary>
    public string? UniqueKey { get; init; }
}

/// <summary>A mapping with keys chosen by the author (env variables, labels, headers).</summary>
public sealed record MapShape(Shape Value) : Shape;

/// <summary>A mapping with fixed keys.</summary>
public sealed record ObjectShape(IReadOnlyList<Property> Properties) : Shape
{
    public Property? Find(string name) => Properties.FirstOrDefault(p => p.Name == name);
}

/// <summary>
/// A mapping whose <see cref="Discriminator"/> key picks which further keys are allowed (a gate's
/// <c>type</c> decides its settings).
/// </summary>
public sealed record TaggedShape(string Discriminator, IReadOnlyList<Property> Common,
    IReadOnlyDictionary<string, IReadOnlyList<Property>> Variants) : Shape
{
    /// <summary>The variant of a mapping that leaves the discriminator out (a probe without a type is http); null: it is required.</summary>
    public string? DefaultTag { get; init; }
}

/// <summary>One key of an object.</summary>
public sealed record Property(string Name, Shape Shape, bool Required = false, string? Description = null)
{
    /// <summary>Default written to the JSON Schema (documentation only; binders apply their own).</summary>
    public object? Default { get; init; }

    /// <summary>
    /// Set for a key the schema names but the engine cannot act on: why, and what to do instead. The validator rejects
    /// the key with this text (a key that validates and then does nothing would be worse than an error); the JSON
    /// Schema forbids it and says the same.
    /// </summary>
    public string? Refused { get; init; }
}

/// <summary>Shorthands for writing shapes.</summary>
public static class Shapes
{
    public static ScalarShape String(string? description = null) => new(ScalarKind.String) { Description = description };
    public static ScalarShape Integer(long? min = null, long? max = null) => new(ScalarKind.Integer) { Minimum = min, Maximum = max };
    public static ScalarShape Number() => new(ScalarKind.Number);
    public static ScalarShape Boolean() => new(ScalarKind.Boolean);
    public static ScalarShape Duration() => new(ScalarKind.Duration);
    public static ScalarShape Url() => new(ScalarKind.Url);
    public static ScalarShape Size() => new(ScalarKind.Size);
    public static ScalarShape Port() => new(ScalarKind.Port);
    public static ScalarShape Condition() => new(ScalarKind.Condition);
    public static ScalarShape Enum(params string[] values) => new(ScalarKind.Enum) { Allowed = values };
    public static ListShape List(Shape item, bool acceptsSingle = false, string? uniqueKey = null) =>
        new(item) { AcceptsSingle = acceptsSingle, UniqueKey = uniqueKey };
    public static MapShape Map(Shape value) => new(value);
    public static ObjectShape Object(params Property[] properties) => new(properties);

    public static Property Prop(string name, Shape shape, string? description = null) => new(name, shape, false, description);
    public static Property Required(string name, Shape shape, string? description = null) => new(name, shape, true, description);
    /// <summary>A key that is known but refused at validation, with why and what to do instead (<see cref="Property.Refused"/>).</summary>
    public static Property Refused(string name, Shape shape, string why) => new(name, shape, false, "Refused: " + why) { Refused = why };

    /// <summary>How to reach a PostgreSQL or Redis server (maps to <see cref="ConnectionDefinition"/>).</summary>
    public static ObjectShape Connection() => Object(
        Required("host", String(), "Server host name or address."),
        Prop("port", Port()),
        Prop("database", String(), "PostgreSQL database name, or Redis database number."),
        Prop("username", String()),
        Prop("password", String(), "A secret reference: ${secret:NAME}. Never write the password itself."),
        Prop("ssl_mode", Enum("disable", "allow", "prefer", "require", "verify-ca", "verify-full")));

    /// <summary>
    /// How the redis gate reaches its server: <see cref="Connection"/> without <c>database</c>. Everything the gate checks
    /// (requirepass, persistence, maxmemory-policy, the last save) is the server's, the same in every database.
    /// </summary>
    public static ObjectShape RedisGateConnection() => new(Connection().Properties
        .Select(p => p.Name == "database"
            ? Refused("database", String(), "the redis gate checks server-wide settings (requirepass, persistence, maxmemory-policy, last save), which no database number changes; leave database out")
            : p)
        .ToArray());
}
