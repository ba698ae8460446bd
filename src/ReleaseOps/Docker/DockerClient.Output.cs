using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ReleaseOps.Errors;

namespace ReleaseOps.Docker;

public sealed partial class DockerClient
{
    /// <summary>
    /// GET /containers/{id}/logs as lines, yielded as they are read (the body is never held whole).
    /// With <see cref="ContainerLogOptions.Follow"/> it ends when the container stops or the caller cancels.
    /// </summary>
    public async IAsyncEnumerable<ContainerLogLine> GetContainerLogsAsync(string container, ContainerLogOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellation = default)
    {
        options ??= new ContainerLogOptions();
        var details = await InspectContainerAsync(container, cancellation).ConfigureAwait(false);
        var query = new DockerQuery()
            .Add("stdout", options.Stdout)
            .Add("stderr", options.Stderr)
            .Add("follow", options.Follow)
            .Add("timestamps", options.Timestamps)
            .Add("tail", options.Tail?.ToString(CultureInfo.InvariantCulture) ?? "all")
            .Add("since", UnixTime(options.Since));
        var target = ContainerTarget(container);
        using var response = await SendAsync(HttpMethod.Get, $"containers/{Escape(container)}/logs", query, null, target,
            cancellation).ConfigureAwait(false);
        await using var stream = await response.Content.ReadAsStreamAsync(cancellation).ConfigureAwait(false);
        var frames = new DockerStreamDemultiplexer(stream, raw: details.Config.Tty);
        var splitter = new DockerLineSplitter();
        while (true)
        {
            (DockerOutputStream Stream, ReadOnlyMemory<byte> Payload)? frame;
            try
            {
                frame = await frames.ReadFrameAsync(cancellation).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IOException or HttpRequestException or InvalidDataException)
            {
                throw BrokenStream(target, ex);
            }
            if (frame is null)
            {
                break;
            }
            foreach (var (kind, line) in splitter.Add(frame.Value.Stream, frame.Value.Payload))
            {
                yield return ToLogLine(kind, line, options.Timestamps);
            }
        }
        foreach (var (kind, line) in splitter.Flush())
        {
            yield return ToLogLine(kind, line, options.Timestamps);
        }
    }

    /// <summary>
    /// One stats sample (GET /containers/{id}/stats?stream=false). The daemon takes about a second to
    /// measure the CPU delta; a stopped container gives zeros.
    /// </summary>
    public async Task<ContainerStatsSample> GetContainerStatsAsync(string container, CancellationToken cancellation = default)
    {
        var target = ContainerTarget(container);
        var json = await GetJsonAsync<JsonObject>($"containers/{Escape(container)}/stats",
            new DockerQuery().Add("stream", false), target, cancellation).ConfigureAwait(false);
        return ContainerStatsCalculator.From(container, json);
    }

    /// <summary>POST /containers/{id}/exec: prepares a command; returns the exec id for <see cref="RunExecAsync"/>-style use.</summary>
    public async Task<string> CreateExecAsync(string container, ExecSpec spec, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (spec.Command.Count == 0)
        {
            throw new ReleaseOpsException(DockerErrorIds.RequestFailed, FailureKind.InvalidArgument,
                $"An exec in {ContainerTarget(container)} needs a command.", target: ContainerTarget(container),
                fix: "Give the command to run, for example [\"/bin/sh\", \"-c\", \"...\"].");
        }
        var body = new JsonObject
        {
            ["AttachStdin"] = false,
            ["AttachStdout"] = true,
            ["AttachStderr"] = true,
            ["Tty"] = false,
            ["Privileged"] = spec.Privileged,
            ["Cmd"] = DockerJson.Array(spec.Command),
        };
        var env = DockerJson.Environment(spec.Env, spec.SecretEnv);
        if (env.Count > 0)
        {
            body["Env"] = DockerJson.Array(env);
        }
        if (spec.User is not null)
        {
            body["User"] = spec.User;
        }
        if (spec.WorkingDirectory is not null)
        {
            body["WorkingDir"] = spec.WorkingDirectory;
        }
        var created = await PostJsonAsync<CreatedObject>($"containers/{Escape(container)}/exec", null, body,
            ContainerTarget(container), cancellation).ConfigureAwait(false);
        return created.Id;
    }

