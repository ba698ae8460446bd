using ReleaseOps.Errors;
using ReleaseOps.Journal;
using Xunit;

namespace ReleaseOps.Tests.Journal;

/// <summary>
/// The file journal's deploy lock under contention: many rounds of simultaneous deployments of one application, and a
/// lock taken and released over and over while others try. The loser is always DeploymentLocked naming the holder,
/// never an IOException and never "unknown (pid 0)"; the lock file is never seen empty.
/// </summary>
public sealed class LockRaceTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("ro-depl-lockrace-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Of_simultaneous_deployments_one_takes_the_lock_and_every_other_is_refused_naming_it()
    {
        for (var round = 0; round < 50; round++)
        {
            var journal = new FileReleaseJournal(Path.Combine(_dir, $"round-{round}"));
            using var start = new ManualResetEventSlim();
            var racers = Enumerable.Range(0, 8).Select(i => Task.Run(async () =>
            {
                start.Wait();
                return await journal.AcquireLockAsync("shop", "prod", $"release-{i}", breakStale: false, default);
            })).ToArray();
            start.Set();
            var outcomes = await Task.WhenAll(racers.Select(async r =>
            {
                try
                {
                    return (Lock: await r, Error: (Exception?)null);
                }
                catch (Exception ex)
                {
                    return (Lock: (DeployLock?)null, Error: ex);
                }
            }));

            var winner = Assert.Single(outcomes, o => o.Lock is not null).Lock!;
            foreach (var (_, error) in outcomes.Where(o => o.Lock is null))
            {
                var refused = Assert.IsType<ReleaseOpsException>(error);
                Assert.Equal("DeploymentLocked", refused.ErrorId);
                Assert.Contains($"by {Environment.UserName} on {Environment.MachineName} (pid {Environment.ProcessId},", refused.Message);
            }
            Assert.Equal(winner.ReleaseId, (await journal.GetLockAsync("shop", "prod", default))!.ReleaseId);
        }
    }

    [Fact]
    public async Task A_lock_taken_and_released_while_others_try_is_never_held_twice_nor_read_half_written()
    {
        var journal = new FileReleaseJournal(_dir);
        var holders = 0;
        var most = 0;
        var errors = new System.Collections.Concurrent.ConcurrentBag<Exception>();
        var taken = 0;
        await Task.WhenAll(Enumerable.Range(0, 6).Select(i => Task.Run(async () =>
        {
            for (var n = 0; n < 60; n++)
            {
                var id = $"release-{i}-{n}";
                try
                {
                    await journal.AcquireLockAsync("shop", "prod", id, breakStale: false, default);
                }
                catch (Exception ex)
                {
                    errors.Add(ex);
                    continue;
                }
                var now = Interlocked.Increment(ref holders);
                InterlockedMax(ref most, now);
                Interlocked.Increment(ref taken);
                Interlocked.Decrement(ref holders);
                Assert.True(await journal.ReleaseLockAsync("shop", "prod", id, default));
            }
        })));

        Assert.Equal(1, most);
        Assert.True(taken > 0);
        Assert.All(errors, e => Assert.Equal("DeploymentLocked", Assert.IsType<ReleaseOpsException>(e).ErrorId));
        Assert.All(errors, e => Assert.DoesNotContain("nobody", e.Message));
    }

    [Fact]
    public async Task An_empty_lock_file_is_called_what_it_is_and_only_Force_breaks_it()
    {
        var journal = new FileReleaseJournal(_dir);
        var path = Path.Combine(_dir, "shop", "prod", "deploy.lock");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await File.WriteAllTextAsync(path, "");

        var refused = await Assert.ThrowsAsync<ReleaseOpsException>(() => journal.AcquireLockAsync("shop", "prod", "mine", breakStale: false, default));
        Assert.Equal("DeploymentLocked", refused.ErrorId);
        Assert.Contains($"names no holder: the lock file {path} (empty, written ", refused.Message);
        Assert.DoesNotContain("pid 0", refused.Message);
        Assert.DoesNotContain("unknown", refused.Message);
        Assert.Contains("-Force", refused.Fix);

        Assert.Equal("mine", (await journal.AcquireLockAsync("shop", "prod", "mine", breakStale: true, default)).ReleaseId);
    }

    [Fact]
    public async Task A_journal_entry_that_is_JSON_but_not_a_release_is_not_called_invalid_JSON()
    {
        var journal = new FileReleaseJournal(_dir);
        var releases = Path.Combine(_dir, "shop", "prod", "releases");
        Directory.CreateDirectory(releases);
        await File.WriteAllTextAsync(Path.Combine(releases, "x.json"), "{}");

        var error = await Assert.ThrowsAsync<ReleaseOpsException>(() => journal.ListAsync("shop", "prod", default));

        Assert.Equal("JournalCorrupt", error.ErrorId);
        Assert.Contains("is JSON but not a release record", error.Message);
        Assert.DoesNotContain("not valid JSON", error.Message);
        Assert.Contains("required", error.Message); // names what is missing
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int seen;
        while ((seen = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, seen) != seen)
        {
        }
    }
}
