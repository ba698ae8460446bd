using System.Diagnostics;
using ReleaseOps.Tests.Plans;
using ReleaseOps.Tests.Support;
using Xunit;

namespace ReleaseOps.Tests.Cli;

/// <summary>
/// No input ends in an unhandled exception: a table of hostile inputs (paths that are not files, an empty path, YAML
/// nested beyond reason, an alias bomb, a file too large, durations and ports out of range) goes through every command
/// of the CLI, and each run ends with exit 1, 2, 3 or 4, one "releaseops:" line (or file:line:col diagnostics), and no
/// stack trace. And the same inputs through the cmdlets that take them.
/// </summary>
public sealed class HostileInputTests : IClassFixture<HostileInputTests.Inputs>
{
    private readonly Inputs _inputs;

    public HostileInputTests(Inputs inputs)
    {
        _inputs = inputs;
    }

    /// <summary>The hostile files, made once: a directory, a FIFO, deep YAML, an alias bomb, a 2 MiB plan, binary noise.</summary>
    public sealed class Inputs : IDisposable
    {
        public string Directory { get; } = System.IO.Directory.CreateTempSubdirectory("ro-cli-hostile-").FullName;

        public Inputs()
        {
            File.WriteAllText(Deep, "api_version: releaseops/v1\napplication: " + new string('[', 100_000) + new string(']', 100_000) + "\n");
            var bomb = new System.Text.StringBuilder("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
            for (var i = 1; i < 10; i++) bomb.Append($"a{i}: &a{i} [{string.Join(", ", Enumerable.Repeat($"*a{i - 1}", 10))}]\n");
            File.WriteAllText(Bomb, bomb.ToString());
            File.WriteAllText(Huge, "api_version: releaseops/v1\n# " + new string('x', 2 << 20) + "\n");
            File.WriteAllBytes(Noise, Enumerable.Range(0, 4096).Select(i => (byte)(i * 37 % 256)).ToArray());
            File.WriteAllText(JsonObject, "{}");
            using var mkfifo = Process.Start("mkfifo", Fifo)!;
            mkfifo.WaitForExit();
        }

        public string Deep => Path.Combine(Directory, "deep.yml");
        public string Bomb => Path.Combine(Directory, "bomb.yml");
        public string Huge => Path.Combine(Directory, "huge.yml");
        public string Noise => Path.Combine(Directory, "noise.yml");
        public string JsonObject => Path.Combine(Directory, "object.json");
        public string Fifo => Path.Combine(Directory, "fifo");
        public string Missing => Path.Combine(Directory, "missing.yml");

        /// <summary>What a command is handed where it expects a file: paths that name no file, then files no plan or manifest is.</summary>
        public IEnumerable<string> Files => new[] { "", Directory, "/dev/null", "/dev/zero", Fifo, Missing, Deep, Bomb, Huge, Noise, JsonObject };

        /// <summary>For a Markdown checklist any text is valid (it may hold no item): only the paths, and nesting too deep to read.</summary>
        public IEnumerable<string> MarkdownFiles => new[] { "", Directory, "/dev/null", "/dev/zero", Fifo, Missing, Deep };

        public void Dispose() => System.IO.Directory.Delete(Directory, recursive: true);
    }

    /// <summary>
    /// Every command, with where a hostile file goes ({0}, or {dir} where a directory is the right input and so is left
    /// out of the hostile ones) and the rest of a plausible command line.
    /// </summary>
    private static readonly string[][] FileCommands =
    {
        new[] { "validate", "{0}" },
        new[] { "show", "{0}" },
        new[] { "deploy", "{0}", "--version", "v1" },
        new[] { "rollback", "{0}" },
        new[] { "history", "{0}" },
        new[] { "unlock", "{0}" },
        new[] { "retire", "{0}" },
        new[] { "watch", "{0}", "--duration", "1s" },
        new[] { "gate", "{0}" },
        new[] { "docker-check", "{0}" },
        new[] { "backup", "plan", "{0}" },
        new[] { "backup", "list", "{dir}" },
        new[] { "backup", "prune", "{dir}", "--keep", "1", "--dry-run" },
        new[] { "verify", "{0}" },
        new[] { "restore", "{0}", "--yes" },
        new[] { "checklist", "import", "{0}" },
        new[] { "checklist", "status", "{0}", "--version", "v1" },
        new[] { "checklist", "attest", "{0}", "--item", "x", "--version", "v1", "--certificate", "{0}", "--key", "{0}" },
        new[] { "journal", "verify", "{0}" },
        new[] { "record", "export", "{0}" },
    };

