using Npgsql;
using ReleaseOps.Journal;
using Xunit;

namespace ReleaseOps.Tests.Journal;

/// <summary>The tamper-evident chain, the same for both stores: each test tampers with the store the way someone with write access could.</summary>
public abstract class JournalChainContract
{
    protected abstract IReleaseJournal Journal { get; }

    /// <summary>Rewrites the stored text of entry <paramref name="sequence"/>.</summary>
    protected abstract Task EditEntryAsync(string app, long sequence, Func<string, string> change);

    protected abstract Task RemoveEntryAsync(string app, long sequence);

    /// <summary>Exchanges the stored texts of two entries (their positions stay).</summary>
    protected abstract Task SwapEntriesAsync(string app, long first, long second);

    /// <summary>Rewrites a release's document outside the chain.</summary>
    protected abstract Task EditReleaseDocumentAsync(string app, string releaseId, Func<string, string> change);

    protected abstract Task RemoveReleaseDocumentAsync(string app, string releaseId);

    private static string NewApp() => "ro-chain-" + Guid.NewGuid().ToString("N")[..8];

    private static ReleaseRecord Release(string app, string version) => new()
    {
        Id = $"{DateTimeOffset.UtcNow:yyyyMMddHHmmssfff}-{Guid.NewGuid():N}"[..25], Application = app, Environment = "test", Version = version,
        StartedBy = "tester", Host = Environment.MachineName, Pid = Environment.ProcessId, StartedAt = DateTimeOffset.UtcNow,
    };

    /// <summary>Five entries: a release saved three times (v1 in progress, then succeeded), one attestation, release v2.</summary>
    private async Task<(string App, ReleaseRecord V1, ReleaseRecord V2)> WriteFiveAsync()
    {
        var app = NewApp();
        var v1 = Release(app, "v1");
        await Journal.SaveAsync(v1, default);
        await Journal.SaveAsync(v1 with { Steps = new[] { new JournalStep(1, "lock", null, StepStatus.Succeeded, v1.StartedAt, v1.StartedAt, "held") } }, default);
        v1 = v1 with { Status = ReleaseStatus.Succeeded };
        await Journal.SaveAsync(v1, default);
        await Journal.AppendAsync(app, "test", JournalEntryKinds.Attestation, "att-1", """{"item":"x","by":"dana@example.com"}""", default);
        var v2 = Release(app, "v2");
        await Journal.SaveAsync(v2, default);
        return (app, v1, v2);
    }

    [Fact]
    public async Task Every_write_appends_an_entry_linked_to_the_one_before()
    {
        var (app, v1, _) = await WriteFiveAsync();
        var entries = JournalChain.ReadAll(await Journal.ReadChainAsync(app, "test", default));

        Assert.Equal(new long[] { 1, 2, 3, 4, 5 }, entries.Select(e => e.Sequence));
        Assert.Equal(new[] { "release", "release", "release", "attestation", "release" }, entries.Select(e => e.Kind));
        Assert.Equal(JournalChain.Genesis, entries[0].PreviousHash);
        Assert.All(entries.Skip(1).Zip(entries), p => Assert.Equal(p.Second.Hash, p.First.PreviousHash));
        Assert.Equal(ReleaseStatus.Succeeded, entries[2].PayloadAs<ReleaseRecord>().Status);
        Assert.Equal(v1.Id, entries[2].Subject);

        var verification = await JournalVerifier.VerifyAsync(Journal, app, "test");
        Assert.True(verification.IsIntact, string.Join("; ", verification.Problems));
        Assert.Equal(5, verification.Entries);
        Assert.Equal(2, verification.Releases);
        Assert.Equal(new JournalAnchor(5, entries[4].Hash), verification.Head);
    }

    [Fact]
    public async Task An_edited_entry_is_found()
    {
        var (app, _, _) = await WriteFiveAsync();
        await EditEntryAsync(app, 4, text => text.Replace("dana@example.com", "mallory@example.com"));

        var problem = Assert.Single((await JournalVerifier.VerifyAsync(Journal, app, "test")).Problems);
        Assert.Equal(JournalProblemKind.Edited, problem.Kind);
        Assert.Equal(4, problem.Sequence);
    }

