using System.Diagnostics;
using System.Globalization;
using System.Text;
using ReleaseOps.Conditions;
using ReleaseOps.Errors;

namespace ReleaseOps.Gates.Checks;

/// <summary><c>disk</c>: free space at a path is above min_free and/or min_free_percent.</summary>
internal sealed class DiskGateCheck : IGateCheck
{
    public IReadOnlyList<string> Types { get; } = new[] { "disk" };

    public Task RunAsync(GateCheckContext context, GateObservation observation, CancellationToken cancellation)
    {
        var path = context.ResolvePath(context.Require("path"));
        observation.Target = path;
        if (!Directory.Exists(path) && !File.Exists(path))
        {
            throw new ReleaseOpsException("GatePathNotFound", FailureKind.NotFound, $"The path {path} does not exist.", target: path,
                fix: "Point 'path' at a directory on the file system to check.");
        }
        var drive = new DriveInfo(path);
        var free = drive.AvailableFreeSpace;
        var total = drive.TotalSize;
        observation.Measure("free", ConditionValue.Size(free));
        observation.Measure("total", ConditionValue.Size(total));
        observation.Measure("free_percent", ConditionValue.Ratio(total == 0 ? 0 : (double)free / total));
        observation.Evidence["mount"] = drive.RootDirectory.FullName;
        if (context.Settings.GetString("min_free") is { } minFree)
        {
            observation.Condition($"free >= {minFree.Replace(" ", "")}");
        }
        if (context.Settings.GetNumber("min_free_percent") is { } percent)
        {
            observation.Condition($"free_percent >= {percent.ToString(CultureInfo.InvariantCulture)}%");
        }
        observation.Summary = $"{ConditionValue.FormatSize(free)} free of {ConditionValue.FormatSize(total)} at {drive.RootDirectory.FullName}";
        observation.Fix = "Free disk space (old images: docker image prune; old logs and backups) before releasing.";
        return Task.CompletedTask;
    }
}

/// <summary><c>memory</c>: available memory (MemAvailable) is above min_available and/or min_available_percent.</summary>
internal sealed class MemoryGateCheck : IGateCheck
{
    public IReadOnlyList<string> Types { get; } = new[] { "memory" };

    public async Task RunAsync(GateCheckContext context, GateObservation observation, CancellationToken cancellation)
    {
        observation.Target = "/proc/meminfo";
        long? Field(string[] lines, string name) => lines.Where(l => l.StartsWith(name + ":", StringComparison.Ordinal))
            .Select(l => long.Parse(l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024)
            .Cast<long?>().FirstOrDefault();
        string[] lines;
        try
        {
            lines = await File.ReadAllLinesAsync("/proc/meminfo", cancellation).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new ReleaseOpsException("MemoryInfoUnavailable", FailureKind.OperationFailed, "Could not read /proc/meminfo.",
                target: "/proc/meminfo", fix: "Run the memory gate on Linux, where /proc/meminfo exists.", innerException: ex);
        }
        var total = Field(lines, "MemTotal") ?? 0;
        var available = Field(lines, "MemAvailable") ?? Field(lines, "MemFree") ?? 0;
        observation.Measure("available", ConditionValue.Size(available));
        observation.Measure("total", ConditionValue.Size(total));
        observation.Measure("available_percent", ConditionValue.Ratio(total == 0 ? 0 : (double)available / total));
        observation.Values.Set("memory_percent", ConditionValue.Ratio(total == 0 ? 0 : 1 - (double)available / total));
        if (context.Settings.GetString("min_available") is { } min)
        {
            observation.Condition($"available >= {min.Replace(" ", "")}");
        }
        if (context.Settings.GetNumber("min_available_percent") is { } percent)
        {
            observation.Condition($"available_percent >= {percent.ToString(CultureInfo.InvariantCulture)}%");
        }
        observation.Summary = $"{ConditionValue.FormatSize(available)} available of {ConditionValue.FormatSize(total)}";
    }
}

/// <summary><c>file-size</c>: a file, or a directory with everything under it, is smaller than max_size (the seeds' du -sh).</summary>
internal sealed class FileSizeGateCheck : IGateCheck
{
    public IReadOnlyList<string> Types { get; } = new[] { "file-size" };

