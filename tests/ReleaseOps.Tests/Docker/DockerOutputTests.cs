using ReleaseOps.Docker;
using ReleaseOps.Errors;
using ReleaseOps.Secrets;
using ReleaseOps.Tests.Support;
using Xunit;

namespace ReleaseOps.Tests.Docker;

[Collection(DockerCollection.Name)]
public sealed class DockerOutputTests(DockerFixture docker)
{
    private DockerClient Client => docker.Client;

    [Fact]
    public async Task Logs_are_split_into_stdout_and_stderr_lines_and_tail_keeps_the_last()
    {
        var name = DockerFixture.Name("logs");
        try
        {
            await docker.RunAsync(new ContainerSpec
            {
                Name = name,
                Image = DockerFixture.Plain,
                // stdout and stderr are logged by separate copiers: keep stderr well before the tail so the order is fixed.
                Command = ["/bin/sh", "-c", "echo err1 >&2; sleep 0.3; for i in 1 2 3 4 5; do echo out$i; done; echo out6; echo -n last"],
            });
            Assert.Equal(0, (await Client.WaitContainerAsync(name, timeout: TimeSpan.FromSeconds(20))).StatusCode);

            var lines = await ToListAsync(Client.GetContainerLogsAsync(name));
            Assert.Equal(["out1", "out2", "out3", "out4", "out5", "out6", "last"],
                lines.Where(l => l.Stream == DockerOutputStream.Stdout).Select(l => l.Text));
            Assert.Equal(["err1"], lines.Where(l => l.Stream == DockerOutputStream.Stderr).Select(l => l.Text));

            var tail = await ToListAsync(Client.GetContainerLogsAsync(name, new ContainerLogOptions { Tail = 2, Timestamps = true }));
            Assert.Equal(["out6", "last"], tail.Select(l => l.Text));
            Assert.All(tail, l => Assert.True(l.Timestamp > DateTimeOffset.UtcNow.AddMinutes(-5), $"timestamp {l.Timestamp}"));

            var stderrOnly = await ToListAsync(Client.GetContainerLogsAsync(name, new ContainerLogOptions { Stdout = false }));
            Assert.Equal("err1", Assert.Single(stderrOnly).Text);
        }
        finally
        {
            await docker.RemoveContainerQuietlyAsync(name);
        }
    }

    [Fact]
    public async Task Followed_logs_arrive_as_written_and_end_when_the_container_stops_and_tty_logs_are_raw()
    {
        var name = DockerFixture.Name("follow");
        try
        {
            await docker.RunAsync(new ContainerSpec
            {
                Name = name,
                Image = DockerFixture.Plain,
                Tty = true,
                Command = ["/bin/sh", "-c", "echo first; sleep 1; echo second"],
            });
            using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            var seen = new List<string>();
            await foreach (var line in Client.GetContainerLogsAsync(name, new ContainerLogOptions { Follow = true }, cancel.Token))
            {
                seen.Add(line.Text);
            }
            Assert.Equal(["first", "second"], seen);
            Assert.False(cancel.IsCancellationRequested);
        }
        finally
        {
            await docker.RemoveContainerQuietlyAsync(name);
        }
    }