    /// <summary>Hostile option values, each on the command that reads it.</summary>
    private static readonly string[][] OptionCommands =
    {
        new[] { "watch", "{plan}", "--duration", "99999999d" },
        new[] { "watch", "{plan}", "--duration", "365d" },
        new[] { "watch", "{plan}", "--interval", "0s" },
        new[] { "watch", "{plan}", "--baseline-window", "soon" },
        new[] { "backup", "prune", "{dir}", "--max-age", "garbage" },
        new[] { "backup", "prune", "{dir}", "--max-age", "99999999999d" },
        new[] { "backup", "pg", "--port", "99999", "-d", "shop", "--destination", "{dir}" },
        new[] { "backup", "pg", "--port", "-1", "-d", "shop", "--destination", "{dir}" },
        new[] { "backup", "redis", "--port", "70000", "--destination", "{dir}" },
        new[] { "gate", "--http", "not a url" },
        new[] { "gate", "--tcp", "127.0.0.1:99999" },
        new[] { "gate", "--http", "http://127.0.0.1:1/", "--timeout", "forever" },
        new[] { "deploy", "{plan}", "--version", "" },
        new[] { "history", "{plan}", "--last", "-5" },
        new[] { "record", "export", "{plan}", "--format", "pdf" },
        new[] { "show", "{plan}", "--var", "=nothing" },
    };

    public static IEnumerable<object[]> FileCases() =>
        FileCommands.Select((c, i) => new object[] { i });

    [Theory]
    [MemberData(nameof(FileCases))]
    public async Task Every_command_given_a_hostile_file_ends_in_one_clear_line(int command)
    {
        var takesDirectory = FileCommands[command].Contains("{dir}");
        var files = FileCommands[command] is ["checklist", "import", ..] ? _inputs.MarkdownFiles : _inputs.Files;
        foreach (var file in files.Where(f => !takesDirectory || f != _inputs.Directory))
        {
            var args = FileCommands[command].Select(a => a is "{0}" or "{dir}" ? file : a).ToArray();
            await AssertClearFailureAsync(args);
        }
    }

    [Fact]
    public async Task Hostile_option_values_end_in_one_clear_line()
    {
        var plan = Path.Combine(ExamplePlanTests.RepositoryRoot, "examples", "quickstart", "releaseplan.yml");
        foreach (var command in OptionCommands)
        {
            await AssertClearFailureAsync(command.Select(a => a.Replace("{plan}", plan).Replace("{dir}", _inputs.Directory)).ToArray());
        }
    }

    [Fact]
    public void An_unexpected_failure_is_exit_3_with_one_line_and_its_trace_only_with_verbose()
    {
        // A plan whose journal directory lies under a file: the deploy lock cannot be created, and the operating system
        // says so in a way no ReleaseOps error foresaw (the net that catches what nothing else does).
        var blocker = Path.Combine(_inputs.Directory, "journal-is-a-file");
        File.WriteAllText(blocker, "");
        var plan = Path.Combine(_inputs.Directory, "unexpected.yml");
        File.WriteAllText(plan, $"api_version: releaseops/v1\napplication: a\nenvironment: b\njournal: {{ path: {blocker}/x }}\n" +
            "services:\n  - { name: web, image: releaseops-test/web, port: 8080, host_ports: [21999], strategy: { type: recreate } }\n");

        var quiet = CliRunner.Run("deploy", plan, "--version", "v1");
        var verbose = CliRunner.Run("deploy", plan, "--version", "v1", "--verbose");

        Assert.Equal(3, quiet.ExitCode);
        Assert.Contains("[Unexpected]", Assert.Single(quiet.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries)));
        Assert.DoesNotContain("   at ", quiet.Error);
        Assert.Equal(3, verbose.ExitCode);
        Assert.Contains("   at ", verbose.Error);
    }

    private static async Task AssertClearFailureAsync(string[] args)
    {
        var what = "releaseops " + string.Join(' ', args.Select(a => a.Length is 0 or > 80 ? $"'{(a.Length > 80 ? a[..80] + "..." : a)}'" : a));
        // A FIFO or a device read by mistake would hang or never end: the run must end on its own.
        var run = Task.Run(() => CliRunner.Run(args));
        var result = await run.WaitAsync(TimeSpan.FromSeconds(60));

        Assert.True(result.ExitCode is >= 1 and <= 4, $"{what}: exit {result.ExitCode}\n{result.Error}");
        Assert.DoesNotContain("Unhandled exception", result.Error);
        // Each of these inputs has an error of its own, with an id and a fix: none needs the net for the unexpected.
        Assert.False(result.Error.Contains("[Unexpected]", StringComparison.Ordinal), $"{what}: {result.Error}");
        Assert.False(result.Error.Contains("   at ", StringComparison.Ordinal), $"{what}: a stack trace\n{result.Error}");
        // One "releaseops:" line per error (a usage error names each bad argument), or a plan's problems as file:line:col.
        var lines = result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(l => !l.StartsWith("Run 'releaseops --help'", StringComparison.Ordinal)).ToArray();
        var diagnostic = new System.Text.RegularExpressions.Regex(@"^\S+:\d+:\d+: ");
        if (lines.Length == 0)
        {
            // A report on stdout instead: validate's problems as file:line:col, or a gate's Error with its message.
            Assert.True(result.ExitCode == 1 && result.Out.Trim().Length > 0, $"{what}: exit {result.ExitCode}, nothing said\n{result.Out}");
            Assert.DoesNotContain("   at ", result.Out);
        }
        Assert.All(lines, l => Assert.True(l.StartsWith("releaseops: ", StringComparison.Ordinal) || diagnostic.IsMatch(l), $"{what}: '{l}'\n{result.Error}"));
        Assert.True(lines.Count(l => l.StartsWith("releaseops: ", StringComparison.Ordinal)) <= 3, $"{what}\n{result.Error}");
    }
}
