using System.Text;
using System.Text.Json;
using ReleaseOps.Backup;
using ReleaseOps.Errors;
using ReleaseOps.Secrets;
using ReleaseOps.Tests.Support;
using Xunit;

namespace ReleaseOps.Tests.Backup;

/// <summary>PostgreSQL backups, test-restores, restores and retention against the shared PostgreSQL 15.</summary>
[Collection(SharedPgCollection.Name)]
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public class PgBackupTests
{
    private const UnixFileMode Private = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private readonly SharedPgFixture _pg;

    public PgBackupTests(SharedPgFixture pg)
    {
        _pg = pg;
    }

    private PgVerifyRequest Verify(SecretValue? key = null, string? scratchName = null) => new()
    {
        Server = _pg.Server,
        ScratchPrefix = $"ro_bkp_verify_{_pg.RunTag}_",
        ScratchName = scratchName,
        EncryptionKey = key,
    };

    private Task<ReleaseBackup> BackupAsync(string destination, RecordingReporter? reporter = null, SecretValue? key = null,
        string format = "custom", int jobs = 1, bool checksums = false, string? release = null) =>
        new PgBackupService().BackupAsync(new PgBackupRequest
        {
            Source = _pg.Source,
            Destination = destination,
            Format = format,
            Jobs = jobs,
            EncryptionKey = key,
            TableChecksums = checksums,
            Release = release,
        }, reporter ?? new RecordingReporter(), CancellationToken.None);

    [Fact]
    public async Task Custom_backup_writes_a_private_file_and_a_complete_manifest_and_passes_a_full_test_restore()
    {
        var destination = _pg.NewDestination("custom");
        var reporter = new RecordingReporter();
        var backup = await BackupAsync(destination, reporter, release: "v1.2.3");

        var manifest = backup.Manifest;
        Assert.Equal(_pg.Database, manifest.Database);
        Assert.Equal("custom", manifest.Format);
        Assert.Equal("v1.2.3", manifest.Release);
        Assert.StartsWith("15.", manifest.ServerVersion);
        Assert.StartsWith("pg_dump (PostgreSQL) 15", manifest.ToolVersion);
        Assert.False(manifest.Encrypted);
        Assert.Equal(new FileInfo(backup.DataPath).Length, manifest.SizeBytes);
        Assert.Equal(64, manifest.Sha256.Length);
        Assert.True(manifest.FinishedAt >= manifest.StartedAt);
        Assert.Equal(SharedPgFixture.CustomerRows, manifest.Tables.Single(t => t.Table == "customers").Rows);
        Assert.Equal(SharedPgFixture.OrderLineRows, manifest.Tables.Single(t => t is { Schema: "Sales", Table: "Order Lines" }).Rows);
        Assert.Equal(0, manifest.Tables.Single(t => t.Table == "empty_table").Rows);
        Assert.Equal(Private, File.GetUnixFileMode(backup.DataPath));
        Assert.Equal(Private, File.GetUnixFileMode(backup.ManifestPath));
        Assert.Empty(Directory.GetFiles(destination, "*.partial"));
        Assert.Contains(reporter.Updates, p => p.Status.Contains("bytes written"));

        var listed = await new BackupCatalog().ListAsync(destination, null, null, reporter, CancellationToken.None).ToListAsync();
        Assert.Equal(backup.Id, Assert.Single(listed).Id);

        var verification = await new PgBackupVerifier().TestAsync(backup, Verify(), reporter, CancellationToken.None);
        Assert.True(verification.Passed, verification.Summary + " " + verification.Error);
        Assert.Equal(new[] { "Checksum", "List", "Restore", "RowCounts" }, verification.Levels.Select(l => l.Level));
        Assert.StartsWith($"ro_bkp_verify_{_pg.RunTag}_", verification.ScratchDatabase);
        Assert.True(verification.ScratchDropped);
        Assert.False(await _pg.DatabaseExistsAsync(verification.ScratchDatabase!));
        Assert.Empty(verification.Differences);
        Assert.True((await BackupCatalog.ReadAsync(backup.ManifestPath, CancellationToken.None)).Verified);
    }

    [Fact]
    public async Task Encrypted_backup_hides_the_data_records_no_key_and_needs_the_key_to_restore()
    {
        var destination = _pg.NewDestination("encrypted");
        var keyText = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        var key = new SecretValue(keyText) { Source = "env:RO_BKP_TEST_KEY" };
        var backup = await BackupAsync(destination, key: key, checksums: true);

        Assert.True(backup.Encrypted);
        Assert.Equal("AES-256-GCM", backup.Manifest.Encryption!.Algorithm);
        Assert.Equal("env:RO_BKP_TEST_KEY", backup.Manifest.Encryption.KeySource);
        Assert.All(backup.Manifest.Tables, t => Assert.NotNull(t.Checksum));
        var head = new byte[8];
        await using (var file = File.OpenRead(backup.DataPath))
        {
            await file.ReadExactlyAsync(head);
        }
        Assert.Equal("ROBKENC1", Encoding.ASCII.GetString(head));
        var bytes = await File.ReadAllBytesAsync(backup.DataPath);
        Assert.DoesNotContain("customer 42", Encoding.Latin1.GetString(bytes));
        CanarySecret.AssertAbsent(keyText, new[] { await File.ReadAllTextAsync(backup.ManifestPath) }, "the manifest");

        var noKey = await new PgBackupVerifier().TestAsync(backup, Verify(), new RecordingReporter(), CancellationToken.None)
            .ContinueWith(t => t.Exception?.InnerException);
        Assert.Equal("EncryptionKeyRequired", Assert.IsType<ReleaseOpsException>(noKey).ErrorId);

        var wrongKey = new SecretValue(Convert.ToHexString(new byte[32]));
        var wrong = await new PgBackupVerifier().TestAsync(backup, Verify(wrongKey), new RecordingReporter(), CancellationToken.None);
        Assert.False(wrong.Passed);
        Assert.Equal("BackupIntegrityFailure", wrong.ErrorId);
        Assert.Equal(VerificationStatus.Failed, wrong.Levels.Single(l => l.Level == "List").Status);

        var good = await new PgBackupVerifier().TestAsync(backup, Verify(key), new RecordingReporter(), CancellationToken.None);
        Assert.True(good.Passed, good.Summary + " " + good.Error);
        Assert.Contains("row hashes", good.Levels.Single(l => l.Level == "RowCounts").Detail);
    }

    [Fact]
    public async Task Directory_format_with_parallel_jobs_records_every_file_and_restores()
    {
        var destination = _pg.NewDestination("directory");
        var backup = await BackupAsync(destination, format: "directory", jobs: 2);
        Assert.True(Directory.Exists(backup.DataPath));
        Assert.Contains(backup.Manifest.Files, f => f.Path == "toc.dat");
        Assert.Equal(backup.Manifest.Files.Sum(f => f.SizeBytes), backup.SizeBytes);
        Assert.All(Directory.GetFiles(backup.DataPath), f => Assert.Equal(Private, File.GetUnixFileMode(f)));
        var verification = await new PgBackupVerifier().TestAsync(backup, Verify() with { Jobs = 2 }, new RecordingReporter(), CancellationToken.None);
        Assert.True(verification.Passed, verification.Summary + " " + verification.Error);

        var refused = await Assert.ThrowsAsync<ReleaseOpsException>(() => BackupAsync(destination, format: "custom", jobs: 4));
        Assert.Equal("BackupJobsInvalid", refused.ErrorId);
    }

    [Fact]
    public async Task A_damaged_file_in_a_directory_backup_is_named_and_the_backup_never_restored()
    {
        var backup = await BackupAsync(_pg.NewDestination("directory-damaged"), format: "directory", jobs: 2);
        var data = backup.Manifest.Files.Where(f => f.Path != "toc.dat").MaxBy(f => f.SizeBytes)!;
        var path = Path.Combine(backup.DataPath, data.Path);
        var bytes = await File.ReadAllBytesAsync(path);
        bytes[bytes.Length / 2] ^= 0x01;
        await File.WriteAllBytesAsync(path, bytes);

        var verification = await new PgBackupVerifier().TestAsync(backup, Verify() with { Jobs = 2 }, new RecordingReporter(), CancellationToken.None);
        Assert.False(verification.Passed);
        Assert.Equal("BackupIntegrityFailure", verification.ErrorId);
        Assert.Contains($"{data.Path} does not match its SHA-256 checksum", verification.Error);
        Assert.DoesNotContain("toc.dat", verification.Error);
        Assert.Equal(VerificationStatus.Failed, verification.Levels[0].Status);
        Assert.Null(verification.ScratchDatabase);

        var target = $"ro_bkp_target_{_pg.RunTag}_dirflip";
        var restore = await Assert.ThrowsAsync<ReleaseOpsException>(() => new PgRestoreService().RestoreAsync(backup,
            new PgRestoreRequest { Target = _pg.Server.ForDatabase(target), Jobs = 2 }, new RecordingReporter(), CancellationToken.None));
        Assert.Equal("BackupIntegrityFailure", restore.ErrorId);
        Assert.False(await _pg.DatabaseExistsAsync(target));

        File.Delete(path);
        var missing = await new PgBackupVerifier().TestAsync(backup, Verify(), new RecordingReporter(), CancellationToken.None);
        Assert.False(missing.Passed);
        Assert.Contains($"{data.Path} is missing", missing.Error);
    }

    [Fact]
    public async Task A_custom_backup_is_read_back_while_it_is_written_not_in_a_second_pass()
    {
        var reporter = new RecordingReporter();
        var backup = await BackupAsync(_pg.NewDestination("readback"), reporter);
        Assert.DoesNotContain(reporter.Updates, p => p.Status.Contains("verifying the written file", StringComparison.Ordinal));
        Assert.Equal((backup.Sha256, backup.SizeBytes), await ChecksumStream.HashFileAsync(backup.DataPath, CancellationToken.None));
    }

    [Fact]
    public async Task Bit_flipped_or_truncated_backups_are_reported_and_never_restored()
    {
        var destination = _pg.NewDestination("damaged");
        var flipped = await BackupAsync(destination);
        var bytes = await File.ReadAllBytesAsync(flipped.DataPath);
        bytes[bytes.Length / 2] ^= 0x01;
        await File.WriteAllBytesAsync(flipped.DataPath, bytes);

        var verification = await new PgBackupVerifier().TestAsync(flipped, Verify(), new RecordingReporter(), CancellationToken.None);
        Assert.False(verification.Passed);
        Assert.Equal("BackupIntegrityFailure", verification.ErrorId);
        Assert.Equal(VerificationStatus.Failed, verification.Levels[0].Status);
        Assert.All(verification.Levels.Skip(1), l => Assert.NotEqual(VerificationStatus.Passed, l.Status));
        Assert.Null(verification.ScratchDatabase);
        Assert.False((await BackupCatalog.ReadAsync(flipped.ManifestPath, CancellationToken.None)).Verified);

        var target = $"ro_bkp_target_{_pg.RunTag}_flip";
        var restore = await Assert.ThrowsAsync<ReleaseOpsException>(() => new PgRestoreService().RestoreAsync(flipped,
            new PgRestoreRequest { Target = _pg.Server.ForDatabase(target) }, new RecordingReporter(), CancellationToken.None));
        Assert.Equal("BackupIntegrityFailure", restore.ErrorId);
        Assert.False(await _pg.DatabaseExistsAsync(target));

        var truncated = await BackupAsync(_pg.NewDestination("truncated"));
        await using (var file = new FileStream(truncated.DataPath, FileMode.Open))
        {
            file.SetLength(file.Length - 100);
        }
        var cut = await new PgBackupVerifier().TestAsync(truncated, Verify(), new RecordingReporter(), CancellationToken.None);
        Assert.False(cut.Passed);
        Assert.Contains("truncated", cut.Error);
    }

    [Fact]
    public async Task A_taken_scratch_name_is_refused_and_the_existing_database_is_left_alone()
    {
        var backup = await BackupAsync(_pg.NewDestination("taken"));
        var taken = $"ro_bkp_taken_{_pg.RunTag}";
        await _pg.ExecuteAsync(TestEnvironment.PgDatabase, $"CREATE DATABASE {taken}");
        await _pg.ExecuteAsync(taken, "CREATE TABLE precious (id int); INSERT INTO precious VALUES (1)");

        var verification = await new PgBackupVerifier().TestAsync(backup, Verify(scratchName: taken), new RecordingReporter(), CancellationToken.None);
        Assert.False(verification.Passed);
        Assert.Equal("ScratchDatabaseTaken", verification.ErrorId);
        Assert.Equal(FailureKind.Conflict, verification.FailureKind);
        Assert.Equal(1L, await _pg.ScalarAsync(taken, "SELECT count(*) FROM precious"));

        // A generated name that collides gets the next free suffix instead.
        var auto = await new PgBackupVerifier().TestAsync(backup, Verify(), new RecordingReporter(), CancellationToken.None);
        Assert.True(auto.Passed, auto.Error);
    }

    [Fact]
    public async Task Restore_takes_an_emergency_backup_swaps_in_the_restored_data_and_refuses_a_busy_target()
    {
        var destination = _pg.NewDestination("restore");
        var backup = await BackupAsync(destination);
        var target = $"ro_bkp_target_{_pg.RunTag}";

        var created = await new PgRestoreService().RestoreAsync(backup, new PgRestoreRequest { Target = _pg.Server.ForDatabase(target) },
            new RecordingReporter(), CancellationToken.None);
        Assert.Null(created.EmergencyBackup);
        Assert.Equal((long)SharedPgFixture.CustomerRows, await _pg.ScalarAsync(target, "SELECT count(*) FROM customers"));

        await _pg.ExecuteAsync(target, "TRUNCATE \"Sales\".\"Order Lines\"; DELETE FROM customers WHERE id > 10; CREATE TABLE added_later (id int)");
        await using (var session = new Npgsql.NpgsqlConnection(_pg.Server.ForDatabase(target).ConnectionStringForTests()))
        {
            await session.OpenAsync();
            var busy = await Assert.ThrowsAsync<ReleaseOpsException>(() => new PgRestoreService().RestoreAsync(backup,
                new PgRestoreRequest { Target = _pg.Server.ForDatabase(target) }, new RecordingReporter(), CancellationToken.None));
            Assert.Equal("RestoreTargetInUse", busy.ErrorId);
        }

        var replaced = await new PgRestoreService().RestoreAsync(backup, new PgRestoreRequest { Target = _pg.Server.ForDatabase(target) },
            new RecordingReporter(), CancellationToken.None);
        Assert.NotNull(replaced.EmergencyBackup);
        Assert.Equal(BackupReasons.Emergency, replaced.EmergencyBackup!.Reason);
        Assert.Equal(10, replaced.EmergencyBackup.Manifest.Tables.Single(t => t.Table == "customers").Rows);
        Assert.Equal((long)SharedPgFixture.CustomerRows, await _pg.ScalarAsync(target, "SELECT count(*) FROM customers"));
        Assert.Equal(0L, await _pg.ScalarAsync(target, "SELECT count(*) FROM pg_class WHERE relname = 'added_later'"));
        Assert.Equal(new[] { "Checksum", "EmergencyBackup", "Restore", "RowCounts", "Swap" }, replaced.Levels.Select(l => l.Level));
    }

    [Fact]
    public async Task Retention_removes_by_count_and_age_but_keeps_the_newest_verified_backup()
    {
        var destination = _pg.NewDestination("retention");
        var oldest = await BackupAsync(destination);
        var verified = await BackupAsync(destination);
        await new PgBackupVerifier().TestAsync(verified, Verify() with { Depth = VerificationDepth.Full }, new RecordingReporter(), CancellationToken.None);
        var newest = await BackupAsync(destination);

        var all = await new BackupCatalog().ListAsync(destination, null, null, new RecordingReporter(), CancellationToken.None).ToListAsync();
        Assert.Equal(new[] { newest.Id, verified.Id, oldest.Id }, all.Select(b => b.Id));

        var byCount = BackupCatalog.SelectForRemoval(all, keepCount: 1, maxAge: null, DateTimeOffset.UtcNow);
        Assert.Equal(new[] { oldest.Id }, byCount.Select(r => r.Backup.Id));
        var byAge = BackupCatalog.SelectForRemoval(all, keepCount: null, maxAge: TimeSpan.Zero, DateTimeOffset.UtcNow.AddMinutes(1));
        Assert.Equal(new[] { newest.Id, oldest.Id }, byAge.Select(r => r.Backup.Id));

        foreach (var (backup, _) in byCount)
        {
            BackupCatalog.Remove(backup);
        }
        Assert.False(File.Exists(oldest.ManifestPath));
        Assert.False(File.Exists(oldest.DataPath));
        Assert.True(File.Exists(verified.DataPath));
    }

    [Fact]
    public async Task Wrong_password_fails_typed_leaves_nothing_and_never_shows_the_password()
    {
        var canary = CanarySecret.New();
        var destination = _pg.NewDestination("wrongpw");
        var reporter = new RecordingReporter();
        var ex = await Assert.ThrowsAsync<ReleaseOpsException>(() => new PgBackupService().BackupAsync(new PgBackupRequest
        {
            Source = _pg.Source with { Password = new SecretValue(canary) },
            Destination = destination,
        }, reporter, CancellationToken.None));
        Assert.Equal("PgAuthenticationFailed", ex.ErrorId);
        Assert.Equal(FailureKind.AuthenticationFailed, ex.Kind);
        Assert.Contains(TestEnvironment.PgUser, ex.Message);
        Assert.Empty(Directory.GetFileSystemEntries(destination));
        CanarySecret.AssertAbsent(canary, reporter.AllText().Append(ex.ToString()).Append(ex.Fix), "the wrong-password failure");
    }

    [Fact]
    public async Task A_full_destination_fails_typed_and_leaves_no_backup()
    {
        var mount = Path.Combine(_pg.Root, "tiny-" + Guid.NewGuid().ToString("N")[..6]);
        Directory.CreateDirectory(mount);
        await Shell.RunAsync("mount", "-t", "tmpfs", "-o", "size=256k", "ro-bkp-tmpfs", mount);
        try
        {
            var ex = await Assert.ThrowsAsync<ReleaseOpsException>(() => BackupAsync(mount));
            Assert.Equal("BackupDestinationFull", ex.ErrorId);
            Assert.Equal(FailureKind.ResourceExhausted, ex.Kind);
            Assert.Empty(Directory.GetFileSystemEntries(mount));
            Assert.Empty(await new BackupCatalog().ListAsync(mount, null, null, new RecordingReporter(), CancellationToken.None).ToListAsync());
        }
        finally
        {
            await Shell.RunAsync("umount", mount);
        }
    }

    [Fact]
    public void Manifest_json_uses_stable_camel_case_names()
    {
        var manifest = new BackupManifest
        {
            Id = "x-1", Name = "x", Kind = BackupKind.Postgres, Source = "h:1/db", ServerVersion = "15", Format = "custom",
            DataFile = "x-1.dump", SizeBytes = 1, Sha256 = "ab", StartedAt = DateTimeOffset.UnixEpoch, FinishedAt = DateTimeOffset.UnixEpoch,
            ToolVersion = "pg_dump", Tables = new[] { new TableRowCount("public", "t", 3) },
        };
        var json = JsonSerializer.Serialize(manifest, ManifestJson.Options);
        Assert.Contains("\"sha256\": \"ab\"", json);
        Assert.Contains("\"kind\": \"postgres\"", json);
        Assert.DoesNotContain("encrypted", json);
        Assert.Equal(manifest.Tables, JsonSerializer.Deserialize<BackupManifest>(json, ManifestJson.Options)!.Tables);
    }
}

internal static class Shell
{
    public static async Task RunAsync(string file, params string[] arguments)
    {
        var start = new System.Diagnostics.ProcessStartInfo(file) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        using var process = System.Diagnostics.Process.Start(start)!;
        var stderr = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} failed: {stderr}");
        }
    }
}