    [Fact]
    public async Task An_edited_entry_whose_hash_was_recomputed_breaks_the_link_to_the_next()
    {
        var (app, _, _) = await WriteFiveAsync();
        await EditEntryAsync(app, 4, text =>
        {
            var node = System.Text.Json.Nodes.JsonNode.Parse(text.Replace("dana@example.com", "mallory@example.com"))!.AsObject();
            node["hash"] = JournalChain.HashOf(node);
            return node.ToJsonString();
        });

        var problem = Assert.Single((await JournalVerifier.VerifyAsync(Journal, app, "test")).Problems);
        Assert.Equal(JournalProblemKind.Removed, problem.Kind);
        Assert.Equal(5, problem.Sequence);
        Assert.Contains("does not follow", problem.Message);
    }

    [Fact]
    public async Task A_removed_entry_is_found()
    {
        var (app, _, _) = await WriteFiveAsync();
        await RemoveEntryAsync(app, 4);

        var problem = Assert.Single((await JournalVerifier.VerifyAsync(Journal, app, "test")).Problems);
        Assert.Equal(JournalProblemKind.Removed, problem.Kind);
        Assert.Equal("entry 4 is missing", problem.Message);
    }

    [Fact]
    public async Task Reordered_entries_are_found()
    {
        var (app, _, _) = await WriteFiveAsync();
        await SwapEntriesAsync(app, 2, 3);

        var problems = (await JournalVerifier.VerifyAsync(Journal, app, "test")).Problems;
        Assert.Equal(new[] { (JournalProblemKind.Reordered, (long?)2), (JournalProblemKind.Reordered, 3) }, problems.Select(p => (p.Kind, p.Sequence)));
        Assert.Contains("stored at position 2 was written as entry 3", problems[0].Message);
    }

    [Fact]
    public async Task An_edited_release_document_is_found_against_the_chain()
    {
        var (app, v1, _) = await WriteFiveAsync();
        await EditReleaseDocumentAsync(app, v1.Id, text => text.Replace("Succeeded", "Failed"));

        var problem = Assert.Single((await JournalVerifier.VerifyAsync(Journal, app, "test")).Problems);
        Assert.Equal(JournalProblemKind.DocumentChanged, problem.Kind);
        Assert.Equal(v1.Id, problem.Subject);
        Assert.Equal(3, problem.Sequence);
    }

    [Fact]
    public async Task A_chain_cut_short_is_found_against_an_anchor_written_down_earlier()
    {
        var (app, _, v2) = await WriteFiveAsync();
        var head = (await JournalVerifier.VerifyAsync(Journal, app, "test")).Head!;
        await RemoveEntryAsync(app, 5);
        await RemoveReleaseDocumentAsync(app, v2.Id); // the whole release goes, with its last entry

        var verification = await JournalVerifier.VerifyAsync(Journal, app, "test", JournalAnchor.Parse(head.ToString()));
        var problem = Assert.Single(verification.Problems);
        Assert.Equal(JournalProblemKind.AnchorMismatch, problem.Kind);
        Assert.Contains("cut short", problem.Message);
    }

    [Fact]
    public async Task Concurrent_appends_take_turns_and_keep_the_chain_whole()
    {
        var app = NewApp();
        await Task.WhenAll(Enumerable.Range(0, 16).Select(i =>
            Task.Run(() => Journal.AppendAsync(app, "test", JournalEntryKinds.Notification, $"n{i}", $$"""{"n":{{i}}}""", default))));

        var verification = await JournalVerifier.VerifyAsync(Journal, app, "test");
        Assert.True(verification.IsIntact, string.Join("; ", verification.Problems));
        Assert.Equal(16, verification.Entries);
        Assert.Equal(16, verification.Head!.Sequence);
    }
}