    /// <summary>GET /exec/{id}/json: whether it still runs and its exit code.</summary>
    public Task<ExecDetails> InspectExecAsync(string execId, CancellationToken cancellation = default) =>
        GetJsonAsync<ExecDetails>($"exec/{Escape(execId)}/json", null, $"exec '{execId}'", cancellation);

    /// <summary>
    /// Runs a command in a running container and waits for it: output captured and split into stdout and
    /// stderr (the first <paramref name="maxOutputBytes"/> of each are kept), exit code from the exec's
    /// inspection. When <paramref name="timeout"/> passes first it throws <see cref="DockerErrorIds.ExecTimeout"/>;
    /// the Engine API cannot stop an exec, so the command may still run until the container stops.
    /// </summary>
    public async Task<ExecResult> RunExecAsync(string container, ExecSpec spec, TimeSpan timeout,
        int maxOutputBytes = 1024 * 1024, CancellationToken cancellation = default)
    {
        var clock = Stopwatch.StartNew();
        var execId = await CreateExecAsync(container, spec, cancellation).ConfigureAwait(false);
        var target = $"exec of '{Path.GetFileName(spec.Command[0])}' in {ContainerTarget(container)}";
        using var timer = new CancellationTokenSource(timeout);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellation, timer.Token);
        var stdout = new CappedOutput(maxOutputBytes);
        var stderr = new CappedOutput(maxOutputBytes);
        try
        {
            using var response = await SendAsync(HttpMethod.Post, $"exec/{Escape(execId)}/start", null,
                new JsonObject { ["Detach"] = false, ["Tty"] = false }, target, linked.Token,
                timeout: Timeout.InfiniteTimeSpan).ConfigureAwait(false);
            await using var stream = await response.Content.ReadAsStreamAsync(linked.Token).ConfigureAwait(false);
            var frames = new DockerStreamDemultiplexer(stream, raw: false);
            while (await frames.ReadFrameAsync(linked.Token).ConfigureAwait(false) is { } frame)
            {
                (frame.Stream == DockerOutputStream.Stderr ? stderr : stdout).Add(frame.Payload.Span);
            }
            // The stream ends when the process exits; the exit code may take a moment to be recorded.
            ExecDetails details;
            while ((details = await InspectExecAsync(execId, linked.Token).ConfigureAwait(false)).Running)
            {
                await Task.Delay(20, linked.Token).ConfigureAwait(false);
            }
            return new ExecResult
            {
                Container = container,
                ExecId = execId,
                ExitCode = details.ExitCode ?? -1,
                Stdout = stdout.Text,
                Stderr = stderr.Text,
                OutputTruncated = stdout.Truncated || stderr.Truncated,
                Duration = clock.Elapsed,
            };
        }
        catch (OperationCanceledException ex) when (timer.IsCancellationRequested && !cancellation.IsCancellationRequested)
        {
            throw new ReleaseOpsException(DockerErrorIds.ExecTimeout, FailureKind.Timeout,
                $"The {target} did not finish within {timeout.TotalSeconds:0.#} s.",
                target: ContainerTarget(container),
                fix: "Allow more time, or stop the container to end the command (the Engine API cannot stop an exec).",
                innerException: ex);
        }
        catch (Exception ex) when (ex is IOException or HttpRequestException or InvalidDataException)
        {
            throw BrokenStream(target, ex);
        }
    }

    private static ContainerLogLine ToLogLine(DockerOutputStream stream, string line, bool timestamps)
    {
        if (timestamps)
        {
            var space = line.IndexOf(' ');
            if (space > 0 && DateTimeOffset.TryParse(TrimFraction(line[..space]), CultureInfo.InvariantCulture,
                    DateTimeStyles.AssumeUniversal, out var at))
            {
                return new ContainerLogLine(stream, line[(space + 1)..], at);
            }
        }
        return new ContainerLogLine(stream, line);
    }

    private static string TrimFraction(string text)
    {
        var dot = text.IndexOf('.');
        if (dot < 0)
        {
            return text;
        }
        var end = dot + 1;
        while (end < text.Length && char.IsAsciiDigit(text[end]))
        {
            end++;
        }
        return end - dot - 1 > 7 ? string.Concat(text.AsSpan(0, dot + 8), text.AsSpan(end)) : text;
    }

    /// <summary>Keeps the first N bytes of an output stream and notes whether more came.</summary>
    private sealed class CappedOutput(int limit)
    {
        private readonly MemoryStream _bytes = new();

        public bool Truncated { get; private set; }

        public string Text => Encoding.UTF8.GetString(_bytes.GetBuffer(), 0, (int)_bytes.Length);

        public void Add(ReadOnlySpan<byte> payload)
        {
            var room = limit - (int)_bytes.Length;
            if (payload.Length > room)
            {
                Truncated = true;
                payload = payload[..Math.Max(room, 0)];
            }
            _bytes.Write(payload);
        }
    }
}

