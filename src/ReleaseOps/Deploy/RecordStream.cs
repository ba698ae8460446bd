using System.Threading.Channels;

namespace ReleaseOps.Deploy;

/// <summary>Runs a release on a worker and streams its step records as they are written, then its result.</summary>
internal static class RecordStream
{
    public static async IAsyncEnumerable<DeploymentRecord> RunAsync(Func<ChannelWriter<DeploymentRecord>, Task<DeploymentRecord>> body)
    {
        var channel = Channel.CreateUnbounded<DeploymentRecord>(new UnboundedChannelOptions { SingleReader = true });
        var run = Task.Run(async () =>
        {
            try
            {
                var result = await body(channel.Writer).ConfigureAwait(false);
                await channel.Writer.WriteAsync(result, CancellationToken.None).ConfigureAwait(false);
                channel.Writer.Complete();
            }
            catch (Exception ex)
            {
                channel.Writer.Complete(ex);
            }
        }, CancellationToken.None);
        await foreach (var record in channel.Reader.ReadAllAsync(CancellationToken.None).ConfigureAwait(false))
        {
            yield return record;
        }
        await run.ConfigureAwait(false);
    }
}
