using System.Diagnostics;
using ReleaseOps.Plans;

namespace ReleaseOps.Bench.Deploy;

/// <summary>
/// Requests that fail while a service is redeployed: a constant loop of HTTP GETs through nginx (4 workers,
/// bounded to 10,000+ requests and 120 s per strategy) while the service is released v1 -> v2 -> v1 ...
/// with Rolling (2 replicas, start-first), BlueGreen and Recreate. Baseline: Recreate, the strategy with downtime.
/// </summary>
public sealed class ZeroDowntimeBenchmark : IBenchmark
{
    public string Name => "deploy-zero-downtime";

    public string Description => "failed requests through nginx during rolling, blue-green and recreate deployments (baseline: recreate)";

    public async Task RunAsync(string[] args, CancellationToken cancellation)
    {
        var minimum = args.Length > 0 ? int.Parse(args[0]) : 10_000;
        var services = new[]
        {
            BenchStack.Service("bench-rolling", DeploymentStrategyType.Rolling, 2, 21201, 21202, 21203),
            BenchStack.Service("bench-bluegreen", DeploymentStrategyType.BlueGreen, 1, 21211, 21212),
            BenchStack.Service("bench-recreate", DeploymentStrategyType.Recreate, 1, 21221),
        };
        await using var stack = await BenchStack.StartAsync(new Dictionary<string, int>
        {
            ["bench-rolling"] = 21281, ["bench-bluegreen"] = 21282, ["bench-recreate"] = 21283,
        });
        var results = new List<(DeploymentStrategyType Type, long Requests, long Failed, int Deploys)>();
        Console.WriteLine($"{"strategy",-10} {"deploys",8} {"requests",9} {"failed",7} {"failed %",9} {"seconds",8}");
        foreach (var service in services)
        {
            var plan = stack.Plan(service);
            await stack.DeployAsync(plan, "v1", cancellation);
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
            long requests = 0, failed = 0;
            var samples = new System.Collections.Concurrent.ConcurrentDictionary<string, int>();
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
            var url = plan.Proxy!.PublicUrl + "version";
            var workers = Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
            {
                while (!stop.IsCancellationRequested)
                {
                    try
                    {
                        using var response = await http.GetAsync(url, stop.Token);
                        if (!response.IsSuccessStatusCode)
                        {
                            Interlocked.Increment(ref failed);
                            samples.AddOrUpdate($"HTTP {(int)response.StatusCode}", 1, (_, n) => n + 1);
                        }
                    }
                    catch (OperationCanceledException) when (stop.IsCancellationRequested)
                    {
                        break;
                    }
                    catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
                    {
                        Interlocked.Increment(ref failed);
                        samples.AddOrUpdate(ex.GetType().Name + ": " + ex.Message, 1, (_, n) => n + 1);
                    }
                    Interlocked.Increment(ref requests);
                }
            })).ToArray();
            var clock = Stopwatch.StartNew();
            var deploys = 0;
            // Deploy back and forth until the loop has made enough requests (bounded in time).
            while ((Interlocked.Read(ref requests) < minimum || deploys < 2) && clock.Elapsed < TimeSpan.FromSeconds(120))
            {
                await stack.DeployAsync(plan, deploys % 2 == 0 ? "v2" : "v1", cancellation);
                deploys++;
            }
            stop.Cancel();
            await Task.WhenAll(workers);
            Console.WriteLine($"{service.Strategy.Type,-10} {deploys,8} {requests,9} {failed,7} {100.0 * failed / Math.Max(1, requests),8:F2}% {clock.Elapsed.TotalSeconds,8:F1}");
            results.Add((service.Strategy.Type, requests, failed, deploys));
            foreach (var (what, count) in samples.OrderByDescending(kv => kv.Value).Take(3))
            {
                Console.WriteLine($"#   {count} x {what}");
            }
        }
        Console.WriteLine("# target: 0 failed of >= 10,000 for Rolling and BlueGreen; Recreate shows the downtime it causes.");
        var recreate = results.FirstOrDefault(r => r.Type == DeploymentStrategyType.Recreate);
        foreach (var (type, requests, failed, deploys) in results.Where(r => r.Type != DeploymentStrategyType.Recreate))
        {
            BenchTable.Add($"failed requests during {deploys} {type} deploys", $"Recreate {recreate.Failed} of {recreate.Requests:N0}",
                $"{failed} of {requests:N0}", "-", $"0 of >= {minimum:N0}", failed == 0 && requests >= minimum);
        }
    }
}
