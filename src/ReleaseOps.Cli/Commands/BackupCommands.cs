using System.CommandLine;
using ReleaseOps.Backup;
using ReleaseOps.Cli.Rendering;
using ReleaseOps.Errors;
using ReleaseOps.Infrastructure.Postgres;
using ReleaseOps.Infrastructure.Redis;
using ReleaseOps.Operations;
using ReleaseOps.Secrets;
using ReleaseOps.Text;

namespace ReleaseOps.Cli.Commands;

/// <summary>
/// <c>backup pg|redis|list|prune</c>, <c>verify</c> and <c>restore</c>: the backup engine for shells and CI.
/// Passwords and keys come from environment variables or files (named by options), never from the command line.
/// </summary>
public sealed class BackupCommands : ICliCommandSet
{
    public IEnumerable<Command> Create(CliContext context)
    {
        var backup = new Command("backup", "Back up PostgreSQL or Redis, list backups, apply retention.");
        backup.Subcommands.Add(BackupPg(context));
        backup.Subcommands.Add(BackupRedis(context));
        backup.Subcommands.Add(BackupPlan(context));
        backup.Subcommands.Add(List(context));
        backup.Subcommands.Add(Prune(context));
        yield return backup;
        yield return Verify(context);
        yield return Restore(context);
    }

    private sealed class Shared
    {
        public readonly Option<string> Host = new("--host") { Description = "Server host.", DefaultValueFactory = _ => "127.0.0.1" };
        public readonly Option<int> Port = CommonOptions.Port("--port", "Server port (default 5432 / 6379, or the backup's source port).");
        public readonly Option<string?> User = new("--user") { Description = "User name (PostgreSQL role or Redis ACL user)." };
        public readonly Option<string?> PasswordEnv = new("--password-env")
        {
            Description = "Environment variable holding the password (default PGPASSWORD for PostgreSQL, REDISCLI_AUTH for Redis).",
        };
        public readonly Option<string?> KeyEnv = new("--encryption-key-env") { Description = "Environment variable holding the AES-256 key (base64 or hex)." };
        public readonly Option<string?> KeyFile = new("--encryption-key-file") { Description = "File holding the AES-256 key." };
        public readonly Option<OutputFormat> Output = CommonOptions.Output();

        public Command Add(Command command)
        {
            foreach (var option in new Option[] { Host, Port, User, PasswordEnv, KeyEnv, KeyFile, Output })
            {
                command.Options.Add(option);
            }
            return command;
        }

        public SecretValue? Password(ParseResult result, string defaultVariable)
        {
            var variable = result.GetValue(PasswordEnv) ?? defaultVariable;
            var value = Environment.GetEnvironmentVariable(variable);
            if (value is null && result.GetValue(PasswordEnv) is not null)
            {
                return new EnvironmentSecretSource("password", variable).Resolve();
            }
            return value is null ? null : new SecretValue(value) { Source = "env:" + variable };
        }

        public SecretValue? Key(ParseResult result) =>
            result.GetValue(KeyEnv) is { } variable ? new EnvironmentSecretSource("encryption-key", variable).Resolve()
            : result.GetValue(KeyFile) is { } file ? new FileSecretSource("encryption-key", file).Resolve()
            : null;

        public PgEndpoint Pg(ParseResult result, string database, ReleaseBackup? takenFrom = null)
        {
            var (host, port) = (takenFrom?.SourceHost, takenFrom?.SourcePort);
            var explicitHost = result.GetResult(Host) is { Implicit: false };
            return new PgEndpoint
            {
                Host = explicitHost ? result.GetValue(Host)! : host ?? result.GetValue(Host)!,
                Port = result.GetValue(Port) is > 0 and var p ? p : port ?? 5432,
                Database = database,
                Username = result.GetValue(User) ?? Environment.GetEnvironmentVariable("PGUSER") ?? Environment.UserName,
                Password = Password(result, "PGPASSWORD"),
            };
        }

        public bool IsJson(ParseResult result) => result.GetValue(Output) == OutputFormat.Json;
    }

