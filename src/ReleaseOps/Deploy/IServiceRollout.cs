namespace ReleaseOps.Deploy;

/// <summary>How one service is moved between versions on its target (containers or a Swarm service).</summary>
internal interface IServiceRollout
{
    /// <summary>Rolls out <paramref name="version"/> with the service's strategy; returns the instances now serving.</summary>
    Task<IReadOnlyList<string>> DeployAsync(string version, string releaseId, CancellationToken cancellation);

    /// <summary>Health probes and smoke checks against the new version; throws naming the probe and value.</summary>
    Task<string> VerifyAsync(string version, CancellationToken cancellation);

    /// <summary>Puts <paramref name="version"/> back in service, without a gap.</summary>
    Task<IReadOnlyList<string>> RestoreAsync(string version, string releaseId, CancellationToken cancellation);

    /// <summary>After a restore has moved the traffic: drains and stops what does not run <paramref name="version"/>.</summary>
    Task<string> RetireAsync(string version, CancellationToken cancellation);

    /// <summary>Removes everything of the service (a first release that failed has nothing to go back to).</summary>
    Task WithdrawAsync(CancellationToken cancellation);
}