/// <summary>The arithmetic of <c>docker stats</c>, over the JSON of one stats sample.</summary>
internal static class ContainerStatsCalculator
{
    public static ContainerStatsSample From(string container, JsonObject json)
    {
        var cpu = json["cpu_stats"] as JsonObject;
        var precpu = json["precpu_stats"] as JsonObject;
        var cpuTotal = Long(cpu?["cpu_usage"]?["total_usage"]);
        var preCpuTotal = Long(precpu?["cpu_usage"]?["total_usage"]);
        var system = Long(cpu?["system_cpu_usage"]);
        var preSystem = Long(precpu?["system_cpu_usage"]);
        var online = (int)Long(cpu?["online_cpus"]);
        if (online == 0 && cpu?["cpu_usage"]?["percpu_usage"] is JsonArray perCpu)
        {
            online = perCpu.Count;
        }
        var cpuDelta = (double)(cpuTotal - preCpuTotal);
        var systemDelta = (double)(system - preSystem);
        var cpuPercent = cpuDelta > 0 && systemDelta > 0 ? cpuDelta / systemDelta * Math.Max(online, 1) * 100.0 : 0.0;

        var memory = json["memory_stats"] as JsonObject;
        var usage = Long(memory?["usage"]);
        var limit = Long(memory?["limit"]);
        var stats = memory?["stats"] as JsonObject;
        // cgroup v1 reports total_inactive_file, v2 inactive_file; docker stats subtracts it when smaller than usage.
        var inactive = stats?["total_inactive_file"] is not null ? Long(stats["total_inactive_file"]) : Long(stats?["inactive_file"]);
        var used = inactive < usage ? usage - inactive : usage;
        var memoryPercent = limit > 0 ? used * 100.0 / limit : 0.0;

        long received = 0, sent = 0;
        if (json["networks"] is JsonObject networks)
        {
            foreach (var (_, network) in networks)
            {
                received += Long(network?["rx_bytes"]);
                sent += Long(network?["tx_bytes"]);
            }
        }
        long read = 0, written = 0;
        if (json["blkio_stats"]?["io_service_bytes_recursive"] is JsonArray io)
        {
            foreach (var entry in io)
            {
                var op = entry?["op"]?.GetValue<string>() ?? "";
                if (op.Equals("read", StringComparison.OrdinalIgnoreCase))
                {
                    read += Long(entry?["value"]);
                }
                else if (op.Equals("write", StringComparison.OrdinalIgnoreCase))
                {
                    written += Long(entry?["value"]);
                }
            }
        }
        var readAt = json["read"]?.GetValue<string>();
        return new ContainerStatsSample
        {
            Container = container,
            Name = (json["name"]?.GetValue<string>() ?? "").TrimStart('/'),
            Read = readAt is null ? default : JsonSerializer.Deserialize<DateTimeOffset>($"\"{readAt}\"", DockerJson.Options),
            CpuPercent = cpuPercent,
            OnlineCpus = online,
            MemoryUsage = used,
            MemoryLimit = limit,
            MemoryPercent = memoryPercent,
            NetworkReceivedBytes = received,
            NetworkSentBytes = sent,
            BlockReadBytes = read,
            BlockWrittenBytes = written,
            Pids = Long(json["pids_stats"]?["current"]),
        };
    }

    private static long Long(JsonNode? node) =>
        node is JsonValue value && value.TryGetValue<long>(out var number) ? number
        : node is JsonValue d && d.TryGetValue<double>(out var real) ? (long)real : 0;
}