public sealed class FileJournalChainTests : JournalChainContract, IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("ro-chain-").FullName;

    public FileJournalChainTests()
    {
        Journal = new FileReleaseJournal(_dir);
    }

    protected override IReleaseJournal Journal { get; }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Entry(string app, long sequence) => Path.Combine(_dir, app, "test", "chain", $"{sequence:D8}.json");

    protected override Task EditEntryAsync(string app, long sequence, Func<string, string> change)
    {
        File.WriteAllText(Entry(app, sequence), change(File.ReadAllText(Entry(app, sequence))));
        return Task.CompletedTask;
    }

    protected override Task RemoveEntryAsync(string app, long sequence)
    {
        File.Delete(Entry(app, sequence));
        return Task.CompletedTask;
    }

    protected override Task SwapEntriesAsync(string app, long first, long second)
    {
        var a = File.ReadAllText(Entry(app, first));
        File.WriteAllText(Entry(app, first), File.ReadAllText(Entry(app, second)));
        File.WriteAllText(Entry(app, second), a);
        return Task.CompletedTask;
    }

    protected override Task EditReleaseDocumentAsync(string app, string releaseId, Func<string, string> change)
    {
        var path = Path.Combine(_dir, app, "test", "releases", releaseId + ".json");
        File.WriteAllText(path, change(File.ReadAllText(path)));
        return Task.CompletedTask;
    }

    protected override Task RemoveReleaseDocumentAsync(string app, string releaseId)
    {
        File.Delete(Path.Combine(_dir, app, "test", "releases", releaseId + ".json"));
        return Task.CompletedTask;
    }

    [Fact]
    public async Task An_unreadable_entry_is_reported_and_blocks_further_appends()
    {
        var app = "ro-chain-broken";
        await Journal.AppendAsync(app, "test", "note", null, "{}", default);
        await EditEntryAsync(app, 1, text => text[..(text.Length / 2)]);

        var problem = Assert.Single((await JournalVerifier.VerifyAsync(Journal, app, "test")).Problems);
        Assert.Equal(JournalProblemKind.Unreadable, problem.Kind);
        var refused = await Assert.ThrowsAsync<Errors.ReleaseOpsException>(() => Journal.AppendAsync(app, "test", "note", null, "{}", default));
        Assert.Equal("JournalChainDamaged", refused.ErrorId);
    }
}

public sealed class PostgresJournalChainTests(PostgresJournalFixture fixture) : JournalChainContract, IClassFixture<PostgresJournalFixture>
{
    protected override IReleaseJournal Journal => fixture.Journal;

    private async Task ExecuteAsync(string sql, params (string Name, object Value)[] parameters)
    {
        await using var connection = new NpgsqlConnection(fixture.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var (name, value) in parameters) command.Parameters.AddWithValue(name, value);
        await command.ExecuteNonQueryAsync();
    }

    protected override async Task EditEntryAsync(string app, long sequence, Func<string, string> change)
    {
        var text = (await Journal.ReadChainAsync(app, "test", default)).Single(e => e.Key == sequence).Text;
        await ExecuteAsync("UPDATE releaseops_journal_entries SET document = @d WHERE application = @a AND sequence = @s",
            ("d", change(text)), ("a", app), ("s", sequence));
    }

    protected override Task RemoveEntryAsync(string app, long sequence) =>
        ExecuteAsync("DELETE FROM releaseops_journal_entries WHERE application = @a AND sequence = @s", ("a", app), ("s", sequence));

    protected override async Task SwapEntriesAsync(string app, long first, long second)
    {
        // Three steps: the primary key is checked row by row.
        const string Move = "UPDATE releaseops_journal_entries SET sequence = @to WHERE application = @a AND sequence = @from";
        await ExecuteAsync(Move, ("a", app), ("from", first), ("to", -first));
        await ExecuteAsync(Move, ("a", app), ("from", second), ("to", first));
        await ExecuteAsync(Move, ("a", app), ("from", -first), ("to", second));
    }

    protected override async Task EditReleaseDocumentAsync(string app, string releaseId, Func<string, string> change)
    {
        await using var connection = new NpgsqlConnection(fixture.ConnectionString);
        await connection.OpenAsync();
        await using var select = new NpgsqlCommand("SELECT document::text FROM releaseops_releases WHERE id = @id", connection);
        select.Parameters.AddWithValue("id", releaseId);
        var text = (string)(await select.ExecuteScalarAsync())!;
        await ExecuteAsync("UPDATE releaseops_releases SET document = @d::jsonb WHERE id = @id", ("d", change(text)), ("id", releaseId));
    }

    protected override Task RemoveReleaseDocumentAsync(string app, string releaseId) =>
        ExecuteAsync("DELETE FROM releaseops_releases WHERE id = @id", ("id", releaseId));
}
