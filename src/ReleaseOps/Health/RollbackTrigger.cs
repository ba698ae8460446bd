namespace ReleaseOps.Health;

/// <summary>
/// What <c>-RollbackOnBreach</c> calls when a critical criterion breaches. The deployment engine
/// provides the real one (roll the release back to the previous version); the watch only needs
/// to say why. Whatever it returns is kept in the verdict.
/// </summary>
public interface IRollbackTrigger
{
    /// <summary>A short description for messages and ShouldProcess: "roll shop/prod back to 1.4.2".</summary>
    string Description { get; }

    Task<object> RollbackAsync(string reason, CancellationToken cancellation);
}

/// <summary>
/// Where hosts find the rollback for a plan when the caller gives none: the deployment engine
/// registers a factory here when it loads. Null when nothing is registered or the factory has no
/// rollback for the plan.
/// </summary>
public static class RollbackTriggers
{
    private static Func<Plans.ReleasePlan, IRollbackTrigger?>? _factory;

    public static void Register(Func<Plans.ReleasePlan, IRollbackTrigger?> factory) => _factory = factory;

    public static IRollbackTrigger? For(Plans.ReleasePlan? plan) => plan is null ? null : _factory?.Invoke(plan);
}
