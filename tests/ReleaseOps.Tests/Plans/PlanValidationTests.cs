using ReleaseOps.Plans;
using ReleaseOps.Secrets;
using Xunit;

namespace ReleaseOps.Tests.Plans;

public class PlanValidationTests
{
    private const string Header = "api_version: releaseops/v1\napplication: shop\nenvironment: staging\n";

    private static PlanValidation Validate(string yaml, IReadOnlyDictionary<string, string>? env = null,
        IReadOnlyDictionary<string, string>? variables = null) =>
        ReleasePlanLoader.Validate(yaml, "plan.yml", variables,
            name => env is not null && env.TryGetValue(name, out var v) ? v : null);

    private static PlanDiagnostic SingleError(PlanValidation validation)
    {
        Assert.False(validation.IsValid);
        return Assert.Single(validation.Errors);
    }

    [Fact]
    public void A_minimal_plan_is_valid()
    {
        var validation = Validate(Header);
        Assert.True(validation.IsValid, string.Join("\n", validation.Diagnostics));
        Assert.Equal("shop", validation.Plan!.Application);
        Assert.Equal("staging", validation.Plan.Environment);
    }

    [Fact]
    public void A_misspelt_key_names_position_and_suggests_the_right_key()
    {
        var error = SingleError(Validate(Header + "services:\n  - name: web\n    imagee: shop/web\n    image: shop/web\n"));
        Assert.Equal("plan.yml:6:5: unknown key 'imagee'; did you mean 'image'?", error.ToString());
        Assert.Equal("services[0].imagee", error.Path);
    }

    [Fact]
    public void Differently_written_keys_are_suggested_in_the_plan_spelling()
    {
        var error = SingleError(Validate(Header + "services:\n  - name: web\n    image: shop/web\n    strategy:\n      type: rolling\n      batchSize: 2\n"));
        Assert.Contains("unknown key 'batchSize'; did you mean 'batch_size'?", error.Message);
        Assert.Equal((9, 7), (error.Line, error.Column));
    }

    [Fact]
    public void A_wrong_type_is_reported_with_what_was_expected()
    {
        var error = SingleError(Validate(Header + "services:\n  - name: web\n    image: shop/web\n    replicas: three\n"));
        Assert.Equal("plan.yml:7:15: 'three' is not valid for 'services[0].replicas': expected a whole number of at least 1", error.ToString());
    }

    [Fact]
    public void A_list_where_a_mapping_belongs_is_a_wrong_type()
    {
        var error = SingleError(Validate(Header + "watch:\n  - duration: 5m\n"));
        Assert.Equal("WrongType", error.Code);
        Assert.Equal((5, 3), (error.Line, error.Column));
        Assert.Contains("'watch' must be a mapping", error.Message);
    }

    [Fact]
    public void A_missing_required_field_is_reported_at_its_mapping()
    {
        var error = SingleError(Validate(Header + "services:\n  - name: web\n    replicas: 2\n"));
        Assert.Equal("plan.yml:5:5: missing required key 'image' in services[0]", error.ToString());
    }

    [Fact]
    public void Missing_top_level_keys_are_all_reported()
    {
        var validation = Validate("api_version: releaseops/v1\n");
        Assert.Equal(new[] { "missing required key 'application'", "missing required key 'environment'" },
            validation.Errors.Select(e => e.Message));
    }

    [Theory]
    [InlineData("30", "expected a duration such as 500ms, 30s, 5m, 2h or 1d")]
    [InlineData("5 minutes", "expected a duration such as 500ms, 30s, 5m, 2h or 1d")]
    [InlineData("-5s", "expected a duration such as 500ms, 30s, 5m, 2h or 1d")]
    public void A_bad_duration_is_reported(string duration, string expected)
    {
        var error = SingleError(Validate(Header + $"watch:\n  duration: {duration}\n"));
        Assert.Equal($"plan.yml:5:13: '{duration}' is not valid for 'watch.duration': {expected}", error.ToString());
    }

    [Fact]
    public void Durations_parse_to_time_spans()
    {
        var plan = Validate(Header + "watch:\n  duration: 1h30m\n  interval: 500ms\n").Plan!;
        Assert.Equal(TimeSpan.FromMinutes(90), plan.Watch!.Duration);
        Assert.Equal(TimeSpan.FromMilliseconds(500), plan.Watch.Interval);
    }

    [Fact]
    public void A_bad_url_is_reported()
    {
        var error = SingleError(Validate(Header + "gates:\n  - name: api\n    type: http\n    url: localhost:8080/health\n"));
        Assert.Equal("plan.yml:7:10: 'localhost:8080/health' is not valid for 'gates[0].url': expected an absolute http:// or https:// URL", error.ToString());
    }