    private static Command BackupPg(CliContext context)
    {
        var shared = new Shared();
        var database = new Option<string>("--database", "-d") { Description = "Database to back up.", Required = true };
        var destination = new Option<string>("--destination") { Description = "Backup directory.", Required = true };
        var format = new Option<string>("--format") { Description = "custom or directory.", DefaultValueFactory = _ => "custom" };
        var jobs = new Option<int>("--jobs", "-j") { Description = "Parallel jobs (directory format).", DefaultValueFactory = _ => 1 };
        var release = new Option<string?>("--release") { Description = "Release the backup belongs to." };
        var checksums = new Option<bool>("--table-checksums") { Description = "Also record per-table row hashes." };
        var verify = new Option<bool>("--verify") { Description = "Test-restore the new backup right away." };
        var command = shared.Add(new Command("pg", "Back up a PostgreSQL database with pg_dump (verified, with a manifest).")
        {
            database, destination, format, jobs, release, checksums, verify,
        });
        command.SetAction((result, cancellation) => CommonOptions.Guard(context, async () =>
        {
            var reporter = new StderrReporter(context.Error, verbose: true, progress: ProgressLines.PerActivity);
            var endpoint = shared.Pg(result, result.GetValue(database)!);
            var key = shared.Key(result);
            var taken = await new PgBackupService().BackupAsync(new PgBackupRequest
            {
                Source = endpoint,
                Destination = result.GetValue(destination)!,
                Format = result.GetValue(format)!,
                Jobs = result.GetValue(jobs),
                Release = result.GetValue(release),
                TableChecksums = result.GetValue(checksums),
                EncryptionKey = key,
            }, reporter, cancellation);
            BackupVerification? verification = null;
            if (result.GetValue(verify))
            {
                verification = await new PgBackupVerifier().TestAsync(taken, new PgVerifyRequest
                {
                    Server = endpoint.ForDatabase("postgres"),
                    Jobs = result.GetValue(jobs),
                    EncryptionKey = key,
                }, reporter, cancellation);
            }
            Write(context, shared.IsJson(result), new { backup = Describe(taken), verification }, () =>
            {
                context.Out.WriteLine($"{taken.Id}  {taken.SizeBytes:N0} bytes  sha256 {taken.Sha256}  {taken.DataPath}");
                if (verification is not null)
                {
                    WriteVerification(context.Out, verification);
                }
            });
            return verification is { Passed: false } ? ExitCodes.Problem : ExitCodes.Success;
        }));
        return command;
    }

    private static Command BackupRedis(CliContext context)
    {
        var shared = new Shared();
        var destination = new Option<string>("--destination") { Description = "Backup directory.", Required = true };
        var release = new Option<string?>("--release") { Description = "Release the backup belongs to." };
        var tls = new Option<bool>("--tls") { Description = "Connect with TLS." };
        var command = shared.Add(new Command("redis", "Back up a Redis server as an RDB snapshot over the network (SYNC).") { destination, release, tls });
        command.SetAction((result, cancellation) => CommonOptions.Guard(context, async () =>
        {
            var taken = await new RedisBackupService().BackupAsync(new RedisBackupRequest
            {
                Source = new RedisConnectionOptions
                {
                    Host = result.GetValue(shared.Host)!,
                    Port = result.GetValue(shared.Port) is > 0 and var p ? p : 6379,
                    User = result.GetValue(shared.User),
                    Password = shared.Password(result, "REDISCLI_AUTH"),
                    UseTls = result.GetValue(tls),
                    CommandTimeout = TimeSpan.FromSeconds(30),
                },
                Destination = result.GetValue(destination)!,
                Release = result.GetValue(release),
                EncryptionKey = shared.Key(result),
            }, new StderrReporter(context.Error, verbose: true, progress: ProgressLines.PerActivity), cancellation);
            Write(context, shared.IsJson(result), Describe(taken),
                () => context.Out.WriteLine($"{taken.Id}  {taken.SizeBytes:N0} bytes  sha256 {taken.Sha256}  {taken.DataPath}"));
            return ExitCodes.Success;
        }));
        return command;
    }

    private static Command BackupPlan(CliContext context)
    {
        var plan = CommonOptions.PlanArgument();
        var variables = CommonOptions.Variables();
        var names = new Option<string[]>("--name") { Description = "Only the plan's backup with this name; repeatable." };
        var release = new Option<string?>("--release") { Description = "Release the backups belong to (default: the plan's version)." };
        var output = CommonOptions.Output();
        var command = new Command("plan", "Take a plan's backups as its backups: section says (test-restored where verify: true, then retention).")
        {
            plan, variables, names, release, output,
        };
        command.SetAction((result, cancellation) => CommonOptions.Guard(context, async () =>
        {
            var loaded = await ReleaseOps.Plans.ReleasePlanLoader.LoadAsync(result.GetValue(plan)!,
                CommonOptions.ParseVariables(result.GetValue(variables)), cancellation);
            var reporter = new StderrReporter(context.Error, verbose: true, progress: ProgressLines.PerActivity);
            var backups = new PlanBackups();
            var taken = new List<ReleaseBackup>();
            foreach (var definition in PlanBackups.Select(loaded, null, result.GetValue(names)))
            {
                taken.Add(await backups.BackupAsync(definition, loaded.Secrets, BackupReasons.Manual, result.GetValue(release) ?? loaded.Version,
                    reporter, cancellation));
            }
            Write(context, result.GetValue(output) == OutputFormat.Json, taken.Select(Describe).ToArray(), () =>
            {
                foreach (var b in taken)
                {
                    context.Out.WriteLine($"{b.Id}  {b.SizeBytes:N0} bytes  sha256 {b.Sha256}  {(b.Verified == true ? "verified  " : "")}{b.DataPath}");
                }
            });
            return ExitCodes.Success;
        }));
        return command;
    }

