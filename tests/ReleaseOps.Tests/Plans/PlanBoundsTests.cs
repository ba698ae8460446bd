using System.Diagnostics;
using ReleaseOps.Errors;
using ReleaseOps.Plans;
using ReleaseOps.Tests.Support;
using Xunit;

namespace ReleaseOps.Tests.Plans;

/// <summary>
/// A plan's size and shape are bounded, and what is not a file is not read: deep nesting (it overflowed the stack and
/// killed the process, or the operator's PowerShell session), an alias bomb, a huge file, a directory, a device, a FIFO.
/// </summary>
public sealed class PlanBoundsTests : TemporaryDirectory
{
    [Fact]
    public async Task Nesting_deeper_than_the_bound_is_a_diagnostic_at_the_node_that_crosses_it()
    {
        var path = Write("deep.yml", "api_version: releaseops/v1\napplication:\n" + string.Concat(Enumerable.Range(0, 200).Select(i => new string(' ', 2 * i + 2) + "- \n")));
        var flow = Write("flow.yml", "services: " + new string('[', 100_000) + new string(']', 100_000));

        foreach (var file in new[] { path, flow })
        {
            var validation = await ReleasePlanLoader.ValidateAsync(file);
            var problem = Assert.Single(validation.Errors);
            Assert.Equal("MalformedYaml", problem.Code);
            Assert.Contains($"nesting deeper than {ReleasePlanLoader.MaxDepth} levels", problem.Message);
            Assert.Matches($@"^{System.Text.RegularExpressions.Regex.Escape(file)}:\d+:\d+: ", problem.ToString());
        }
    }

    [Fact]
    public async Task An_alias_bomb_is_refused_by_what_it_would_expand_to()
    {
        var text = new System.Text.StringBuilder("api_version: releaseops/v1\na0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for (var i = 1; i < 9; i++) text.Append($"a{i}: &a{i} [{string.Join(", ", Enumerable.Repeat($"*a{i - 1}", 10))}]\n");
        var validation = await ReleasePlanLoader.ValidateAsync(Write("bomb.yml", text.ToString()));

        var problem = Assert.Single(validation.Errors);
        Assert.Contains($"more than {ReleasePlanLoader.MaxNodes} values (aliases counted at each use)", problem.Message);
        Assert.Equal(6, problem.Line); // a4: 10 uses of a3 (11,111 values each) cross 100,000
    }

    [Fact]
    public async Task A_plan_larger_than_the_bound_is_refused_at_1_1_having_read_no_more_than_the_bound()
    {
        var validation = await ReleasePlanLoader.ValidateAsync(Write("huge.yml", "api_version: releaseops/v1\n# " + new string('x', ReleasePlanLoader.MaxPlanBytes)));

        var problem = Assert.Single(validation.Errors);
        Assert.Equal(("PlanTooLarge", 1, 1), (problem.Code, problem.Line, problem.Column));
        Assert.Equal("PlanTooLarge", Assert.Single(ReleasePlanLoader.Validate(new string('#', ReleasePlanLoader.MaxPlanBytes + 1), "text.yml").Errors).Code);
    }

    [Fact]
    public async Task What_is_not_a_file_is_refused_without_being_read_and_a_directory_is_not_access_denied()
    {
        var fifo = Path.Combine(Directory, "fifo");
        using (var mkfifo = Process.Start("mkfifo", fifo)!) mkfifo.WaitForExit();

        foreach (var (path, said) in new[] { (Directory, "a directory"), ("/dev/null", "a device"), ("/dev/zero", "a device"), (fifo, "a FIFO (named pipe)") })
        {
            // A FIFO would block the open until a writer comes; a device would be read for ever.
            var error = await Assert.ThrowsAsync<ReleaseOpsException>(() => ReleasePlanLoader.ValidateAsync(path).WaitAsync(TimeSpan.FromSeconds(30)));
            Assert.Equal("PlanNotAFile", error.ErrorId);
            Assert.Equal(FailureKind.InvalidArgument, error.Kind);
            Assert.Equal($"Release plan {path} is {said}, not a file; nothing was read.", error.Message);
        }
        var empty = await Assert.ThrowsAsync<ReleaseOpsException>(() => ReleasePlanLoader.ValidateAsync(""));
        Assert.Equal(("PlanNotFound", "No release plan was named (the path is empty)."), (empty.ErrorId, empty.Message));
    }
}
