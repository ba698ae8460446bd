using System.Diagnostics;
using System.Globalization;
using Npgsql;
using ReleaseOps.Backup;
using ReleaseOps.Infrastructure.Postgres;
using ReleaseOps.Operations;
using ReleaseOps.Secrets;

namespace ReleaseOps.Bench.Backup;

/// <summary>
/// Backup and test-restore of a generated PostgreSQL database (default ~1 GB, on the shared server
/// of scripts/test-env.sh, database ro_bkp_bench) against the raw tools on the same data:
/// Backup-PgDatabase's engine vs <c>pg_dump -Fc -f FILE</c> (target &lt;= 1.05x), the full test-restore
/// (checksum, list, restore, row counts, drop) vs <c>createdb + pg_restore -d</c> (target &lt;= 1.2x), and
/// this process's peak working set (VmHWM; target &lt;= 150 MB).
/// With <c>--jobs N</c> (N &gt; 1) also the directory format: raw <c>pg_dump -Fd -j N</c> and Backup-PgDatabase
/// -Format directory -Jobs N beside the single-threaded <c>pg_dump -Fc</c>, and their restores with N jobs.
/// Usage: <c>backup [SIZE_MB=1024] [--runs N=1] [--jobs N=1] [--keep]</c>. The runs rotate which goes first.
/// </summary>
public sealed class BackupBenchmark : IBenchmark
{
    public string Name => "backup";

    public string Description => "pg backup and test-restore vs raw pg_dump/pg_restore on a generated database (arg: size in MB)";