    private static Command List(CliContext context)
    {
        var directory = new Argument<string>("directory") { Description = "Backup directory." };
        var name = new Option<string?>("--name") { Description = "Only backups filed under this name." };
        var output = CommonOptions.Output();
        var command = new Command("list", "List the complete backups in a directory, newest first.") { directory, name, output };
        command.SetAction((result, cancellation) => CommonOptions.Guard(context, async () =>
        {
            var backups = await new BackupCatalog().ListAllAsync(result.GetValue(directory)!, result.GetValue(name), null,
                new StderrReporter(context.Error, verbose: true, progress: ProgressLines.PerActivity), cancellation);
            Write(context, result.GetValue(output) == OutputFormat.Json, backups.Select(Describe).ToArray(), () =>
            {
                foreach (var b in backups)
                {
                    context.Out.WriteLine($"{b.Id,-48} {b.Kind,-8} {b.Reason,-10} {b.Release ?? "-",-10} {b.CreatedAt.UtcDateTime:yyyy-MM-dd HH:mm:ss} {b.SizeBytes,14:N0} {(b.Encrypted ? "encrypted" : "")} {(b.Verified switch { true => "verified", false => "FAILED", null => "" })}");
                }
            });
            return ExitCodes.Success;
        }));
        return command;
    }

    private static Command Prune(CliContext context)
    {
        var directory = new Argument<string>("directory") { Description = "Backup directory." };
        var keep = new Option<int?>("--keep") { Description = "Keep at most this many backups per name." };
        var maxAge = new Option<string?>("--max-age") { Description = "Remove backups older than this (e.g. 30d, 12h)." };
        var dryRun = new Option<bool>("--dry-run") { Description = "Only show what would be removed." };
        var output = CommonOptions.Output();
        var command = new Command("prune", "Apply retention: remove backups beyond a count or age, never the newest verified one.")
        {
            directory, keep, maxAge, dryRun, output,
        };
        command.SetAction((result, cancellation) => CommonOptions.Guard(context, async () =>
        {
            var request = new RetentionRequest
            {
                Directory = result.GetValue(directory)!,
                KeepCount = result.GetValue(keep),
                MaxAge = CommonOptions.Duration(result.GetValue(maxAge), "--max-age"),
            };
            var removals = new List<BackupRemoval>();
            await foreach (var removal in BackupRetention.ApplyAsync(request, result.GetValue(dryRun) ? Confirm.Never : Confirm.Always,
                               new StderrReporter(context.Error, verbose: true, progress: ProgressLines.PerActivity), cancellation))
            {
                removals.Add(removal);
            }
            Write(context, result.GetValue(output) == OutputFormat.Json,
                removals.Select(r => new { r.Id, r.Reason, r.Removed }).ToArray(), () =>
                {
                    foreach (var r in removals)
                    {
                        context.Out.WriteLine($"{(r.Removed ? "removed" : "would remove")}  {r.Id}  ({r.Reason})");
                    }
                });
            return ExitCodes.Success;
        }));
        return command;
    }

    private static Command Verify(CliContext context)
    {
        var shared = new Shared();
        var manifest = new Argument<string>("manifest") { Description = "Path of the backup's .manifest.json." };
        var quick = new Option<bool>("--quick") { Description = "Checksum and pg_restore --list only." };
        var prefix = new Option<string>("--scratch-prefix") { Description = "Prefix of the scratch database.", DefaultValueFactory = _ => "releaseops_verify_" };
        var jobs = new Option<int>("--jobs", "-j") { Description = "Parallel pg_restore jobs (directory-format backups).", DefaultValueFactory = _ => 1 };
        var command = shared.Add(new Command("verify", "Test-restore a backup: checksum, list, restore into scratch, compare counts, drop scratch.")
        {
            manifest, quick, prefix, jobs,
        });
        command.SetAction((result, cancellation) => CommonOptions.Guard(context, async () =>
        {
            var backup = await BackupCatalog.ReadAsync(result.GetValue(manifest)!, cancellation);
            var reporter = new StderrReporter(context.Error, verbose: true, progress: ProgressLines.PerActivity);
            var verification = backup.Kind == BackupKind.Redis
                ? await new RedisBackupService().TestAsync(backup, new RedisVerifyRequest { EncryptionKey = shared.Key(result) }, reporter, cancellation)
                : await new PgBackupVerifier().TestAsync(backup, new PgVerifyRequest
                {
                    Server = shared.Pg(result, "postgres", backup),
                    Depth = result.GetValue(quick) ? VerificationDepth.Quick : VerificationDepth.Full,
                    ScratchPrefix = result.GetValue(prefix)!,
                    Jobs = result.GetValue(jobs),
                    EncryptionKey = shared.Key(result),
                }, reporter, cancellation);
            Write(context, shared.IsJson(result), verification, () => WriteVerification(context.Out, verification));
            return verification.Passed ? ExitCodes.Success : ExitCodes.Problem;
        }));
        return command;
    }