    public Task RunAsync(GateCheckContext context, GateObservation observation, CancellationToken cancellation)
    {
        var path = context.ResolvePath(context.Require("path"));
        observation.Target = path;
        long size;
        var files = 1L;
        if (File.Exists(path))
        {
            size = new FileInfo(path).Length;
        }
        else if (Directory.Exists(path))
        {
            size = 0;
            files = 0;
            foreach (var file in new DirectoryInfo(path).EnumerateFiles("*", new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true, AttributesToSkip = FileAttributes.ReparsePoint }))
            {
                cancellation.ThrowIfCancellationRequested();
                size += file.Length;
                files++;
            }
        }
        else
        {
            throw new ReleaseOpsException("GatePathNotFound", FailureKind.NotFound, $"The path {path} does not exist.", target: path,
                fix: "Build the artefact first, or correct 'path'.");
        }
        observation.Measure("size", ConditionValue.Size(size));
        observation.Measure("files", files);
        observation.Condition($"size <= {context.Require("max_size").Replace(" ", "")}");
        observation.Fix = "Shrink the artefact (remove source maps and caches, enable compression) or raise max_size deliberately.";
        return Task.CompletedTask;
    }
}

/// <summary>
/// <c>command</c>: runs a program (argv list, or one string through /bin/sh -c) with a timeout and
/// checks its exit code and output. Environment values may hold secrets: they go to the child's
/// environment only, and the output is redacted.
/// </summary>
internal sealed class CommandGateCheck : IGateCheck
{
    private const int MaxOutput = 64 * 1024;

    public IReadOnlyList<string> Types { get; } = new[] { "command" };

    public async Task RunAsync(GateCheckContext context, GateObservation observation, CancellationToken cancellation)
    {
        var run = context.Settings.GetStrings("run");
        if (run.Count == 0 || string.IsNullOrWhiteSpace(run[0]))
        {
            throw context.Missing("run", "Add run: 'npm run test:critical-path' (a shell line) or run: [program, arg1, arg2].");
        }
        var start = run.Count == 1 ? new ProcessStartInfo("/bin/sh") { ArgumentList = { "-c", run[0] } } : new ProcessStartInfo(run[0]);
        if (run.Count > 1)
        {
            foreach (var arg in run.Skip(1))
            {
                start.ArgumentList.Add(arg);
            }
        }
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.RedirectStandardInput = true;
        start.UseShellExecute = false;
        start.WorkingDirectory = context.Settings.GetString("working_directory") is { } wd ? context.ResolvePath(wd) : context.Environment.BaseDirectory ?? Directory.GetCurrentDirectory();
        foreach (var (name, value) in context.Settings.GetMap("env"))
        {
            start.Environment[name] = context.Expand(value)!.Reveal();
        }
        observation.Target = run.Count == 1 ? run[0] : string.Join(' ', run);
        var clock = Stopwatch.StartNew();
        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new ReleaseOpsException("CommandNotFound", FailureKind.NotFound, $"Could not start '{run[0]}': {ex.Message}.", target: run[0],
                fix: "Install the program or give its full path; a single string runs through /bin/sh -c.");
        }
        using (process)
        {
            process.StandardInput.Close();
            var output = new StringBuilder();
            var stdout = Pump(process.StandardOutput, output);
            var stderr = Pump(process.StandardError, output);
            try
            {
                await process.WaitForExitAsync(cancellation).ConfigureAwait(false);
                await Task.WhenAll(stdout, stderr).WaitAsync(TimeSpan.FromSeconds(2), cancellation).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or TimeoutException)
            {
                if (!process.HasExited)
                {
                    try
                    {
                        process.Kill(entireProcessTree: true);
                    }
                    catch (InvalidOperationException)
                    {
                    }
                }
                if (ex is OperationCanceledException)
                {
                    throw;
                }
            }
            string text;
            lock (output)
            {
                text = context.Redactor.Redact(output.ToString());
            }
            observation.Measure("exit_code", process.ExitCode);
            observation.Measure("duration", clock.Elapsed);
            observation.Values.Set("output", text);
            observation.Evidence["output_tail"] = text.Length <= 400 ? text.TrimEnd() : "..." + text[^400..].TrimEnd();
            var expected = context.Settings.GetInteger("exit_code") ?? 0;
            observation.Condition($"exit_code == {expected}");
            if (context.Settings.GetString("output_contains") is { } contains)
            {
                observation.Condition("output contains " + GateObservation.Quote(contains));
            }
            observation.Summary = $"exited {process.ExitCode} after {ConditionValue.FormatDuration(clock.Elapsed)}";
        }
    }

    private static async Task Pump(StreamReader reader, StringBuilder output)
    {
        var buffer = new char[4096];
        int read;
        while ((read = await reader.ReadAsync(buffer).ConfigureAwait(false)) > 0)
        {
            lock (output)
            {
                if (output.Length < MaxOutput)
                {
                    output.Append(buffer, 0, Math.Min(read, MaxOutput - output.Length));
                }
            }
        }
    }
}