    [Fact]
    public void Duplicate_names_point_at_both_definitions()
    {
        var error = SingleError(Validate(Header + "services:\n  - name: web\n    image: a\n  - name: web\n    image: b\n"));
        Assert.Equal("plan.yml:7:11: duplicate name 'web' in services (first used at line 5, column 11)", error.ToString());
    }

    [Fact]
    public void Duplicate_keys_are_reported()
    {
        var error = SingleError(Validate(Header + "version: 1\nversion: 2\n"));
        Assert.Equal("plan.yml:5:1: duplicate key 'version' (first defined at line 4, column 1)", error.ToString());
    }

    [Fact]
    public void An_unknown_gate_type_is_reported_with_a_suggestion()
    {
        var error = SingleError(Validate(Header + "gates:\n  - name: api\n    type: htp\n    url: http://x/\n"));
        Assert.Equal("plan.yml:6:11: 'htp' is not valid for 'gates[0].type': expected one of "
            + string.Join(", ", ReleaseOps.Plans.Schema.GateTypeCatalog.All.Select(t => t.Name)) + "; did you mean 'http'?", error.ToString());
    }

    [Fact]
    public void Gate_settings_are_checked_against_their_type()
    {
        var validation = Validate(Header + "gates:\n  - name: cert\n    type: tls\n    hostname: example.com\n");
        Assert.Equal(new[]
        {
            "plan.yml:5:5: missing required key 'host' in gates[0]",
            "plan.yml:7:5: unknown key 'hostname' for type 'tls'; did you mean 'host'?",
        }, validation.Errors.Select(e => e.ToString()));
    }

    [Fact]
    public void Gate_settings_are_typed_and_common_fields_bound()
    {
        var plan = Validate(Header + "gates:\n  - name: api\n    type: http\n    severity: critical\n    within: 30s\n"
            + "    url: https://example.com/health\n    status: [200, 204]\n    max_latency: 500ms\n    headers: { X-Env: staging }\n").Plan!;
        var gate = Assert.Single(plan.Gates);
        Assert.Equal(GateSeverity.Critical, gate.Severity);
        Assert.Equal(TimeSpan.FromSeconds(30), gate.Within);
        Assert.Equal("infrastructure", gate.Category);
        Assert.Equal("https://example.com/health", gate.Settings.GetString("url"));
        Assert.Equal(new[] { "200", "204" }, gate.Settings.GetStrings("status"));
        Assert.Equal(TimeSpan.FromMilliseconds(500), gate.Settings.GetDuration("max_latency"));
        Assert.Equal("staging", gate.Settings.GetMap("headers")["X-Env"]);
        Assert.False(gate.Settings.Has("within"));
        Assert.Equal(new SourceLocation("plan.yml", 5, 5), gate.Location);
    }

    [Fact]
    public void Variables_come_from_the_plan_the_environment_and_parameters()
    {
        var yaml = Header + "variables:\n  tag: v1\n  host: ${env:DB_HOST}\nservices:\n  - name: web\n    image: shop/web:${var:tag}\n"
            + "backups:\n  - name: db\n    type: postgres\n    connection: { host: \"${var:host}\" }\n    destination: /b\n";
        var fromPlan = Validate(yaml, env: new Dictionary<string, string> { ["DB_HOST"] = "db.internal" });
        Assert.True(fromPlan.IsValid, string.Join("\n", fromPlan.Diagnostics));
        Assert.Equal("shop/web:v1", fromPlan.Plan!.Services[0].Image);
        Assert.Equal("db.internal", fromPlan.Plan.Backups[0].Connection.Host);

        var overridden = Validate(yaml, env: new Dictionary<string, string> { ["DB_HOST"] = "x" },
            variables: new Dictionary<string, string> { ["tag"] = "v2" });
        Assert.Equal("shop/web:v2", overridden.Plan!.Services[0].Image);
    }

    [Fact]
    public void An_environment_reference_may_name_a_fallback()
    {
        var yaml = Header + "variables:\n  port: ${env:SHOP_PORT:-5432}\nversion: ${env:SHOP_VERSION:-}\n";
        var unset = Validate(yaml);
        Assert.True(unset.IsValid, string.Join("\n", unset.Diagnostics));
        Assert.Equal("5432", unset.Plan!.Variables["port"]);
        Assert.Equal("", unset.Plan.Version);
        var set = Validate(yaml, env: new Dictionary<string, string> { ["SHOP_PORT"] = "6543" });
        Assert.Equal("6543", set.Plan!.Variables["port"]);
    }

    [Fact]
    public void An_unresolved_variable_is_reported_at_the_reference()
    {
        var validation = Validate(Header + "variables:\n  tag: v1\n  host: ${env:NOPE_HOST}\nservices:\n  - name: web\n    image: shop/web:${var:tga}\n");
        Assert.Equal(new[]
        {
            "plan.yml:6:9: unresolved variable ${env:NOPE_HOST}: environment variable NOPE_HOST is not set",
            "plan.yml:9:21: unresolved variable ${var:tga}: define it under 'variables:' or pass it as a parameter; did you mean 'tag'?",
        }, validation.Errors.Select(e => e.ToString()));
    }

