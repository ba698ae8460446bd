using ReleaseOps.Errors;
using ReleaseOps.Plans;

namespace ReleaseOps.Journal;

/// <summary>Opens the journal a plan names (<c>journal:</c>): the file store by default, or PostgreSQL.</summary>
public static class ReleaseJournalFactory
{
    public static IReleaseJournal Open(ReleasePlan plan)
    {
        var definition = plan.Journal;
        if (definition.Store == JournalStore.File)
        {
            // Relative to the working directory, as the plan model documents (and as the proxy's files are).
            return new FileReleaseJournal(definition.Path);
        }
        var c = definition.Connection ?? throw new ReleaseOpsException("JournalConnectionMissing", FailureKind.InvalidConfiguration,
            $"The plan {plan} stores its journal in PostgreSQL but gives no journal connection.", plan.ToString(),
            "Add journal: { store: postgres, connection: { host, port, database, username, password } }.");
        return new PostgresReleaseJournal(c.Host, c.Port ?? 5432, c.Database ?? "postgres", c.Username ?? "postgres",
            plan.Secrets.Expand(c.Password), c.SslMode);
    }
}
