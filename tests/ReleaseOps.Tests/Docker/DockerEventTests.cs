using ReleaseOps.Docker;
using Xunit;

namespace ReleaseOps.Tests.Docker;

[Collection(DockerCollection.Name)]
public sealed class DockerEventTests(DockerFixture docker)
{
    [Fact]
    public async Task Events_between_two_moments_are_replayed_in_order_and_the_stream_ends()
    {
        var name = DockerFixture.Name("events");
        var since = DateTimeOffset.UtcNow.AddSeconds(-1);
        try
        {
            await docker.RunAsync(new ContainerSpec { Name = name, Image = DockerFixture.Plain, Command = ["/bin/true"] });
            await docker.Client.WaitContainerAsync(name, timeout: TimeSpan.FromSeconds(20));
            var until = DateTimeOffset.UtcNow.AddSeconds(1);

            var events = new List<DockerEvent>();
            await foreach (var item in docker.Client.GetEventsAsync(new DockerEventFilter
            {
                Since = since,
                Until = until,
                Types = ["container"],
                Containers = [name],
            }))
            {
                events.Add(item);
            }
            var actions = events.Select(e => e.Action).ToList();
            Assert.True(actions.IndexOf("create") >= 0 && actions.IndexOf("create") < actions.IndexOf("start")
                && actions.IndexOf("start") < actions.IndexOf("die"), string.Join(",", actions));
            Assert.All(events, e => Assert.Equal(name, e.ActorName));
            var die = events.First(e => e.Action == "die");
            Assert.Equal("0", die.Actor.Attributes["exitCode"]);
            Assert.InRange(die.Time, since, until);
        }
        finally
        {
            await docker.RemoveContainerQuietlyAsync(name);
        }
    }

    [Fact]
    public async Task A_live_stream_delivers_new_events_and_ends_on_cancellation()
    {
        var name = DockerFixture.Name("live");
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var since = DateTimeOffset.UtcNow.AddSeconds(-1);
        try
        {
            var listening = Task.Run(async () =>
            {
                await foreach (var item in docker.Client.GetEventsAsync(new DockerEventFilter
                {
                    Since = since,
                    Actions = ["start"],
                    Labels = new Dictionary<string, string?> { ["ro-dock-live"] = name },
                }, cancel.Token))
                {
                    return item;
                }
                return null;
            });
            await docker.RunAsync(new ContainerSpec
            {
                Name = name,
                Image = DockerFixture.Plain,
                Labels = new Dictionary<string, string> { ["ro-dock-live"] = name },
            });
            var started = await listening;
            Assert.NotNull(started);
            Assert.Equal("start", started.Action);
            Assert.Equal(name, started.ActorName);

            using var quiet = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
            await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
            {
                await foreach (var _ in docker.Client.GetEventsAsync(new DockerEventFilter { Labels = new Dictionary<string, string?> { ["ro-dock-none"] = null } }, quiet.Token))
                {
                }
            });
        }
        finally
        {
            await docker.RemoveContainerQuietlyAsync(name);
        }
    }
}