    [Fact]
    public void Secrets_must_be_declared_and_stay_unresolved_in_the_plan()
    {
        var undeclared = SingleError(Validate(Header + "backups:\n  - name: db\n    type: postgres\n    destination: /b\n"
            + "    connection: { host: db, password: \"${secret:db_pasword}\" }\n"
            + "secrets:\n  db_password: { env: SHOP_DB_PASSWORD }\n"));
        Assert.Equal("UndeclaredSecret", undeclared.Code);
        Assert.Contains("did you mean 'db_password'?", undeclared.Message);

        const string canary = "canary-plan-secret-4711";
        var plan = Validate(Header + "secrets:\n  db_password: { env: SHOP_DB_PASSWORD }\nbackups:\n  - name: db\n    type: postgres\n"
            + "    destination: /b\n    connection: { host: db, password: \"${secret:db_password}\" }\n",
            env: new Dictionary<string, string> { ["SHOP_DB_PASSWORD"] = canary }).Plan!;
        Assert.Equal("${secret:db_password}", plan.Backups[0].Connection.Password);
        Assert.DoesNotContain(canary, System.Text.Json.JsonSerializer.Serialize(plan));
        Assert.IsType<EnvironmentSecretSource>(Assert.Single(plan.Secrets.Sources));
    }

    [Fact]
    public void A_secret_is_expanded_only_at_use_and_never_shown()
    {
        const string canary = "canary-expand-secret-0815";
        Environment.SetEnvironmentVariable("RELEASEOPS_TEST_CANARY_TOKEN", canary);
        try
        {
            var plan = ReleasePlanLoader.Parse(Header + "secrets:\n  token: { env: RELEASEOPS_TEST_CANARY_TOKEN }\n");
            var value = plan.Secrets.Expand("Bearer ${secret:token}")!;
            Assert.Equal("Bearer " + canary, value.Reveal());
            Assert.Equal(SecretValue.Mask, value.ToString());
            Assert.Equal(SecretValue.Mask, $"{value}");
        }
        finally
        {
            Environment.SetEnvironmentVariable("RELEASEOPS_TEST_CANARY_TOKEN", null);
        }
    }

    [Fact]
    public void A_secret_needs_exactly_one_source()
    {
        var error = SingleError(Validate(Header + "secrets:\n  token: { env: A, file: /b }\n"));
        Assert.Equal("plan.yml:5:10: secret 'token' needs exactly one source: env, file or docker", error.ToString());
    }

    [Fact]
    public void Enum_values_are_checked_with_a_suggestion()
    {
        var error = SingleError(Validate(Header + "services:\n  - name: web\n    image: a\n    strategy: { type: bluegreen }\n"));
        Assert.Contains("'bluegreen' is not valid for 'services[0].strategy.type': expected one of recreate, rolling, blue-green, canary; did you mean 'blue-green'?", error.Message);
    }

    [Fact]
    public void Strategies_that_switch_traffic_need_a_proxy_and_canary_steps_must_end_at_100()
    {
        var validation = Validate(Header + "services:\n  - name: web\n    image: a\n    strategy: { type: canary, steps: [10, 50] }\n");
        Assert.Equal(new[] { "ProxyRequired", "CanarySteps" }, validation.Errors.Select(e => e.Code));
    }

    [Fact]
    public void A_standby_is_read_for_blue_green_and_refused_for_a_strategy_without_an_old_color()
    {
        var service = "proxy: { upstream_file: up.conf }\nservices:\n  - name: web\n    image: a\n    strategy: { type: TYPE, standby: 15m }\n";
        var blueGreen = Validate(Header + service.Replace("TYPE", "blue-green"));
        Assert.Empty(blueGreen.Errors);
        Assert.Equal(TimeSpan.FromMinutes(15), blueGreen.Plan!.Services[0].Strategy.Standby);
        var rolling = SingleError(Validate(Header + service.Replace("TYPE", "rolling")));
        Assert.Equal("StandbyWithoutBlueGreen", rolling.Code);
        Assert.Contains("the strategy is rolling, which has no old color to keep", rolling.Message);
    }

    [Fact]
    public void A_malformed_condition_is_reported_at_the_offending_character()
    {
        var error = SingleError(Validate(Header + "gates:\n  - name: api\n    type: http\n    url: http://x/\n    expect: status === 200\n"));
        Assert.Equal("InvalidCondition", error.Code);
        Assert.Equal(8, error.Line);
        Assert.Equal(22, error.Column); // the third =
        Assert.StartsWith("condition 'status === 200':", error.Message);
    }

