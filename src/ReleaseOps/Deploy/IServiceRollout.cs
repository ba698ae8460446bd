namespace ReleaseOps.Deploy;

/// <summary>
/// How one service is moved between versions on its target (containers or a Swarm service). A deployment runs
/// <see cref="DeployAsync"/>, <see cref="VerifyAsync"/> and, once the whole release is verified, <see cref="CompleteAsync"/>;
/// what the new version replaces keeps running until then wherever the strategy allows (blue-green's old color, canary's
/// stable instances), so that a failed verification switches back to it without a gap.
/// </summary>
internal interface IServiceRollout
{
    /// <summary>
    /// Rolls out <paramref name="version"/> with the service's strategy until it receives the traffic; returns the instances
    /// now serving. Instances of the version found already running (a resumed or repeated deployment) are checked like new ones.
    /// </summary>
    Task<IReadOnlyList<string>> DeployAsync(string version, string releaseId, CancellationToken cancellation);

    /// <summary>
    /// Accounts for every expected instance of <paramref name="version"/> (the plan's replicas), runs the health probes on
    /// each and the smoke checks, and checks that the traffic goes to them; throws naming what is missing or failed.
    /// </summary>
    Task<string> VerifyAsync(string version, CancellationToken cancellation);

    /// <summary>
    /// After a verified deployment: drains and stops what <paramref name="version"/> replaced (blue-green keeps it stopped, or
    /// running out of the proxy for <c>strategy.standby</c>: then <see cref="KeptWarm"/> names those instances).
    /// </summary>
    Task<string> CompleteAsync(string version, CancellationToken cancellation);

    /// <summary>The instances <see cref="CompleteAsync"/> left running out of the proxy (a warm standby); empty otherwise.</summary>
    IReadOnlyList<string> KeptWarm => Array.Empty<string>();

    /// <summary>
    /// Stops (and keeps, stopped) every running instance that is neither <paramref name="liveVersion"/> nor in the proxy: a warm
    /// standby whose window ended, or one a crash left behind. Returns what it did.
    /// </summary>
    Task<string> StopStandbyAsync(string liveVersion, CancellationToken cancellation) => Task.FromResult("no standby");

    /// <summary>Puts <paramref name="version"/> back in service, without a gap.</summary>
    Task<IReadOnlyList<string>> RestoreAsync(string version, string releaseId, CancellationToken cancellation);

    /// <summary>After a restore has moved the traffic: drains and removes what does not run <paramref name="version"/>.</summary>
    Task<string> RetireAsync(string version, CancellationToken cancellation);

    /// <summary>Removes everything of the service (a first release that failed has nothing to go back to).</summary>
    Task WithdrawAsync(CancellationToken cancellation);

    /// <summary>What the service runs now, read from the platform (and the proxy): for the journal when a release did not succeed.</summary>
    Task<string> DescribeAsync(CancellationToken cancellation);
}
