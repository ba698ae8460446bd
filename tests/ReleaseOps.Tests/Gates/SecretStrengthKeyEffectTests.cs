using ReleaseOps.Gates;
using ReleaseOps.Plans;
using ReleaseOps.Secrets;
using Xunit;
using static ReleaseOps.Tests.Gates.GateKit;

namespace ReleaseOps.Tests.Gates;

/// <summary>min_classes of the secret-strength gate: the same secret fails the default of 3 classes and passes a floor of 1.</summary>
public class SecretStrengthKeyEffectTests
{
    [Fact]
    public async Task Min_classes_decides_how_many_character_classes_a_secret_needs()
    {
        var environment = new GateEnvironment
        {
            Secrets = SecretCatalog.Empty.With(new GivenSecretSource("lower_only", new SecretValue("abcdefghijklmnopqrstuvwxyz"))),
        };
        var byDefault = await Run(environment, ("type", "secret-strength"), ("secrets", "lower_only"));
        Assert.Equal(GateStatus.Failed, byDefault.Status);
        Assert.Contains("lower_only is weak: 1 character class(es) (lower), fewer than 3", byDefault.Message);
        var two = await Run(environment, ("type", "secret-strength"), ("secrets", "lower_only"), ("min_classes", 2));
        Assert.Contains("fewer than 2", two.Message);
        var one = await Run(environment, ("type", "secret-strength"), ("secrets", "lower_only"), ("min_classes", 1));
        Assert.True(one.Status == GateStatus.Passed, Explain(one));
    }
}
