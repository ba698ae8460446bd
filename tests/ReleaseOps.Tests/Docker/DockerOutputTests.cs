using Docker.DotNet.Models;
using ReleaseOps.Docker;
using Xunit;

namespace ReleaseOps.Tests.Docker;

[Collection(DockerCollection.Name)]
public sealed class DockerOutputTests(DockerFixture docker)
{
    private DockerEngine Client => docker.Client;

    [Fact]
    public async Task Output_holds_stdout_and_stderr_and_tail_keeps_the_last_lines()
    {
        var name = DockerFixture.Name("logs");
        var tty = DockerFixture.Name("logs-tty");
        try
        {
            // stdout and stderr are logged by separate copiers: keep stderr well before the tail so the order is fixed.
            await Client.RunAsync(TestContainers.Spec(name, DockerFixture.Plain,
                command: ["/bin/sh", "-c", "echo err1 >&2; sleep 0.3; for i in 1 2 3 4 5; do echo out$i; done; echo out6; echo -n last"]));
            Assert.Equal(0, await Client.WaitContainerAsync(name, TimeSpan.FromSeconds(20)));

            var all = await Client.GetContainerOutputAsync(name, tail: 200);
            Assert.Equal("err1\nout1\nout2\nout3\nout4\nout5\nout6\nlast", all);
            Assert.Equal("out6\nlast", await Client.GetContainerOutputAsync(name, tail: 2));

            // A terminal's output is one raw stream, not frames.
            var spec = TestContainers.Spec(tty, DockerFixture.Plain, command: ["/bin/sh", "-c", "echo first; echo second"]);
            spec.Tty = true;
            await Client.RunAsync(spec);
            Assert.Equal(0, await Client.WaitContainerAsync(tty, TimeSpan.FromSeconds(20)));
            Assert.Equal("first\r\nsecond\r\n", await Client.GetContainerOutputAsync(tty, tail: 200));
        }
        finally
        {
            await Client.RemoveQuietlyAsync(name);
            await Client.RemoveQuietlyAsync(tty);
        }
    }

    [Fact]
    public async Task Resource_use_gives_cpu_and_memory_against_the_limit()
    {
        var web = await docker.SharedWebAsync();
        var use = await Client.GetResourceUseAsync(web.Name);
        Assert.Equal(64L * 1024 * 1024, use.MemoryLimit);
        Assert.InRange(use.MemoryUsage, 1, use.MemoryLimit);
        Assert.InRange(use.MemoryPercent, 0.0001, 100);
        Assert.Equal(use.MemoryUsage * 100.0 / use.MemoryLimit, use.MemoryPercent, 6);
        Assert.InRange(use.CpuPercent, 0, 100.0 * Environment.ProcessorCount);
        Assert.True(use.OnlineCpus >= 1);
    }

    [Fact]
    public void Cpu_percent_is_the_share_of_host_cpu_time_times_the_online_cpus_and_memory_leaves_out_the_page_cache()
    {
        var stats = new ContainerStatsResponse
        {
            // 0.5 s of container CPU time in 2 s of host CPU time (all cores) on 4 cores: one core busy = 100 %.
            PreCPUStats = new CPUStats { CPUUsage = new CPUUsage { TotalUsage = 1_000_000_000 }, SystemUsage = 10_000_000_000 },
            CPUStats = new CPUStats { CPUUsage = new CPUUsage { TotalUsage = 1_500_000_000 }, SystemUsage = 12_000_000_000, OnlineCPUs = 4 },
            MemoryStats = new MemoryStats
            {
                Usage = 60 * 1024 * 1024,
                Limit = 100 * 1024 * 1024,
                Stats = new Dictionary<string, ulong> { ["inactive_file"] = 10 * 1024 * 1024 },
            },
        };
        var use = ContainerResourceUse.From(stats);
        Assert.Equal(100.0, use.CpuPercent, 6);
        Assert.Equal(4, use.OnlineCpus);
        Assert.Equal(50L * 1024 * 1024, use.MemoryUsage);
        Assert.Equal(50.0, use.MemoryPercent, 6);

        // cgroup v1 names the cache total_inactive_file; without online_cpus the per-CPU list counts the cores.
        stats.MemoryStats.Stats = new Dictionary<string, ulong> { ["total_inactive_file"] = 20 * 1024 * 1024 };
        stats.CPUStats.OnlineCPUs = null;
        stats.CPUStats.CPUUsage.PercpuUsage = [1, 2];
        var v1 = ContainerResourceUse.From(stats);
        Assert.Equal(40.0, v1.MemoryPercent, 6);
        Assert.Equal(2, v1.OnlineCpus);
        Assert.Equal(50.0, v1.CpuPercent, 6);

        // No host CPU time between the samples (or no memory figures): 0 %, never a division by zero.
        var idle = ContainerResourceUse.From(new ContainerStatsResponse { CPUStats = stats.CPUStats, PreCPUStats = stats.CPUStats });
        Assert.Equal(0.0, idle.CpuPercent);
        Assert.Equal(0.0, idle.MemoryPercent);
    }
}
