using System.Reflection;
using Xunit;

namespace ReleaseOps.Tests.Plans.Keys;

/// <summary>
/// The rule "documented means working", enforced: every key of the plan schema either has a test that shows its effect
/// (named in <see cref="KeyEffects.Registry"/>) or is refused by validation with a message that says why
/// (<see cref="ReleaseOps.Plans.Schema.Property.Refused"/>). Adding a key to the schema without either fails here.
/// </summary>
public class KeyRuleTests
{
    [Fact]
    public void Every_schema_key_has_an_effect_test_or_is_refused()
    {
        var missing = SchemaKeys.All()
            .Where(k => k.Property?.Refused is null && !KeyEffects.Registry.ContainsKey(k.Path))
            .Select(k => k.Path).ToArray();
        Assert.True(missing.Length == 0,
            $"{missing.Length} plan key(s) have neither an effect test in KeyEffects.Registry nor a refusal (Shapes.Refused) in the schema:\n  " +
            string.Join("\n  ", missing));
    }

    [Fact]
    public void Every_named_effect_test_exists_and_runs()
    {
        var tests = typeof(KeyRuleTests).Assembly.GetTypes()
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly)
                .Where(m => m.GetCustomAttributes<FactAttribute>(inherit: true).Any(a => a.Skip is null))
                .Select(m => $"{t.Name}.{m.Name}"))
            .ToHashSet(StringComparer.Ordinal);
        var wrong = KeyEffects.Registry
            .SelectMany(kv => kv.Value.DefaultIfEmpty("(none)").Where(name => !tests.Contains(name)).Select(name => $"{kv.Key}: {name}"))
            .ToArray();
        Assert.True(wrong.Length == 0, "effect tests that are not (unskipped) test methods of this project:\n  " + string.Join("\n  ", wrong));
    }

    [Fact]
    public void The_registry_names_only_keys_of_the_schema_and_none_that_is_refused()
    {
        var keys = SchemaKeys.All().ToDictionary(k => k.Path);
        var stale = KeyEffects.Registry.Keys.Where(k => !keys.ContainsKey(k)).ToArray();
        Assert.True(stale.Length == 0, "registry entries for keys the schema does not have:\n  " + string.Join("\n  ", stale));
        var refused = KeyEffects.Registry.Keys.Where(k => keys[k].Property?.Refused is not null).ToArray();
        Assert.True(refused.Length == 0, "keys both refused and registered with an effect:\n  " + string.Join("\n  ", refused));
    }
}
