using ReleaseOps.Checklists;
using ReleaseOps.Journal;
using ReleaseOps.Notifications;

namespace ReleaseOps.Releases;

/// <summary>Attestations as entries of the release journal's chain (file and PostgreSQL stores alike).</summary>
public sealed class JournalAttestationStore : IAttestationStore
{
    private readonly IReleaseJournal _journal;

    public JournalAttestationStore(IReleaseJournal journal)
    {
        _journal = journal;
    }

    public Task SaveAsync(Attestation attestation, CancellationToken cancellation) =>
        _journal.AppendAsync(attestation.Application, attestation.Environment, JournalEntryKinds.Attestation, attestation.Id,
            JournalSerializer.Write(attestation), cancellation);

    public async Task<IReadOnlyList<Attestation>> ListAsync(string application, string environment, CancellationToken cancellation) =>
        await JournalEntriesAsync<Attestation>(_journal, application, environment, JournalEntryKinds.Attestation, cancellation).ConfigureAwait(false);

    /// <summary>The payloads of one kind of chain entry, oldest first (unreadable entries are left to Test-ReleaseJournal).</summary>
    internal static async Task<IReadOnlyList<T>> JournalEntriesAsync<T>(IReleaseJournal journal, string application, string environment, string kind,
        CancellationToken cancellation)
    {
        var stored = await journal.ReadChainAsync(application, environment, cancellation).ConfigureAwait(false);
        var result = new List<T>();
        foreach (var entry in JournalChain.ReadAll(stored).Where(e => e.Kind == kind))
        {
            try
            {
                result.Add(entry.PayloadAs<T>());
            }
            catch (System.Text.Json.JsonException)
            {
            }
        }
        return result;
    }
}

/// <summary>Every notification delivery, sent or not, as an entry of the release journal's chain.</summary>
public sealed class JournalNotificationLog : INotificationLog
{
    private readonly IReleaseJournal _journal;

    public JournalNotificationLog(IReleaseJournal journal)
    {
        _journal = journal;
    }

    public Task RecordAsync(NotificationDelivery delivery, CancellationToken cancellation) =>
        _journal.AppendAsync(delivery.Application, delivery.Environment, JournalEntryKinds.Notification, delivery.ReleaseId,
            JournalSerializer.Write(delivery), cancellation);

    public static Task<IReadOnlyList<NotificationDelivery>> ListAsync(IReleaseJournal journal, string application, string environment,
        CancellationToken cancellation) =>
        JournalAttestationStore.JournalEntriesAsync<NotificationDelivery>(journal, application, environment, JournalEntryKinds.Notification, cancellation);
}