    private static Command Restore(CliContext context)
    {
        var shared = new Shared();
        var manifest = new Argument<string>("manifest") { Description = "Path of the backup's .manifest.json." };
        var database = new Option<string?>("--database", "-d") { Description = "Database to restore into (default: the backup's)." };
        var terminate = new Option<bool>("--terminate-connections") { Description = "End other sessions on the target." };
        var skipEmergency = new Option<bool>("--skip-emergency-backup") { Description = "Do not back up the target first." };
        var keepReplaced = new Option<bool>("--keep-replaced") { Description = "Keep the replaced database aside." };
        var yes = new Option<bool>("--yes") { Description = "Confirm: the target database is replaced." };
        var jobs = new Option<int>("--jobs", "-j") { Description = "Parallel pg_restore jobs (directory-format backups).", DefaultValueFactory = _ => 1 };
        var command = shared.Add(new Command("restore", "Restore a PostgreSQL backup: checksum, emergency backup, staging restore, counts, swap.")
        {
            manifest, database, terminate, skipEmergency, keepReplaced, yes, jobs,
        });
        command.SetAction((result, cancellation) => CommonOptions.Guard(context, async () =>
        {
            var backup = await BackupCatalog.ReadAsync(result.GetValue(manifest)!, cancellation);
            var target = shared.Pg(result, result.GetValue(database) ?? backup.Database ?? backup.Name, backup);
            if (!result.GetValue(yes))
            {
                context.Error.WriteLine($"releaseops: restore would replace {target.Describe()} with backup {backup.Id}; add --yes to do it.");
                return ExitCodes.Usage;
            }
            var restored = await new PgRestoreService().RestoreAsync(backup, new PgRestoreRequest
            {
                Target = target,
                TerminateConnections = result.GetValue(terminate),
                SkipEmergencyBackup = result.GetValue(skipEmergency),
                KeepReplaced = result.GetValue(keepReplaced),
                Jobs = result.GetValue(jobs),
                EncryptionKey = shared.Key(result),
            }, new StderrReporter(context.Error, verbose: true, progress: ProgressLines.PerActivity), cancellation);
            Write(context, shared.IsJson(result), new
            {
                restored.BackupId, restored.Target, emergencyBackup = restored.EmergencyBackup?.Id, restored.ReplacedDatabaseKeptAs,
                restored.Levels, restored.Duration,
            }, () =>
            {
                foreach (var level in restored.Levels)
                {
                    context.Out.WriteLine($"{level.Level,-16} {level.Duration.TotalSeconds,6:F1} s  {level.Detail}");
                }
            });
            return ExitCodes.Success;
        }));
        return command;
    }

    private static object Describe(ReleaseBackup b) => new
    {
        b.Id, b.Name, b.Kind, b.Database, b.Source, b.Format, b.Reason, b.Release, b.CreatedAt, b.SizeBytes, b.Sha256, b.Encrypted, b.Verified,
        b.ManifestPath, b.DataPath, b.Manifest.Tables, b.Manifest.KeyCounts,
    };

    private static void WriteVerification(TextWriter o, BackupVerification v)
    {
        o.WriteLine($"{v.BackupId}: {(v.Passed ? "PASSED" : "FAILED")} in {v.Duration.TotalSeconds:F1} s");
        foreach (var level in v.Levels)
        {
            o.WriteLine($"  {level.Level,-10} {level.Status,-7} {level.Duration.TotalSeconds,6:F1} s  {level.Detail}");
        }
        foreach (var d in v.Differences)
        {
            o.WriteLine($"  differs: {d.Item}: expected {d.Expected}, got {d.Actual}");
        }
    }

    private static void Write(CliContext context, bool json, object value, Action text)
    {
        if (json)
        {
            RecordWriter.WriteJson(context.Out, value);
        }
        else
        {
            text();
        }
    }
}
