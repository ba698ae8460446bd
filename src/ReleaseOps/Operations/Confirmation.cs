namespace ReleaseOps.Operations;

/// <summary>
/// Asks the host whether to make one change, described as an action on a target: a cmdlet answers
/// with ShouldProcess (-WhatIf, -Confirm), the CLI with its --dry-run or --yes options.
/// </summary>
public delegate Task<bool> Confirmation(string target, string action);

public static class Confirm
{
    /// <summary>Goes ahead with every change (the caller has already decided).</summary>
    public static readonly Confirmation Always = (_, _) => Task.FromResult(true);

    /// <summary>Makes no change (a dry run).</summary>
    public static readonly Confirmation Never = (_, _) => Task.FromResult(false);
}
