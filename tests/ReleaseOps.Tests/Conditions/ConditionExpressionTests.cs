using ReleaseOps.Conditions;
using ReleaseOps.Errors;
using Xunit;

namespace ReleaseOps.Tests.Conditions;

public class ConditionExpressionTests
{
    private static readonly ConditionValues Observed = new ConditionValues()
        .Set("status", 200)
        .Set("response_time", TimeSpan.FromMilliseconds(812))
        .Set("body", "{\"status\":\"UP\",\"version\":\"v2.3\"}")
        .Set("json.status", "UP")
        .Set("json.items[0].id", 7)
        .Set("header.content-type", "application/json; charset=utf-8")
        .Set("header.content-length", "1500")
        .Set("cert_expiry", TimeSpan.FromDays(4.5))
        .Set("error_rate", ConditionValue.Ratio(0.02))
        .Set("memory_percent", 73.2)
        .Set("image_size", ConditionValue.Size(312_400_000))
        .Set("healthy", true)
        .Set("tags", new[] { "blue", "green" });

    [Theory]
    [InlineData("status == 200", true)]
    [InlineData("status != 200", false)]
    [InlineData("status in [200, 204]", true)]
    [InlineData("status not in [500, 502, 503]", true)]
    [InlineData("status == \"200\"", true)]
    [InlineData("response_time < 500ms", false)]
    [InlineData("response_time <= 1s", true)]
    [InlineData("response_time > 0.5s and response_time < 1s", true)]
    [InlineData("json.status == \"UP\"", true)]
    [InlineData("json.status == 'DOWN'", false)]
    [InlineData("json.items[0].id >= 7", true)]
    [InlineData("header.content-type contains \"json\"", true)]
    [InlineData("header.content-length < 2KB", true)]
    [InlineData("header.content-length > 1000", true)]
    [InlineData("body matches \"v[0-9]+\\.[0-9]+\"", true)]
    [InlineData("body matches 'v\\d+\\.\\d+'", true)]
    [InlineData("cert_expiry > 30d", false)]
    [InlineData("cert_expiry > 4d", true)]
    [InlineData("error_rate < 5%", true)]
    [InlineData("error_rate < 1.5%", false)]
    [InlineData("memory_percent < 80%", true)]
    [InlineData("memory_percent < 80", true)]
    [InlineData("image_size < 300MB", false)]
    [InlineData("image_size < 300MiB", true)]
    [InlineData("healthy", true)]
    [InlineData("not healthy", false)]
    [InlineData("healthy == true", true)]
    [InlineData("tags contains \"green\"", true)]
    [InlineData("header.x-request-id exists", false)]
    [InlineData("header.x-request-id not exists", true)]
    [InlineData("header.content-type exists", true)]
    [InlineData("status == 500 or json.status == \"UP\"", true)]
    [InlineData("not (status == 500 or json.status == \"DOWN\")", true)]
    [InlineData("status == 200 and (response_time < 500ms or json.status == \"UP\")", true)]
    [InlineData("status == 200 AND response_time < 500ms", false)]
    [InlineData("status==200&&json.status=='UP'", true)]
    [InlineData("-1 < 0", true)]
    public void Evaluates_against_named_values(string text, bool expected)
    {
        var outcome = ConditionExpression.Parse(text).Evaluate(Observed);
        Assert.True(expected == outcome.Passed, $"{text}: {outcome.Message}");
    }

    [Fact]
    public void The_message_states_the_observed_value_against_the_expectation()
    {
        var outcome = ConditionExpression.Parse("response_time < 500ms").Evaluate(Observed);

        Assert.False(outcome.Passed);
        Assert.Equal("812ms", outcome.Observed);
        Assert.Equal("response_time 812ms is not < 500ms", outcome.Message);
        Assert.Null(outcome.Problem);

        var expiry = ConditionExpression.Parse("cert_expiry > 30d").Evaluate(Observed);
        Assert.Equal("cert_expiry 4.5d is not > 30d", expiry.Message);

        var passed = ConditionExpression.Parse("status == 200 and error_rate < 5%").Evaluate(Observed);
        Assert.Equal("status 200 == 200 and error_rate 2% < 5%", passed.Message);
    }