    [Fact]
    public void Every_problem_is_collected_not_just_the_first()
    {
        var validation = Validate(Header + "sevices: []\nservices:\n  - name: web\n    replicas: 0\n    strategy: { type: rolling, drain: soon }\n");
        Assert.Equal(new[] { "UnknownKey", "MissingKey", "InvalidValue", "InvalidValue" }, validation.Errors.Select(e => e.Code));
    }

    [Fact]
    public void Tabs_in_indentation_get_a_positioned_message_with_the_cause()
    {
        var error = SingleError(Validate(Header + "services:\n\t- name: web\n"));
        Assert.Equal("MalformedYaml", error.Code);
        Assert.Equal(5, error.Line);
        Assert.Contains("tab characters cannot indent YAML; indent with spaces", error.Message);
        Assert.StartsWith("plan.yml:5:", error.ToString());
    }

    [Fact]
    public void Bad_indentation_gets_a_positioned_message()
    {
        var error = SingleError(Validate(Header + "services:\n  - name: web\n     image: a\n    replicas: 2\n"));
        Assert.Equal("MalformedYaml", error.Code);
        Assert.Equal(6, error.Line);
        Assert.Contains("indentation", error.Message);
    }

    [Fact]
    public void An_unclosed_quote_gets_a_positioned_message()
    {
        var error = SingleError(Validate(Header + "description: \"unfinished\nversion: 1\n"));
        Assert.Equal("MalformedYaml", error.Code);
        Assert.Equal(4, error.Line);
        Assert.Contains("quote left unclosed", error.Message);
    }

    [Fact]
    public void An_empty_plan_says_what_it_needs()
    {
        var error = SingleError(Validate("# nothing here\n"));
        Assert.Equal("plan.yml:1:1: the plan is empty; it needs at least api_version, application and environment", error.ToString());
    }

    [Fact]
    public void Loading_an_invalid_plan_throws_with_every_diagnostic()
    {
        var ex = Assert.Throws<PlanInvalidException>(() => ReleasePlanLoader.Parse(Header + "colour: blue\nreplicas: 2\n"));
        Assert.Equal("PlanInvalid", ex.ErrorId);
        Assert.Equal(ReleaseOps.Errors.FailureKind.InvalidConfiguration, ex.Kind);
        Assert.Equal(2, ex.Diagnostics.Count);
        Assert.Contains("plan.yml:4:1: unknown key 'colour'", ex.Message);
    }

    [Fact]
    public async Task A_missing_plan_file_is_a_clear_error()
    {
        var ex = await Assert.ThrowsAsync<ReleaseOps.Errors.ReleaseOpsException>(() => ReleasePlanLoader.LoadAsync("/nonexistent/plan.yml"));
        Assert.Equal("PlanNotFound", ex.ErrorId);
        Assert.Equal(ReleaseOps.Errors.FailureKind.NotFound, ex.Kind);
        Assert.Contains("/nonexistent/plan.yml", ex.Message);
    }

    [Fact]
    public async Task Paths_in_a_plan_file_are_relative_to_the_plan_not_the_current_directory()
    {
        var directory = Directory.CreateTempSubdirectory("ro-plan-paths-").FullName;
        try
        {
            var file = Path.Combine(directory, "releaseplan.yml");
            await File.WriteAllTextAsync(file, Header + """
                docker: { host: "unix:///run/docker.sock", cert_path: certs }
                proxy: { upstream_file: nginx/upstream.conf, config_file: /etc/nginx/nginx.conf }
                journal: { path: state/journal }
                secrets:
                  token: { file: secrets/token }
                backups:
                  - name: db
                    type: postgres
                    connection: { host: 127.0.0.1, database: shop }
                    destination: ../backups
                """);
            var plan = await ReleasePlanLoader.LoadAsync(file);
            Assert.Equal(Path.Combine(directory, "certs"), plan.Docker.CertPath);
            Assert.Equal(Path.Combine(directory, "nginx", "upstream.conf"), plan.Proxy!.UpstreamFile);
            Assert.Equal("/etc/nginx/nginx.conf", plan.Proxy.ConfigFile);
            Assert.Equal(Path.Combine(directory, "state", "journal"), plan.Journal.Path);
            Assert.Equal(Path.GetFullPath(Path.Combine(directory, "..", "backups")), plan.Backups[0].Destination);
            Assert.Equal(Path.Combine(directory, "secrets", "token"), Assert.IsType<FileSecretSource>(plan.Secrets.Sources.Single()).Path);

            await File.WriteAllTextAsync(file, Header);
            Assert.Equal(Path.Combine(directory, ".releaseops", "journal"), (await ReleasePlanLoader.LoadAsync(file)).Journal.Path);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
