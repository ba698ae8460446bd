using System.Diagnostics;
using ReleaseOps.Errors;
using ReleaseOps.Operations;
using ReleaseOps.Secrets;

namespace ReleaseOps.Backup;

/// <summary>
/// Runs the levels of a test-restore one after another, timing each and recording it as Passed
/// or Failed (a per-item <see cref="ReleaseOpsException"/> fails the level instead of escaping),
/// and builds the one <see cref="BackupVerification"/> record at the end. The test is one progress activity.
/// </summary>
internal sealed class VerificationSteps : IDisposable
{
    private readonly ReleaseBackup _backup;
    private readonly IOperationReporter _reporter;
    private readonly ProgressActivity _activity;
    private readonly int _levelCount;
    private readonly DateTimeOffset _started = DateTimeOffset.UtcNow;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly List<VerificationLevel> _levels = new();

    public VerificationSteps(ReleaseBackup backup, IOperationReporter reporter, int levelCount)
    {
        _backup = backup;
        _reporter = reporter;
        _activity = ProgressActivity.Start(reporter, $"Testing backup {backup.Id}");
        _levelCount = levelCount;
    }

    public List<VerificationDifference> Differences { get; } = new();

    public ReleaseOpsException? Failure { get; private set; }

    public bool AllPassed => Failure is null && _levels.All(l => l.Status == VerificationStatus.Passed);

    public void Progress(string status, int percent) => _activity.Report(status, percent);

    /// <summary>Runs one level; false when it failed (later levels should not run).</summary>
    public async Task<bool> RunAsync(string level, Func<Task<string>> body)
    {
        var watch = Stopwatch.StartNew();
        Progress(level, _levels.Count * 100 / _levelCount);
        try
        {
            var detail = await body().ConfigureAwait(false);
            _levels.Add(new VerificationLevel(level, VerificationStatus.Passed, watch.Elapsed, detail));
            _reporter.Verbose($"{_backup.Id}: {level} passed in {watch.Elapsed.TotalSeconds:F1} s ({detail})");
            return true;
        }
        catch (ReleaseOpsException ex) when (!ex.EndsCommand)
        {
            Failure = ex;
            _levels.Add(new VerificationLevel(level, VerificationStatus.Failed, watch.Elapsed, ex.Message));
            _reporter.Verbose($"{_backup.Id}: {level} failed: {ex.Message}");
            return false;
        }
    }

    /// <summary>Records the named levels that did not run as Skipped.</summary>
    public void SkipMissing(params string[] levels)
    {
        foreach (var level in levels.Where(n => _levels.All(l => l.Level != n)))
        {
            _levels.Add(new VerificationLevel(level, VerificationStatus.Skipped, TimeSpan.Zero, "an earlier level failed"));
        }
    }

    public BackupVerification Result(SecretRedactor redactor, string? scratchDatabase = null, bool scratchDropped = false)
    {
        var passed = AllPassed;
        _activity.Complete(passed ? "passed" : "failed");
        return new BackupVerification
        {
            BackupId = _backup.Id,
            Kind = _backup.Kind,
            Database = _backup.Database,
            ManifestPath = _backup.ManifestPath,
            ScratchDatabase = scratchDatabase,
            ScratchDropped = scratchDropped,
            Passed = passed,
            Levels = _levels.ToArray(),
            Differences = Differences.ToArray(),
            StartedAt = _started,
            Duration = _clock.Elapsed,
            ErrorId = Failure?.ErrorId,
            Error = Failure is null ? null : redactor.Redact(Failure.Message),
            FailureKind = Failure?.Kind,
            Fix = Failure?.Fix,
        };
    }

    /// <summary>Refuses a backup of the wrong kind, and an encrypted backup without a key; returns the key to use.</summary>
    public static BackupEncryptionKey? Prepare(ReleaseBackup backup, BackupKind kind, SecretValue? key, string otherCmdlet)
    {
        ArgumentNullException.ThrowIfNull(backup);
        if (backup.Kind != kind)
        {
            throw new ReleaseOpsException("BackupKindMismatch", FailureKind.InvalidArgument,
                $"Backup {backup.Id} is a {backup.Kind} backup, not {kind}.", backup.ManifestPath, $"Use {otherCmdlet} for it.");
        }
        if (backup.Encrypted && key is null)
        {
            throw KeyRequired(backup);
        }
        return key is null ? null : BackupEncryptionKey.From(key);
    }

    public static ReleaseOpsException KeyRequired(ReleaseBackup backup) =>
        new("EncryptionKeyRequired", FailureKind.InvalidArgument,
            $"Backup {backup.Id} is encrypted ({backup.Manifest.Encryption?.Algorithm}, key from {backup.Manifest.Encryption?.KeySource}); no key was given.",
            backup.ManifestPath, "Give the encryption key the backup was taken with (-EncryptionKey, or the plan's encryptionKey).");

    /// <summary>Ends the activity however the test ended.</summary>
    public void Dispose() => _activity.Complete("stopped");
}
