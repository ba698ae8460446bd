using System.Net.Sockets;

namespace ReleaseOps.Tests.Deploy;

/// <summary>
/// A unix socket that forwards to the real dockerd socket until <see cref="Vanish"/> closes every
/// connection and deletes the socket file: to the client, dockerd went away mid-deployment. (The
/// shared dockerd itself must not be restarted.)
/// </summary>
public sealed class UnixSocketRelay : IDisposable
{
    private readonly Socket _listener;
    private readonly string _target;
    private readonly List<Socket> _open = new();
    private readonly CancellationTokenSource _stop = new();

    public UnixSocketRelay(string path, string target)
    {
        Path = path;
        _target = target;
        _listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        _listener.Bind(new UnixDomainSocketEndPoint(path));
        _listener.Listen(64);
        _ = AcceptAsync();
    }

    public string Path { get; }

    public string Host => "unix://" + Path;

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptAsync(_stop.Token);
            }
            catch (Exception)
            {
                return;
            }
            var upstream = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            await upstream.ConnectAsync(new UnixDomainSocketEndPoint(_target));
            lock (_open)
            {
                _open.Add(client);
                _open.Add(upstream);
            }
            _ = PumpAsync(client, upstream);
            _ = PumpAsync(upstream, client);
        }
    }

    private async Task PumpAsync(Socket from, Socket to)
    {
        var buffer = new byte[16384];
        try
        {
            while (true)
            {
                var n = await from.ReceiveAsync(buffer, SocketFlags.None, _stop.Token);
                if (n == 0) break;
                await to.SendAsync(buffer.AsMemory(0, n), SocketFlags.None, _stop.Token);
            }
        }
        catch (Exception)
        {
        }
        try
        {
            to.Shutdown(SocketShutdown.Both);
        }
        catch (Exception)
        {
        }
    }

    /// <summary>The daemon "goes away": listener closed, socket file deleted, open connections cut.</summary>
    public void Vanish()
    {
        _stop.Cancel();
        _listener.Close();
        File.Delete(Path);
        lock (_open)
        {
            foreach (var s in _open) s.Close();
        }
    }

    public void Dispose()
    {
        if (!_stop.IsCancellationRequested) Vanish();
    }
}
