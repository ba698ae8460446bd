using ReleaseOps.Plans;
using Xunit;

namespace ReleaseOps.Tests.Plans;

/// <summary>Durations as operators write them, and as messages show them.</summary>
public class DurationTextTests
{
    [Theory]
    [InlineData("500ms", 0, 0, 0, 500)]
    [InlineData("90s", 0, 1, 30, 0)]
    [InlineData("5m", 0, 5, 0, 0)]
    [InlineData("1h30m", 1, 30, 0, 0)]
    [InlineData("1.5s", 0, 0, 1, 500)]
    public void Parses_numbers_with_units(string text, int hours, int minutes, int seconds, int milliseconds)
    {
        Assert.True(DurationText.TryParse(text, out var duration));
        Assert.Equal(new TimeSpan(0, hours, minutes, seconds, milliseconds), duration);
    }

    [Theory]
    [InlineData("5")]
    [InlineData("5 s")]
    [InlineData("00:00:05")]
    [InlineData("soon")]
    public void Refuses_text_without_a_unit(string text) => Assert.False(DurationText.TryParse(text, out _));

    [Fact]
    public void Formats_the_shortest_text_that_reads_back_the_same_value()
    {
        foreach (var value in new[] { TimeSpan.FromDays(30), TimeSpan.FromSeconds(90), TimeSpan.FromMilliseconds(1500), TimeSpan.FromTicks(5) })
        {
            var text = DurationText.Format(value);
            Assert.True(DurationText.TryParse(text, out var back), $"'{text}' does not parse");
            Assert.Equal(value, back);
        }
        Assert.Equal("30d", DurationText.Format(TimeSpan.FromDays(30)));
        Assert.Equal("1m30s", DurationText.Format(TimeSpan.FromSeconds(90)));
        // A TimeSpan made from ticks (what -Timeout 5 used to be) still reads as a duration, not as nothing.
        Assert.Equal("0.0005ms", DurationText.Format(TimeSpan.FromTicks(5)));
        Assert.Equal("-2s", DurationText.Format(TimeSpan.FromSeconds(-2)));
    }
}