    [Fact]
    public void A_missing_value_fails_with_a_problem_and_negation_does_not_turn_it_into_a_pass()
    {
        var outcome = ConditionExpression.Parse("not (json.version == \"v3\")").Evaluate(Observed);

        Assert.False(outcome.Passed);
        Assert.Equal("json.version has no value", outcome.Problem);
        Assert.Contains("json.version has no value (expected == \"v3\")", outcome.Message);
    }

    [Theory]
    [InlineData("response_time < 500", "does not compare")]
    [InlineData("cert_expiry > 5%", "does not compare")]
    [InlineData("healthy > 3", "does not compare")]
    public void Values_whose_units_do_not_compare_fail_with_a_problem(string text, string expected)
    {
        var outcome = ConditionExpression.Parse(text).Evaluate(Observed);

        Assert.False(outcome.Passed);
        Assert.NotNull(outcome.Problem);
        Assert.Contains(expected, outcome.Message);
    }

    [Theory]
    [InlineData("", 0, "expected a condition")]
    [InlineData("status = 200", 7, "'=='")]
    [InlineData("status == ", 10, "expected a name")]
    [InlineData("status ==== 200", 9, "expected a name")]
    [InlineData("response_time < 500xs", 19, "'xs' is not one")]
    [InlineData("json.status == \"UP", 15, "closing \"")]
    [InlineData("status in [200, 204", 19, "expected ']'")]
    [InlineData("status in 200", 10, "expected '['")]
    [InlineData("(status == 200", 14, "expected ')'")]
    [InlineData("status == 200 200", 14, "expected an operator")]
    [InlineData("body matches \"[unclosed\"", 13, "regular expression")]
    [InlineData("status == and", 10, "keyword 'and'")]
    [InlineData("200", 3, "expected an operator")]
    [InlineData("status == 200 or", 16, "the text ended")]
    public void Syntax_errors_give_the_offset_and_what_was_expected(string text, int offset, string expected)
    {
        Assert.False(ConditionExpression.TryParse(text, out var expression, out var error));
        Assert.Null(expression);
        Assert.NotNull(error);
        Assert.Equal(offset, error!.Offset);
        Assert.Contains(expected, error.Message);

        var ex = Assert.Throws<ConditionSyntaxException>(() => ConditionExpression.Parse(text));
        Assert.IsAssignableFrom<ReleaseOpsException>(ex);
        Assert.Equal(FailureKind.InvalidConfiguration, ex.Kind);
        Assert.Equal("ConditionSyntaxError", ex.ErrorId);
        Assert.Equal(error, ex.Error);
        Assert.Contains($"column {offset + 1}", ex.Message);
        Assert.NotNull(ex.Fix);
    }

    [Fact]
    public void Names_lists_every_value_the_condition_reads()
    {
        var expression = ConditionExpression.Parse("status in [200, 204] and (json.status == \"UP\" or not header.x-ready exists) and status < 300");

        Assert.Equal(new[] { "status", "json.status", "header.x-ready" }, expression.Names);
        Assert.Equal("status in [200, 204] and (json.status == \"UP\" or not header.x-ready exists) and status < 300", expression.ToString());
    }

    [Fact]
    public void A_resolver_supplies_dynamic_names_and_one_parse_serves_many_evaluations()
    {
        var expression = ConditionExpression.Parse("p95 < 800ms and error_rate < 5%");
        var samples = new[] { (600, 0.01, true), (900, 0.01, false), (600, 0.2, false) };

        foreach (var (p95, rate, expected) in samples)
        {
            var values = new ConditionValues().AddResolver(name => name switch
            {
                "p95" => ConditionValue.Duration(TimeSpan.FromMilliseconds(p95)),
                "error_rate" => ConditionValue.Ratio(rate),
                _ => null,
            });
            Assert.Equal(expected, expression.Evaluate(values).Passed);
        }
    }
}
