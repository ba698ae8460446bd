using Xunit;
using Xunit.Abstractions;
using Xunit.Sdk;

// xunit's default ("conservative") algorithm runs MaxParallelThreads test collections at a time, one
// per slot, in the orderer's order. The deploy and swarm collections are serial by design (one
// nginx on fixed ports; one swarmdemo stack) and take minutes, while most other collections
// wait on services, not CPU: they start first (LongCollectionsFirst) and four slots let the rest run
// beside them, instead of the deploy collection starting last on one of two slots (it was the whole
// suite's critical path).
[assembly: CollectionBehavior(MaxParallelThreads = 4)]
[assembly: TestCollectionOrderer("ReleaseOps.Tests.Support.LongCollectionsFirst", "ReleaseOps.Tests")]

namespace ReleaseOps.Tests.Support;

/// <summary>The long serial collections first, then every other one in xunit's default order.</summary>
public sealed class LongCollectionsFirst : ITestCollectionOrderer
{
    /// <summary>Longest first: the deploy collection, then the Swarm releases.</summary>
    public static readonly string[] Long = ["deploy", "swarm"];

    private readonly DefaultTestCollectionOrderer _default = new();

    public IEnumerable<ITestCollection> OrderTestCollections(IEnumerable<ITestCollection> testCollections)
    {
        var ordered = _default.OrderTestCollections(testCollections).ToList();
        return ordered.OrderBy(c => Array.IndexOf(Long, c.DisplayName) is var i && i >= 0 ? i : Long.Length);
    }
}
