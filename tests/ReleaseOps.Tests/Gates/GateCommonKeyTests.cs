using ReleaseOps.Gates;
using ReleaseOps.Operations;
using Xunit;
using static ReleaseOps.Tests.Gates.GateKit;

namespace ReleaseOps.Tests.Gates;

/// <summary>Keys every gate has, whose effect the selection and report tests did not show on their own.</summary>
[Collection(GateNginxCollection.Name)]
public class GateCommonKeyTests
{
    [Fact]
    public async Task A_category_replaces_the_types_default_in_the_result_and_in_selection()
    {
        var gates = new[]
        {
            Define(("type", "tcp"), ("name", "default-category"), ("host", "127.0.0.1"), ("port", GateNginxFixture.PlainPort)),
            Define(("type", "tcp"), ("name", "own-category"), ("host", "127.0.0.1"), ("port", GateNginxFixture.PlainPort), ("category", "performance")),
        };
        async Task<List<GateResult>> Select(params string[] categories)
        {
            var results = new List<GateResult>();
            await foreach (var r in Runner.RunAsync(gates, GateEnvironment.Default, new GateRunOptions { Selection = new GateSelection { Categories = categories } },
                SilentReporter.Instance, default))
            {
                results.Add(r);
            }
            return results;
        }

        var infrastructure = await Select("infrastructure"); // tcp's default
        Assert.Equal(new[] { "default-category" }, infrastructure.Select(r => r.Name).ToArray());
        var performance = await Select("performance");
        var own = Assert.Single(performance);
        Assert.Equal("own-category", own.Name);
        Assert.Equal("performance", own.Category, ignoreCase: true);
    }
}
