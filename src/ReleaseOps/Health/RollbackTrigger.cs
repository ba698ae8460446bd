using ReleaseOps.Operations;

namespace ReleaseOps.Health;

/// <summary>
/// What <c>-RollbackOnBreach</c> calls when a critical criterion breaches. The hosts pass the
/// deployment's rollback (<c>Releases.DeploymentRollbackTrigger</c>: back to the previous release);
/// the watch only needs to say why. Whatever it returns is kept in the verdict.
/// </summary>
public interface IRollbackTrigger
{
    /// <summary>A short description for messages and ShouldProcess: "roll shop/prod back to 1.4.2".</summary>
    string Description { get; }

    /// <summary>Rolls back; <paramref name="reporter"/> is the watch's, so the rollback's progress nests under it.</summary>
    Task<object> RollbackAsync(string reason, IOperationReporter reporter, CancellationToken cancellation);
}

/// <summary>
/// Told at the first breach of a watch, whatever the watch does next (the notifications capability
/// sends the plan's watch-breached webhooks). It must not throw; the watch awaits it before it ends.
/// </summary>
public interface IBreachObserver
{
    Task BreachedAsync(CriterionResult criterion, string reason, CancellationToken cancellation);
}
