using System.Text.Json;
using System.Text.Json.Nodes;

namespace ReleaseOps.Plans.Schema;

/// <summary>
/// Writes the plan schema as JSON Schema (draft-07, which YAML editors understand), for completion
/// and inline checks in editors. Every scalar also accepts a <c>${...}</c> reference, because
/// variables are substituted before the loader types the value.
/// </summary>
public static class JsonSchemaWriter
{
    public const string SchemaId = "https://releaseops.dev/schemas/releaseplan-v1.json";

    public static string Write()
    {
        var root = (JsonObject)Node(PlanSchema.Root);
        var document = new JsonObject
        {
            ["$schema"] = "http://json-schema.org/draft-07/schema#",
            ["$id"] = SchemaId,
            ["title"] = "ReleaseOps release plan",
            ["description"] = "One application's release to one environment. Reference: docs/plan-reference.md.",
        };
        foreach (var (key, value) in root.ToArray())
        {
            root.Remove(key);
            document[key] = value;
        }
        return document.ToJsonString(new JsonSerializerOptions
        {
            WriteIndented = true,
            Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        }) + "\n";
    }

    private static JsonNode Node(Shape shape)
    {
        var node = shape switch
        {
            ScalarShape scalar => Scalar(scalar),
            ListShape list => List(list),
            MapShape map => new JsonObject { ["type"] = "object", ["additionalProperties"] = Node(map.Value) },
            ObjectShape obj => Object(obj.Properties),
            TaggedShape tagged => Tagged(tagged),
            _ => throw new InvalidOperationException(shape.GetType().Name),
        };
        if (shape.Description is not null && node is JsonObject o && !o.ContainsKey("description"))
        {
            o["description"] = shape.Description;
        }
        return node;
    }

    private static JsonObject Object(IReadOnlyList<Property> properties, bool closed = true)
    {
        var props = new JsonObject();
        foreach (var p in properties)
        {
            // A refused key is forbidden (false) to editors too, with the reason where editors show it.
            JsonNode node = p.Refused is null ? Node(p.Shape) : new JsonObject { ["not"] = new JsonObject() };
            if (p.Description is not null && node is JsonObject o)
            {
                o["description"] = p.Description;
            }
            props[p.Name] = node;
        }
        var result = new JsonObject { ["type"] = "object", ["properties"] = props };
        var required = properties.Where(p => p.Required).Select(p => (JsonNode)JsonValue.Create(p.Name)!).ToArray();
        if (required.Length > 0)
        {
            result["required"] = new JsonArray(required);
        }
        if (closed)
        {
            result["additionalProperties"] = false;
        }
        return result;
    }

    private static JsonObject Tagged(TaggedShape shape)
    {
        // Common keys are described once; each type's own keys apply when "type" has that value.
        var result = Object(shape.Common, closed: false);
        var variants = new JsonArray();
        foreach (var (tag, properties) in shape.Variants)
        {
            var then = Object(shape.Common.Concat(properties).ToArray());
            var named = new JsonObject
            {
                ["properties"] = new JsonObject { [shape.Discriminator] = new JsonObject { ["const"] = tag } },
                ["required"] = new JsonArray(JsonValue.Create(shape.Discriminator)),
            };
            variants.Add(new JsonObject
            {
                // The default variant also applies when the discriminator is left out.
                ["if"] = tag == shape.DefaultTag
                    ? new JsonObject { ["anyOf"] = new JsonArray(named, new JsonObject { ["not"] = new JsonObject { ["required"] = new JsonArray(JsonValue.Create(shape.Discriminator)) } }) }
                    : named,
                ["then"] = then,
            });
        }
        result["allOf"] = variants;
        return result;
    }

    private static JsonObject List(ListShape list)
    {
        var array = new JsonObject { ["type"] = "array", ["items"] = Node(list.Item) };
        return list.AcceptsSingle ? new JsonObject { ["anyOf"] = new JsonArray(array, Node(list.Item)) } : array;
    }

    private static JsonObject Scalar(ScalarShape scalar)
    {
        JsonObject typed = scalar.Kind switch
        {
            ScalarKind.String or ScalarKind.Condition => new JsonObject { ["type"] = "string" },
            ScalarKind.Integer => WithRange(new JsonObject { ["type"] = "integer" }, scalar.Minimum, scalar.Maximum),
            ScalarKind.Port => new JsonObject { ["type"] = "integer", ["minimum"] = 1, ["maximum"] = 65535 },
            ScalarKind.Number => new JsonObject { ["type"] = "number" },
            ScalarKind.Boolean => new JsonObject { ["type"] = "boolean" },
            ScalarKind.Duration => new JsonObject { ["type"] = "string", ["pattern"] = @"^(\d+(\.\d+)?(ms|s|m|h|d))+$" },
            ScalarKind.Size => new JsonObject { ["type"] = "string", ["pattern"] = @"^\d+(\.\d+)?\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)?$" },
            ScalarKind.Url => new JsonObject { ["type"] = "string", ["pattern"] = "^https?://" },
            ScalarKind.Enum => new JsonObject { ["enum"] = new JsonArray(scalar.Allowed.Select(a => (JsonNode)JsonValue.Create(a)!).ToArray()) },
            _ => throw new InvalidOperationException(scalar.Kind.ToString()),
        };
        if (scalar.Kind is ScalarKind.String or ScalarKind.Condition)
        {
            return typed;
        }
        // Any scalar may be written as a ${env:...}/${var:...} reference, resolved at load time.
        return new JsonObject { ["anyOf"] = new JsonArray(typed, new JsonObject { ["type"] = "string", ["pattern"] = @"\$\{(env|var):[^}]+\}" }) };
    }

    private static JsonObject WithRange(JsonObject node, long? min, long? max)
    {
        if (min is not null) node["minimum"] = min;
        if (max is not null) node["maximum"] = max;
        return node;
    }
}