    public async Task RunAsync(string[] args, CancellationToken cancellation)
    {
        var sizeMb = args.Where((a, i) => !a.StartsWith("--", StringComparison.Ordinal) && (i == 0 || args[i - 1] is not ("--runs" or "--jobs"))).FirstOrDefault() is { } s ? int.Parse(s, CultureInfo.InvariantCulture) : 1024;
        var runs = args.SkipWhile(a => a != "--runs").Skip(1).FirstOrDefault() is { } r ? int.Parse(r, CultureInfo.InvariantCulture) : 1;
        var keep = args.Contains("--keep");
        var jobs = args.SkipWhile(a => a != "--jobs").Skip(1).FirstOrDefault() is { } j ? int.Parse(j, CultureInfo.InvariantCulture) : 1;
        var env = ReadEnv();
        Console.WriteLine($"load average at start: {File.ReadAllText("/proc/loadavg").Trim()} (the figures are only as quiet as the machine)");
        PeakWorkingSet.Reset(); // this benchmark's own peak, not the one of a benchmark run before it in run-all
        Console.WriteLine($"peak working set reset to {PeakWorkingSet.Megabytes():F1} MB (what the process holds before the backups)");
        var server = new PgEndpoint
        {
            Host = env["RELEASEOPS_TEST_PG_HOST"],
            Port = int.Parse(env["RELEASEOPS_TEST_PG_PORT"], CultureInfo.InvariantCulture),
            Database = env["RELEASEOPS_TEST_PG_DATABASE"],
            Username = env["RELEASEOPS_TEST_PG_USER"],
            Password = new SecretValue(env["RELEASEOPS_TEST_PG_PASSWORD"]),
        };
        const string database = "ro_bkp_bench";
        var work = Path.Combine(Path.GetTempPath(), "ro-bkp-bench");
        if (Directory.Exists(work))
        {
            Directory.Delete(work, recursive: true);
        }
        Directory.CreateDirectory(work);
        var source = server.ForDatabase(database);

        var existing = await ScalarAsync(server, $"SELECT pg_database_size('{database}') FROM pg_database WHERE datname = '{database}'", cancellation);
        if (existing is long bytes && Math.Abs(bytes / 1048576.0 - sizeMb) < sizeMb * 0.15)
        {
            Console.WriteLine($"reusing {database}: {bytes / 1048576.0:F0} MB");
        }
        else
        {
            var clock = Stopwatch.StartNew();
            await GenerateAsync(server, database, sizeMb, cancellation);
            var size = (long)(await ScalarAsync(server, $"SELECT pg_database_size('{database}')", cancellation))!;
            Console.WriteLine($"generated {database}: {size / 1048576.0:F0} MB in {clock.Elapsed.TotalSeconds:F1} s");
        }
        Console.WriteLine($"peak working set after setup: {PeakWorkingSet.Megabytes():F1} MB");

        var rawDump = new List<double>();
        var ourDump = new List<double>();
        var ourCpu = new List<double>();
        var rawDirDump = new List<double>();
        var ourDirDump = new List<double>();
        ReleaseBackup? backup = null, dirBackup = null;
        var rawFile = Path.Combine(work, "raw.dump");
        var rawDir = Path.Combine(work, "raw.dir");
        for (var i = 0; i < runs; i++)
        {
            // Rotate which goes first, so neither always meets the warmer cache or the quieter machine.
            var ours = Path.Combine(work, "ours-" + i);
            var oursDir = Path.Combine(work, "ours-dir-" + i);
            var steps = new List<Func<Task>>
            {
                async () =>
                {
                    File.Delete(rawFile);
                    rawDump.Add(await TimeAsync(() => RawAsync(source, "pg_dump", new[] { "--format=custom", "--file=" + rawFile }, cancellation)));
                },
                async () =>
                {
                    var timings = new TimingReporter();
                    var cpu = Process.GetCurrentProcess().TotalProcessorTime;
                    ourDump.Add(await TimeAsync(async () => backup = await new PgBackupService().BackupAsync(
                        new PgBackupRequest { Source = source, Destination = ours }, timings, cancellation)));
                    cpu = Process.GetCurrentProcess().TotalProcessorTime - cpu;
                    ourCpu.Add(cpu.TotalSeconds);
                    // The CPU this process spent (piping, SHA-256, read-back, counts' client side): what it takes from pg_dump on 2 cores.
                    Console.WriteLine($"  Backup-PgDatabase {ourDump[^1]:F2} s, this process's CPU {cpu.TotalSeconds:F2} s: {string.Join("; ", timings.Lines)}");
                },
            };
            if (jobs > 1)
            {
                steps.Add(async () =>
                {
                    if (Directory.Exists(rawDir)) Directory.Delete(rawDir, recursive: true);
                    rawDirDump.Add(await TimeAsync(() => RawAsync(source, "pg_dump",
                        new[] { "--format=directory", $"--jobs={jobs}", "--file=" + rawDir }, cancellation)));
                });
                steps.Add(async () => ourDirDump.Add(await TimeAsync(async () => dirBackup = await new PgBackupService().BackupAsync(
                    new PgBackupRequest { Source = source, Destination = oursDir, Format = "directory", Jobs = jobs }, SilentReporter.Instance, cancellation))));
            }
            for (var k = 0; k < steps.Count; k++)
            {
                await steps[(k + i) % steps.Count]();
            }
            Console.WriteLine($"run {i + 1}: raw pg_dump -Fc {rawDump[^1]:F2} s, Backup-PgDatabase {ourDump[^1]:F2} s" +
                              (jobs > 1 ? $", raw pg_dump -Fd -j {jobs} {rawDirDump[^1]:F2} s, Backup-PgDatabase -Format directory -Jobs {jobs} {ourDirDump[^1]:F2} s" : "") +
                              $" (raw {new FileInfo(rawFile).Length / 1048576.0:F0} MB, ours {backup!.SizeBytes / 1048576.0:F0} MB, {backup.Manifest.Tables.Sum(t => t.Rows):N0} rows counted)");
            if (i + 1 < runs)
            {
                // Keep the last run's backups for the restores; the disk is shared.
                Directory.Delete(ours, recursive: true);
                if (jobs > 1) Directory.Delete(oursDir, recursive: true);
            }
        }
        Console.WriteLine($"peak working set after backups: {PeakWorkingSet.Megabytes():F1} MB");

        var rawRestore = new List<double>();
        var ourRestore = new List<double>();
        var rawDirRestore = new List<double>();
        var ourDirRestore = new List<double>();
        for (var i = 0; i < runs; i++)
        {
            const string scratch = "ro_bkp_bench_rawrestore";
            await ExecuteAsync(server, $"DROP DATABASE IF EXISTS {scratch} WITH (FORCE)", cancellation);
            Func<List<double>, string, string[], Func<Task>> raw = (into, file, extra) => async () => into.Add(await TimeAsync(async () =>
            {
                await ExecuteAsync(server, $"CREATE DATABASE {scratch}", cancellation);
                await RawAsync(server.ForDatabase(scratch), "pg_restore",
                    new[] { "--no-owner", "--no-privileges", "--exit-on-error", "--dbname=" + scratch }.Concat(extra).Append(file).ToArray(), cancellation);
                await ExecuteAsync(server, $"DROP DATABASE {scratch} WITH (FORCE)", cancellation);
            }));
            BackupVerification? verification = null, dirVerification = null;
            var steps = new List<Func<Task>>
            {
                raw(rawRestore, rawFile, Array.Empty<string>()),
                async () => ourRestore.Add(await TimeAsync(async () => verification = await new PgBackupVerifier().TestAsync(backup!,
                    new PgVerifyRequest { Server = server, ScratchPrefix = "ro_bkp_bench_verify_" }, SilentReporter.Instance, cancellation))),
            };
            if (jobs > 1)
            {
                steps.Add(raw(rawDirRestore, rawDir, new[] { $"--jobs={jobs}" }));
                steps.Add(async () => ourDirRestore.Add(await TimeAsync(async () => dirVerification = await new PgBackupVerifier().TestAsync(dirBackup!,
                    new PgVerifyRequest { Server = server, ScratchPrefix = "ro_bkp_bench_verify_", Jobs = jobs }, SilentReporter.Instance, cancellation))));
            }
            for (var k = 0; k < steps.Count; k++)
            {
                await steps[(k + i) % steps.Count]();
            }
            Console.WriteLine($"run {i + 1}: raw createdb+pg_restore+dropdb {rawRestore[^1]:F2} s, Test-PgBackup {ourRestore[^1]:F2} s " +
                              $"(passed: {verification!.Passed}; {string.Join(", ", verification.Levels.Select(l => $"{l.Level} {l.Duration.TotalSeconds:F1}s"))})");
            if (jobs > 1)
            {
                Console.WriteLine($"run {i + 1}: raw pg_restore -j {jobs} {rawDirRestore[^1]:F2} s, Test-PgBackup -Jobs {jobs} (directory) {ourDirRestore[^1]:F2} s " +
                                  $"(passed: {dirVerification!.Passed}; {string.Join(", ", dirVerification.Levels.Select(l => $"{l.Level} {l.Duration.TotalSeconds:F1}s"))})");
            }
        }
        var peak = PeakWorkingSet.Megabytes();
        Console.WriteLine($"load average at end: {File.ReadAllText("/proc/loadavg").Trim()}");

        Console.WriteLine();
        var m = $"{sizeMb} MB db, median of {runs}";
        BenchTable.Ratio($"verified backup, custom ({m})", "pg_dump -Fc", Median(rawDump), Median(ourDump), "s", 1.05);
        BenchTable.Add($"verified backup, custom: CPU of the ReleaseOps process ({m})", "-", $"{Median(ourCpu):F2} s", $"{Median(ourCpu) / Median(rawDump):F2} of pg_dump's wall time", "(where the extra goes)", null);
        if (jobs > 1)
        {
            BenchTable.Add($"raw pg_dump -Fd -j {jobs} ({m})", $"pg_dump -Fc {Median(rawDump):F2} s", $"{Median(rawDirDump):F2} s (raw tool)",
                $"{Median(rawDirDump) / Median(rawDump):F2}x", "(reference)", null);
            BenchTable.Ratio($"verified backup, directory -Jobs {jobs} ({m})", "pg_dump -Fc", Median(rawDump), Median(ourDirDump), "s", 1.0);
        }
        BenchTable.Ratio($"test-restore, custom ({m})", "createdb+pg_restore+dropdb", Median(rawRestore), Median(ourRestore), "s", 1.2);
        if (jobs > 1)
        {
            BenchTable.Ratio($"test-restore, directory -Jobs {jobs} ({m})", $"createdb+pg_restore -j {jobs}+dropdb", Median(rawDirRestore), Median(ourDirRestore), "s", 1.2);
            BenchTable.Add($"test-restore, directory -Jobs {jobs} vs single-threaded ({m})", $"createdb+pg_restore+dropdb {Median(rawRestore):F2} s",
                $"{Median(ourDirRestore):F2} s", $"{Median(ourDirRestore) / Median(rawRestore):F2}x", "(reference)", null);
        }
        BenchTable.Add("backup benchmark peak working set (VmHWM)", "-", $"{peak:F1} MB", "-", "<= 150 MB", peak <= 150);

        Directory.Delete(work, recursive: true);
        if (!keep)
        {
            await ExecuteAsync(server, $"DROP DATABASE IF EXISTS {database} WITH (FORCE)", cancellation);
        }
    }

