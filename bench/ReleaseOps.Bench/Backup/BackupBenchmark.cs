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
/// Usage: <c>backup [SIZE_MB=1024] [--runs N=1] [--keep]</c>. Runs alternate raw and ours.
/// </summary>
public sealed class BackupBenchmark : IBenchmark
{
    public string Name => "backup";

    public string Description => "pg backup and test-restore vs raw pg_dump/pg_restore on a generated database (arg: size in MB)";

    public async Task RunAsync(string[] args, CancellationToken cancellation)
    {
        var sizeMb = args.FirstOrDefault(a => !a.StartsWith("--", StringComparison.Ordinal)) is { } s ? int.Parse(s, CultureInfo.InvariantCulture) : 1024;
        var runs = args.SkipWhile(a => a != "--runs").Skip(1).FirstOrDefault() is { } r ? int.Parse(r, CultureInfo.InvariantCulture) : 1;
        var keep = args.Contains("--keep");
        var env = ReadEnv();
        Console.WriteLine($"load average at start: {File.ReadAllText("/proc/loadavg").Trim()} (the figures are only as quiet as the machine)");
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
        Console.WriteLine($"peak working set after setup: {PeakMb():F1} MB");

        var rawDump = new List<double>();
        var ourDump = new List<double>();
        ReleaseBackup? backup = null;
        var rawFile = Path.Combine(work, "raw.dump");
        for (var i = 0; i < runs; i++)
        {
            // Alternate which goes first, so neither always meets the warmer cache or the quieter machine.
            var ours = Path.Combine(work, "ours-" + i);
            Func<Task> raw = async () =>
            {
                File.Delete(rawFile);
                rawDump.Add(await TimeAsync(() => RawAsync(source, "pg_dump", new[] { "--format=custom", "--file=" + rawFile }, cancellation)));
            };
            Func<Task> ourRun = async () => ourDump.Add(await TimeAsync(async () => backup = await new PgBackupService().BackupAsync(
                new PgBackupRequest { Source = source, Destination = ours }, SilentReporter.Instance, cancellation)));
            foreach (var step in i % 2 == 0 ? new[] { raw, ourRun } : new[] { ourRun, raw })
            {
                await step();
            }
            Console.WriteLine($"run {i + 1}: raw pg_dump {rawDump[^1]:F2} s, Backup-PgDatabase {ourDump[^1]:F2} s " +
                              $"(raw {new FileInfo(rawFile).Length / 1048576.0:F0} MB, ours {backup!.SizeBytes / 1048576.0:F0} MB, {backup.Manifest.Tables.Sum(t => t.Rows):N0} rows counted)");
        }
        Console.WriteLine($"peak working set after backups: {PeakMb():F1} MB");

        var rawRestore = new List<double>();
        var ourRestore = new List<double>();
        for (var i = 0; i < runs; i++)
        {
            const string scratch = "ro_bkp_bench_rawrestore";
            await ExecuteAsync(server, $"DROP DATABASE IF EXISTS {scratch} WITH (FORCE)", cancellation);
            Func<Task> raw = async () => rawRestore.Add(await TimeAsync(async () =>
            {
                await ExecuteAsync(server, $"CREATE DATABASE {scratch}", cancellation);
                await RawAsync(server.ForDatabase(scratch), "pg_restore",
                    new[] { "--no-owner", "--no-privileges", "--exit-on-error", "--dbname=" + scratch, rawFile }, cancellation);
                await ExecuteAsync(server, $"DROP DATABASE {scratch} WITH (FORCE)", cancellation);
            }));
            BackupVerification? verification = null;
            Func<Task> ourRun = async () => ourRestore.Add(await TimeAsync(async () => verification = await new PgBackupVerifier().TestAsync(backup!,
                new PgVerifyRequest { Server = server, ScratchPrefix = "ro_bkp_bench_verify_" }, SilentReporter.Instance, cancellation)));
            foreach (var step in i % 2 == 0 ? new[] { raw, ourRun } : new[] { ourRun, raw })
            {
                await step();
            }
            Console.WriteLine($"run {i + 1}: raw createdb+pg_restore+dropdb {rawRestore[^1]:F2} s, Test-PgBackup {ourRestore[^1]:F2} s " +
                              $"(passed: {verification!.Passed}; {string.Join(", ", verification.Levels.Select(l => $"{l.Level} {l.Duration.TotalSeconds:F1}s"))})");
        }
        var peak = PeakMb();
        Console.WriteLine($"load average at end: {File.ReadAllText("/proc/loadavg").Trim()}");

        Console.WriteLine();
        Console.WriteLine("| measure | baseline | ReleaseOps | ratio | target |");
        Console.WriteLine("| --- | --- | --- | --- | --- |");
        Console.WriteLine($"| backup wall time (median of {runs}) | pg_dump -Fc {Median(rawDump):F2} s | {Median(ourDump):F2} s | {Median(ourDump) / Median(rawDump):F3}x | <= 1.05x |");
        Console.WriteLine($"| test-restore wall time (median of {runs}) | createdb+pg_restore+dropdb {Median(rawRestore):F2} s | {Median(ourRestore):F2} s | {Median(ourRestore) / Median(rawRestore):F3}x | <= 1.2x |");
        Console.WriteLine($"| peak working set (VmHWM) | - | {peak:F1} MB | - | <= 150 MB |");

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

    /// <summary>VmHWM from /proc/self/status: the process's peak resident set.</summary>
    private static double PeakMb()
    {
        var line = File.ReadLines("/proc/self/status").First(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024.0;
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
