namespace ReleaseOps.Operations;

/// <summary>
/// One activity's progress, as hosts show it: an id of its own (unique in the process), the id of
/// the activity it runs inside (<see cref="Nested"/>), status updates, and exactly one Completed
/// report however the activity ends (dispose it in a <c>using</c>). An operation that runs as part
/// of another one starts its activity with the outer activity's <see cref="Nested"/> reporter, so
/// PowerShell draws it as a child bar and the CLI can indent it.
/// </summary>
public sealed class ProgressActivity : IDisposable
{
    private static int _lastId;
    private readonly IOperationReporter _reporter;
    private int _completed;

    private ProgressActivity(IOperationReporter reporter, string name)
    {
        _reporter = reporter is NestedReporter nested ? nested.Outer : reporter;
        ParentId = reporter is NestedReporter parent ? parent.ParentId : -1;
        Id = Interlocked.Increment(ref _lastId);
        Name = name;
        Nested = new NestedReporter(_reporter, Id);
    }

    /// <summary>Starts an activity under whatever activity <paramref name="reporter"/> belongs to.</summary>
    public static ProgressActivity Start(IOperationReporter reporter, string name) => new(reporter, name);

    public int Id { get; }

    /// <summary>The activity this one runs inside, or -1.</summary>
    public int ParentId { get; }

    public string Name { get; }

    /// <summary>The reporter to hand to the operations this activity runs: their activities become its children.</summary>
    public IOperationReporter Nested { get; }

    public bool IsCompleted => Volatile.Read(ref _completed) == 1;

    public void Report(string status, int percentComplete = -1, TimeSpan? remaining = null)
    {
        if (!IsCompleted)
        {
            _reporter.Progress(new OperationProgress(Name, status, percentComplete, remaining, Completed: false, Id, ParentId));
        }
    }

    /// <summary>Reports the activity Completed with a last status; later calls do nothing.</summary>
    public void Complete(string status = "done")
    {
        if (Interlocked.Exchange(ref _completed, 1) == 0)
        {
            _reporter.Progress(new OperationProgress(Name, status, 100, TimeSpan.Zero, Completed: true, Id, ParentId));
        }
    }

    public void Dispose() => Complete();

    /// <summary>Passes verbose text and warnings through, and marks activities started with it as children of one activity.</summary>
    private sealed class NestedReporter : IOperationReporter
    {
        public NestedReporter(IOperationReporter outer, int parentId)
        {
            Outer = outer;
            ParentId = parentId;
        }

        public IOperationReporter Outer { get; }

        public int ParentId { get; }

        public void Verbose(string message) => Outer.Verbose(message);

        public void Warning(string message) => Outer.Warning(message);

        public void Progress(OperationProgress progress) =>
            Outer.Progress(progress.ParentActivityId == -1 ? progress with { ParentActivityId = ParentId } : progress);
    }
}