    private static async Task GenerateAsync(PgEndpoint server, string database, int sizeMb, CancellationToken cancellation)
    {
        await ExecuteAsync(server, $"DROP DATABASE IF EXISTS {database} WITH (FORCE)", cancellation);
        await ExecuteAsync(server, $"CREATE DATABASE {database}", cancellation);
        // About 150 bytes per row on disk with the index; four tables so that counting and restore have several.
        var rows = (long)sizeMb * 1048576 / 150;
        var target = server.ForDatabase(database);
        await ExecuteAsync(target, "ALTER DATABASE " + database + " SET synchronous_commit = off", cancellation);
        var tables = new[] { ("orders", 0.55), ("order_lines", 0.3), ("customers", 0.1), ("events", 0.05) };
        foreach (var (table, share) in tables)
        {
            var n = (long)(rows * share);
            await ExecuteAsync(target, $"""
                CREATE UNLOGGED TABLE {table} (id bigint, ref bigint, amount numeric(12,2), note text, created timestamptz);
                INSERT INTO {table} SELECT g, g % 9973, (g % 100000) / 100.0, md5(g::text) || md5((g + 1)::text),
                    timestamptz '2026-01-01' + g * interval '1 second' FROM generate_series(1, {n}) g;
                ALTER TABLE {table} SET LOGGED;
                ALTER TABLE {table} ADD PRIMARY KEY (id);
                """, cancellation);
        }
        await ExecuteAsync(target, "VACUUM ANALYZE", cancellation);
    }

