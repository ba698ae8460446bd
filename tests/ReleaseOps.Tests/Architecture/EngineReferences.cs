using System.Reflection;
using System.Reflection.Emit;

namespace ReleaseOps.Tests.Architecture;

/// <summary>One folder of the engine using another: <see cref="Example"/> names a member that does it.</summary>
public sealed record FolderReference(string From, string To, string Example);

/// <summary>
/// Which engine folder uses which, read from the compiled assembly: every type's base type,
/// interfaces, attributes, fields, properties, method signatures and locals, and every type, method
/// and field token in the method bodies' IL (so a call inside a lambda or an async method counts
/// too: the compiler nests those types in the type that wrote them). A folder is the namespace
/// below <c>ReleaseOps</c> (<c>ReleaseOps.Gates.Checks</c> is <c>Gates</c>); under
/// <c>Infrastructure</c> it is the sub-folder (<c>Infrastructure/Http</c>).
/// </summary>
public static class EngineReferences
{
    private const BindingFlags Declared =
        BindingFlags.DeclaredOnly | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static;

    private static readonly Dictionary<short, OpCode> OpCodesByValue = typeof(OpCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (OpCode)f.GetValue(null)!)
        .ToDictionary(o => o.Value);

    /// <summary>The engine folder a type belongs to, or null for types outside the engine's folders.</summary>
    public static string? FolderOf(Type type)
    {
        while (type.HasElementType)
        {
            type = type.GetElementType()!;
        }
        var ns = type.Namespace;
        if (type.IsGenericParameter || ns is null || !ns.StartsWith("ReleaseOps.", StringComparison.Ordinal)
            || type.Assembly.GetName().Name != "ReleaseOps")
        {
            return null;
        }
        var parts = ns.Split('.');
        return parts[1] == "Infrastructure" && parts.Length > 2 ? "Infrastructure/" + parts[2] : parts[1];
    }

    /// <summary>Every folder-to-folder use in <paramref name="assembly"/>, one example each.</summary>
    public static IReadOnlyList<FolderReference> Scan(Assembly assembly)
    {
        var found = new Dictionary<(string, string), string>();
        foreach (var type in assembly.GetTypes())
        {
            if (FolderOf(type) is not { } from)
            {
                continue;
            }
            void Use(Type? used, string where)
            {
                foreach (var target in Expand(used))
                {
                    if (FolderOf(target) is { } to && to != from)
                    {
                        found.TryAdd((from, to), $"{Name(type)}{where} uses {Name(target)}");
                    }
                }
            }
            Use(type.BaseType, " (base type)");
            foreach (var face in type.GetInterfaces())
            {
                Use(face, " (interface)");
            }
            foreach (var attribute in type.GetCustomAttributesData())
            {
                Use(attribute.AttributeType, " (attribute)");
            }
            foreach (var field in type.GetFields(Declared))
            {
                Use(field.FieldType, "." + field.Name);
            }
            foreach (var property in type.GetProperties(Declared))
            {
                Use(property.PropertyType, "." + property.Name);
            }
            foreach (var method in type.GetMethods(Declared).Cast<MethodBase>().Concat(type.GetConstructors(Declared)))
            {
                var where = "." + method.Name;
                if (method is MethodInfo info)
                {
                    Use(info.ReturnType, where);
                }
                foreach (var parameter in method.GetParameters())
                {
                    Use(parameter.ParameterType, where);
                }
                var body = method.GetMethodBody();
                if (body is null)
                {
                    continue;
                }
                foreach (var local in body.LocalVariables)
                {
                    Use(local.LocalType, where);
                }
                foreach (var used in TokensIn(method, body.GetILAsByteArray() ?? []))
                {
                    Use(used, where);
                }
            }
        }
        return found.Select(kv => new FolderReference(kv.Key.Item1, kv.Key.Item2, kv.Value))
            .OrderBy(r => r.From, StringComparer.Ordinal).ThenBy(r => r.To, StringComparer.Ordinal).ToArray();
    }

    /// <summary>The types a method body names through type, method, field and token operands.</summary>
    private static IEnumerable<Type> TokensIn(MethodBase method, byte[] il)
    {
        var typeArguments = method.DeclaringType is { IsGenericType: true } owner ? owner.GetGenericArguments() : null;
        var methodArguments = method.IsGenericMethod ? method.GetGenericArguments() : null;
        var at = 0;
        while (at < il.Length)
        {
            short value = il[at++];
            if (value == 0xFE)
            {
                value = (short)(0xFE00 | il[at++]);
            }
            var code = OpCodesByValue[value];
            switch (code.OperandType)
            {
                case OperandType.InlineMethod or OperandType.InlineField or OperandType.InlineType or OperandType.InlineTok:
                    var member = method.Module.ResolveMember(BitConverter.ToInt32(il, at), typeArguments, methodArguments);
                    switch (member)
                    {
                        case Type type:
                            yield return type;
                            break;
                        case MethodInfo called:
                            yield return called.DeclaringType!;
                            yield return called.ReturnType;
                            foreach (var argument in called.IsGenericMethod ? called.GetGenericArguments() : [])
                            {
                                yield return argument;
                            }
                            break;
                        case MemberInfo other:
                            yield return other.DeclaringType!;
                            if (other is FieldInfo field)
                            {
                                yield return field.FieldType;
                            }
                            break;
                    }
                    at += 4;
                    break;
                case OperandType.InlineSwitch:
                    at += 4 + 4 * BitConverter.ToInt32(il, at);
                    break;
                default:
                    at += OperandSize(code.OperandType);
                    break;
            }
        }
    }

    private static int OperandSize(OperandType operand) => operand switch
    {
        OperandType.InlineNone => 0,
        OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar => 1,
        OperandType.InlineVar => 2,
        OperandType.InlineI8 or OperandType.InlineR => 8,
        _ => 4,
    };

    /// <summary>A type with its element type and generic arguments, recursively.</summary>
    private static IEnumerable<Type> Expand(Type? type)
    {
        if (type is null)
        {
            yield break;
        }
        yield return type;
        if (type.HasElementType)
        {
            foreach (var inner in Expand(type.GetElementType()))
            {
                yield return inner;
            }
        }
        if (type.IsGenericType)
        {
            foreach (var argument in type.GetGenericArguments())
            {
                foreach (var inner in Expand(argument))
                {
                    yield return inner;
                }
            }
        }
    }

    private static string Name(Type type)
    {
        var outer = type;
        while (outer.DeclaringType is { } declaring)
        {
            outer = declaring;
        }
        return outer.FullName ?? outer.Name;
    }
}