    [Fact]
    public async Task Following_a_running_container_stops_when_the_caller_cancels()
    {
        var web = await docker.SharedWebAsync();
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(500));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var _ in Client.GetContainerLogsAsync(web.Name, new ContainerLogOptions { Follow = true }, cancel.Token))
            {
            }
        });
    }

    [Fact]
    public async Task Stats_give_cpu_and_memory_against_the_limit()
    {
        var web = await docker.SharedWebAsync();
        var stats = await Client.GetContainerStatsAsync(web.Name);
        Assert.Equal(web.Name, stats.Name);
        Assert.Equal(64L * 1024 * 1024, stats.MemoryLimit);
        Assert.InRange(stats.MemoryUsage, 1, stats.MemoryLimit);
        Assert.InRange(stats.MemoryPercent, 0.0001, 100);
        Assert.Equal(stats.MemoryUsage * 100.0 / stats.MemoryLimit, stats.MemoryPercent, 6);
        Assert.InRange(stats.CpuPercent, 0, 100.0 * Environment.ProcessorCount);
        Assert.True(stats.OnlineCpus >= 1);
        Assert.True(stats.Pids >= 1);
        Assert.True(stats.Read > DateTimeOffset.UtcNow.AddMinutes(-5));
    }

    [Fact]
    public async Task Exec_captures_stdout_stderr_and_the_exit_code()
    {
        var web = await docker.SharedWebAsync();
        var result = await Client.RunExecAsync(web.Name, new ExecSpec
        {
            Command = ["/bin/sh", "-c", "echo hello; echo oops >&2; cat /www/version; exit 7"],
            Env = new Dictionary<string, string> { ["GREETING"] = "hi" },
        }, TimeSpan.FromSeconds(20));
        Assert.Equal(7, result.ExitCode);
        Assert.False(result.Succeeded);
        Assert.Equal("hello\nv1\n", result.Stdout);
        Assert.Equal("oops\n", result.Stderr);
        Assert.False(result.OutputTruncated);

        var user = await Client.RunExecAsync(web.Name, new ExecSpec { Command = ["/bin/id", "-u"], User = "10001" }, TimeSpan.FromSeconds(20));
        Assert.Equal("10001", user.Stdout.Trim());
        Assert.True(user.Succeeded);
    }

    [Fact]
    public async Task Exec_output_beyond_the_cap_is_cut_and_flagged()
    {
        var web = await docker.SharedWebAsync();
        var result = await Client.RunExecAsync(web.Name, new ExecSpec
        {
            Command = ["/bin/sh", "-c", "i=0; while [ $i -lt 2000 ]; do echo 0123456789; i=$((i+1)); done"],
        }, TimeSpan.FromSeconds(20), maxOutputBytes: 1000);
        Assert.Equal(0, result.ExitCode);
        Assert.True(result.OutputTruncated);
        Assert.Equal(1000, result.Stdout.Length);
    }

    [Fact]
    public async Task Exec_past_its_timeout_is_a_typed_timeout()
    {
        var web = await docker.SharedWebAsync();
        var error = await Assert.ThrowsAsync<ReleaseOpsException>(() =>
            Client.RunExecAsync(web.Name, new ExecSpec { Command = ["/bin/sleep", "3"] }, TimeSpan.FromMilliseconds(400)));
        Assert.Equal(DockerErrorIds.ExecTimeout, error.ErrorId);
        Assert.Equal(FailureKind.Timeout, error.Kind);
        Assert.Contains(web.Name, error.Message);
    }

    [Fact]
    public async Task Exec_secret_environment_reaches_the_process_but_no_record_or_error()
    {
        var web = await docker.SharedWebAsync();
        var canary = CanarySecret.New();
        var spec = new ExecSpec
        {
            Command = ["/bin/sh", "-c", "test \"$TOKEN\" = \"$EXPECTED\" && echo match"],
            Env = new Dictionary<string, string> { ["EXPECTED"] = canary },
            SecretEnv = new Dictionary<string, SecretValue> { ["TOKEN"] = new(canary) },
        };
        var result = await Client.RunExecAsync(web.Name, spec, TimeSpan.FromSeconds(20));
        Assert.Equal("match", result.Stdout.Trim());
        CanarySecret.AssertAbsent(canary, [result.ToString(), spec.SecretEnv["TOKEN"].ToString()], "exec result");

        var name = DockerFixture.Name("secretenv");
        try
        {
            await Client.CreateContainerAsync(new ContainerSpec
            {
                Name = name,
                Image = DockerFixture.Plain,
                SecretEnv = new Dictionary<string, SecretValue> { ["DB_PASSWORD"] = new(canary) },
            });
            var details = await Client.InspectContainerAsync(name);
            Assert.Contains("DB_PASSWORD", details.Config.EnvironmentNames);
            CanarySecret.AssertAbsent(canary, [details.ToString(), details.Config.ToString(),
                System.Text.Json.JsonSerializer.Serialize(details)], "container details");
        }
        finally
        {
            await docker.RemoveContainerQuietlyAsync(name);
        }
    }

    [Fact]
    public async Task Exec_in_a_stopped_container_is_a_conflict()
    {
        var name = DockerFixture.Name("stopped");
        try
        {
            await Client.CreateContainerAsync(new ContainerSpec { Name = name, Image = DockerFixture.Plain });
            var error = await Assert.ThrowsAsync<ReleaseOpsException>(() =>
                Client.RunExecAsync(name, new ExecSpec { Command = ["/bin/true"] }, TimeSpan.FromSeconds(5)));
            Assert.Equal(DockerErrorIds.Conflict, error.ErrorId);
            Assert.Contains("not running", error.Message);
        }
        finally
        {
            await docker.RemoveContainerQuietlyAsync(name);
        }
    }

    private static async Task<List<T>> ToListAsync<T>(IAsyncEnumerable<T> source)
    {
        var list = new List<T>();
        await foreach (var item in source)
        {
            list.Add(item);
        }
        return list;
    }
}