    private static async Task RawAsync(PgEndpoint endpoint, string tool, string[] arguments, CancellationToken cancellation)
    {
        var passFile = Path.Combine(Path.GetTempPath(), "ro-bkp-bench-pgpass");
        await File.WriteAllTextAsync(passFile, $"{endpoint.Host}:{endpoint.Port}:*:{endpoint.Username}:{endpoint.Password!.Reveal()}\n", cancellation);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(passFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
        try
        {
            var start = new ProcessStartInfo(tool) { RedirectStandardError = true, UseShellExecute = false };
            foreach (var argument in arguments)
            {
                start.ArgumentList.Add(argument);
            }
            start.Environment["PGHOST"] = endpoint.Host;
            start.Environment["PGPORT"] = endpoint.Port.ToString(CultureInfo.InvariantCulture);
            start.Environment["PGUSER"] = endpoint.Username;
            start.Environment["PGDATABASE"] = endpoint.Database;
            start.Environment["PGPASSFILE"] = passFile;
            using var process = Process.Start(start)!;
            var stderr = await process.StandardError.ReadToEndAsync(cancellation);
            await process.WaitForExitAsync(cancellation);
            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException($"{tool} failed: {stderr}");
            }
        }
        finally
        {
            File.Delete(passFile);
        }
    }

    private static async Task<double> TimeAsync(Func<Task> body)
    {
        var clock = Stopwatch.StartNew();
        await body();
        return clock.Elapsed.TotalSeconds;
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }

    /// <summary>Keeps the engine's timing lines (where a backup's time goes: pg_dump, row counts, read-back).</summary>
    private sealed class TimingReporter : IOperationReporter
    {
        public List<string> Lines { get; } = new();

        public void Verbose(string message)
        {
            if (message.Contains(" done at ", StringComparison.Ordinal) || message.Contains(" at ", StringComparison.Ordinal) && message.Contains("verified", StringComparison.Ordinal))
            {
                lock (Lines) Lines.Add(message);
            }
        }

        public void Warning(string message) => Console.WriteLine("  warning: " + message);

        public void Progress(OperationProgress progress)
        {
        }
    }

    private static Dictionary<string, string> ReadEnv()
    {
        var file = Path.Combine(Environment.GetEnvironmentVariable("RELEASEOPS_TEST_STATE") ?? "/tmp/releaseops-test", "env");
        return File.ReadAllLines(file).Where(l => l.Contains('=') && !l.StartsWith('#'))
            .ToDictionary(l => l[..l.IndexOf('=')].Trim(), l => l[(l.IndexOf('=') + 1)..].Trim());
    }

    private static async Task ExecuteAsync(PgEndpoint endpoint, string sql, CancellationToken cancellation)
    {
        await using var connection = await endpoint.OpenAsync((ex, _) => ex, cancellation);
        await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 0 };
        await command.ExecuteNonQueryAsync(cancellation);
    }

    private static async Task<object?> ScalarAsync(PgEndpoint endpoint, string sql, CancellationToken cancellation)
    {
        await using var connection = await endpoint.OpenAsync((ex, _) => ex, cancellation);
        await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 0 };
        return await command.ExecuteScalarAsync(cancellation);
    }
}
