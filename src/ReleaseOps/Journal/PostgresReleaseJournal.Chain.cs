using Npgsql;

namespace ReleaseOps.Journal;

/// <summary>The chain in PostgreSQL: appends of one application+environment take turns on a transaction-scoped advisory lock.</summary>
public sealed partial class PostgresReleaseJournal
{
    private const string ChainTable =
        "CREATE TABLE IF NOT EXISTS releaseops_journal_entries (application text NOT NULL, environment text NOT NULL, " +
        "sequence bigint NOT NULL, kind text NOT NULL, subject text, recorded_at timestamptz NOT NULL, document text NOT NULL, " +
        "PRIMARY KEY (application, environment, sequence));";

    public async Task<JournalEntry> AppendAsync(string application, string environment, string kind, string? subject, string payloadJson,
        CancellationToken cancellation)
    {
        await using var connection = await OpenAsync(cancellation).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellation).ConfigureAwait(false);
        await using (var turn = new NpgsqlCommand("SELECT pg_advisory_xact_lock(hashtext('releaseops-chain:' || @a || '/' || @e))", connection, transaction))
        {
            turn.Parameters.AddWithValue("a", application);
            turn.Parameters.AddWithValue("e", environment);
            await turn.ExecuteNonQueryAsync(cancellation).ConfigureAwait(false);
        }
        var (sequence, previous) = (0L, JournalChain.Genesis);
        await using (var last = new NpgsqlCommand(
            "SELECT sequence, document FROM releaseops_journal_entries WHERE application = @a AND environment = @e ORDER BY sequence DESC LIMIT 1",
            connection, transaction))
        {
            last.Parameters.AddWithValue("a", application);
            last.Parameters.AddWithValue("e", environment);
            await using var reader = await last.ExecuteReaderAsync(cancellation).ConfigureAwait(false);
            if (await reader.ReadAsync(cancellation).ConfigureAwait(false))
            {
                var key = reader.GetInt64(0);
                try
                {
                    var entry = JournalChain.Read(reader.GetString(1));
                    (sequence, previous) = (Math.Max(key, entry.Sequence), entry.Hash);
                }
                catch (System.Text.Json.JsonException ex)
                {
                    throw FileReleaseJournal.ChainDamaged($"{_display} entry {key}", ex);
                }
            }
        }
        var at = DateTimeOffset.UtcNow;
        var text = JournalChain.Write(sequence + 1, kind, subject, at, previous, payloadJson);
        await using (var insert = new NpgsqlCommand(
            "INSERT INTO releaseops_journal_entries (application, environment, sequence, kind, subject, recorded_at, document) " +
            "VALUES (@a, @e, @s, @k, @subject, @at, @doc)", connection, transaction))
        {
            insert.Parameters.AddWithValue("a", application);
            insert.Parameters.AddWithValue("e", environment);
            insert.Parameters.AddWithValue("s", sequence + 1);
            insert.Parameters.AddWithValue("k", kind);
            insert.Parameters.AddWithValue("subject", (object?)subject ?? DBNull.Value);
            insert.Parameters.AddWithValue("at", at.UtcDateTime);
            insert.Parameters.AddWithValue("doc", text);
            await insert.ExecuteNonQueryAsync(cancellation).ConfigureAwait(false);
        }
        await transaction.CommitAsync(cancellation).ConfigureAwait(false);
        return JournalChain.Read(text);
    }

    public async Task<IReadOnlyList<StoredJournalEntry>> ReadChainAsync(string application, string environment, CancellationToken cancellation)
    {
        await using var connection = await OpenAsync(cancellation).ConfigureAwait(false);
        await using var select = new NpgsqlCommand(
            "SELECT sequence, document FROM releaseops_journal_entries WHERE application = @a AND environment = @e ORDER BY sequence", connection);
        select.Parameters.AddWithValue("a", application);
        select.Parameters.AddWithValue("e", environment);
        var entries = new List<StoredJournalEntry>();
        await using var reader = await select.ExecuteReaderAsync(cancellation).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellation).ConfigureAwait(false))
        {
            entries.Add(new StoredJournalEntry(reader.GetInt64(0), reader.GetString(1)));
        }
        return entries;
    }
}
