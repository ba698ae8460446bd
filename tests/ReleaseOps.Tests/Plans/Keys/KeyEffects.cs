namespace ReleaseOps.Tests.Plans.Keys;

/// <summary>
/// For each key of the plan schema (a path as <see cref="SchemaKeys"/> writes it), the tests that show what the key does:
/// a run against the real services, a bound value that a run reads, or a refusal it causes. <see cref="KeyRuleTests"/>
/// fails on a schema key with no entry here and no refusal in the schema, and on an entry naming a test that does not exist.
/// </summary>
public static class KeyEffects
{
    public static IReadOnlyDictionary<string, string[]> Registry { get; } =
        Reviewed.Concat(ReviewedServicesWatchBackups).Concat(ReviewedGates).ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);

    /// <summary>Entries chosen by reading the test: it sets the key and asserts on what the key changes.</summary>
    private static Dictionary<string, string[]> Reviewed => new(StringComparer.Ordinal)
    {
        ["watch.after_deploy"] = new[]
        {
            "DeploymentWatchTests.A_healthy_watch_makes_the_release_a_success_a_breach_rolls_it_back_in_the_same_operation_and_no_watch_skips_it",
            "DeploymentWatchTests.An_inconclusive_watch_is_no_evidence_and_the_release_is_rolled_back",
        },
        // Swarm: the hardened stack example deployed, its spec read back through dockerd (SwarmStackTests).
        ["docker.relay_image"] = new[] { "SwarmStackTests.The_hardened_stack_deploys_v1_and_v2_with_its_spec_in_dockerd_rotates_a_secret_and_rolls_back", "SwarmPlanTests.The_hardened_example_binds_every_swarm_key" },
        ["networks"] = new[] { "SwarmStackTests.The_hardened_stack_deploys_v1_and_v2_with_its_spec_in_dockerd_rotates_a_secret_and_rolls_back", "SwarmPlanTests.A_declared_network_no_swarm_service_joins_is_refused" },
        ["networks.*.internal"] = new[] { "SwarmStackTests.The_hardened_stack_deploys_v1_and_v2_with_its_spec_in_dockerd_rotates_a_secret_and_rolls_back" },
        ["services[].memory_reservation"] = new[] { "SwarmStackTests.The_hardened_stack_deploys_v1_and_v2_with_its_spec_in_dockerd_rotates_a_secret_and_rolls_back", "SwarmPlanTests.Swarm_only_keys_on_a_container_service_are_refused" },
        ["services[].cpus_reservation"] = new[] { "SwarmStackTests.The_hardened_stack_deploys_v1_and_v2_with_its_spec_in_dockerd_rotates_a_secret_and_rolls_back" },
        ["services[].strategy.standby"] = new[]
        {
            "StandbyTests.The_old_color_stays_warm_out_of_the_proxy_and_a_rollback_switches_back_to_it_without_starting_anything",
            "StandbyTests.The_window_ends_with_StopStandby_or_the_next_release_and_the_journal_says_so",
            "PlanValidationTests.A_standby_is_read_for_blue_green_and_refused_for_a_strategy_without_an_old_color",
        },
        ["watch.probes[type=metrics].headers"] = new[] { "VerdictTests.A_metrics_probe_sends_its_headers_with_secrets_expanded" },
        ["api_version"] = new[] { "PlanValidationTests.An_empty_plan_says_what_it_needs", "PlanValidationTests.Missing_top_level_keys_are_all_reported" },
        ["application"] = new[] { "ProxyAndCmdletTests.Invoke_Deployment_streams_steps_then_the_result_and_Get_Deployment_filters_the_journal" },
        ["environment"] = new[] { "ProxyAndCmdletTests.Invoke_Deployment_streams_steps_then_the_result_and_Get_Deployment_filters_the_journal" },
        ["version"] = new[] { "PlanKeyEffectTests.Version_is_what_a_deployment_releases_when_none_is_given" },
        ["description"] = new[] { "PlanKeyEffectTests.Description_is_shown_with_the_plan" },
        ["variables"] = new[] { "PlanValidationTests.Variables_come_from_the_plan_the_environment_and_parameters" },
        ["secrets"] = new[] { "PlanValidationTests.A_secret_is_expanded_only_at_use_and_never_shown", "PlanValidationTests.Secrets_must_be_declared_and_stay_unresolved_in_the_plan" },
        ["secrets.*.env"] = new[] { "FaultTests.A_secret_in_the_service_environment_reaches_the_container_and_nothing_else", "ProbeSecretTests.Secrets_in_smoke_checks_and_probes_are_sent_expanded_and_never_recorded" },
        ["docker"] = new[] { "DockerCliTests.Docker_check_reads_the_plans_docker_section_and_writes_json" },
        ["docker.host"] = new[] { "DockerCliTests.Docker_check_reads_the_plans_docker_section_and_writes_json", "DockerCliTests.An_unreachable_engine_exits_3_with_the_typed_message" },
        ["docker.tls_verify"] = new[] { "DockerEndpointTests.The_plans_fields_win_over_the_environment" },
        ["docker.cert_path"] = new[] { "DockerEndpointTests.The_plans_fields_win_over_the_environment", "PlanValidationTests.Paths_in_a_plan_file_are_relative_to_the_plan_not_the_current_directory" },
        ["proxy"] = new[] { "VerificationTests.Blue_green_failing_verification_behind_the_proxy_rolls_back_without_a_failed_request" },
        ["proxy.type"] = new[] { "VerificationTests.Blue_green_failing_verification_behind_the_proxy_rolls_back_without_a_failed_request" },
        ["proxy.upstream_file"] = new[] { "ProxyAndCmdletTests.Canary_weights_are_written_as_nginx_weights_and_read_back", "NginxConfigTests.An_upstream_defined_twice_in_the_managed_file_is_refused_naming_it" },
        ["proxy.config_file"] = new[] { "ProxyAndCmdletTests.A_configuration_nginx_rejects_is_rolled_back_to_the_previous_upstreams" },
        ["proxy.binary"] = new[] { "RecoveryTests.An_nginx_check_failing_mid_rollout_rolls_back_and_leaves_no_stray_instance", "ChildEnvironmentTests.Nginx_does_not_inherit_a_secret_of_ours" },
        ["proxy.public_url"] = new[] { "VerificationTests.Blue_green_failing_verification_behind_the_proxy_rolls_back_without_a_failed_request" },
        ["journal"] = new[] { "ProxyAndCmdletTests.Invoke_Deployment_streams_steps_then_the_result_and_Get_Deployment_filters_the_journal" },
        ["journal.store"] = new[] { "PostgresSslModeTests.Ssl_mode_require_is_refused_by_the_server_without_ssl_in_the_gate_the_journal_and_a_backup" },
        ["journal.path"] = new[] { "PlanValidationTests.Paths_in_a_plan_file_are_relative_to_the_plan_not_the_current_directory", "FaultTests.A_secret_in_the_service_environment_reaches_the_container_and_nothing_else" },
        ["journal.connection"] = new[] { "PostgresSslModeTests.Ssl_mode_require_is_refused_by_the_server_without_ssl_in_the_gate_the_journal_and_a_backup" },
        ["journal.connection.host"] = new[] { "PostgresSslModeTests.Ssl_mode_require_is_refused_by_the_server_without_ssl_in_the_gate_the_journal_and_a_backup" },
        ["journal.connection.port"] = new[] { "PostgresSslModeTests.Ssl_mode_require_is_refused_by_the_server_without_ssl_in_the_gate_the_journal_and_a_backup" },
        ["journal.connection.database"] = new[] { "PostgresSslModeTests.Ssl_mode_require_is_refused_by_the_server_without_ssl_in_the_gate_the_journal_and_a_backup" },
        ["journal.connection.username"] = new[] { "PostgresSslModeTests.Ssl_mode_require_is_refused_by_the_server_without_ssl_in_the_gate_the_journal_and_a_backup" },
        ["journal.connection.password"] = new[] { "PostgresSslModeTests.Ssl_mode_require_is_refused_by_the_server_without_ssl_in_the_gate_the_journal_and_a_backup", "PostgresJournalTests.A_wrong_password_is_a_typed_authentication_failure_that_does_not_echo_it" },
        ["journal.connection.ssl_mode"] = new[] { "PostgresSslModeTests.Ssl_mode_require_is_refused_by_the_server_without_ssl_in_the_gate_the_journal_and_a_backup" },
        ["services"] = new[] { "StrategyTests.Rolling_start_first_two_replicas" },
        ["services[].name"] = new[] { "ServiceSpecTests.Volumes_capabilities_healthcheck_restart_logging_and_limits_are_set_on_the_containers_and_pass_the_hardening_gate" },
        ["services[].image"] = new[] { "StrategyTests.Rolling_start_first_two_replicas", "FaultTests.A_missing_image_fails_before_anything_changes" },
        ["services[].target"] = new[] { "SwarmTests.A_swarm_service_is_updated_watched_by_task_state_and_rolled_back" },
        ["services[].replicas"] = new[] { "VerificationTests.Rolling_with_one_of_three_new_replicas_dead_is_not_a_success", "StrategyKeyTests.Stop_first_replaces_a_batch_of_at_most_max_unavailable" },
        ["services[].port"] = new[] { "StrategyTests.Rolling_start_first_two_replicas" },
        ["services[].host_ports"] = new[] { "StrategyTests.Rolling_start_first_two_replicas" },
        ["services[].env"] = new[] { "FaultTests.A_secret_in_the_service_environment_reaches_the_container_and_nothing_else" },
        ["services[].secrets"] = new[] { "KeyRefusalTests.Docker_secrets_on_a_container_service_are_refused_and_env_secret_references_are_the_way", "SwarmStackTests.The_hardened_stack_deploys_v1_and_v2_with_its_spec_in_dockerd_rotates_a_secret_and_rolls_back" },
        ["services[].networks"] = new[] { "DockerContainerTests.A_container_on_two_networks_gets_both_and_one_that_cannot_be_connected_is_removed_again" },
        ["services[].labels"] = new[] { "ServiceSpecTests.Volumes_capabilities_healthcheck_restart_logging_and_limits_are_set_on_the_containers_and_pass_the_hardening_gate" },
        ["services[].command"] = new[] { "DockerContainerTests.A_zero_grace_stop_kills_at_once_even_when_the_container_ignores_the_stop_signal" },
        ["services[].user"] = new[] { "ServiceSpecTests.Volumes_capabilities_healthcheck_restart_logging_and_limits_are_set_on_the_containers_and_pass_the_hardening_gate" },
        ["services[].read_only"] = new[] { "ServiceSpecTests.Volumes_capabilities_healthcheck_restart_logging_and_limits_are_set_on_the_containers_and_pass_the_hardening_gate" },
        ["services[].memory"] = new[] { "ServiceSpecTests.Volumes_capabilities_healthcheck_restart_logging_and_limits_are_set_on_the_containers_and_pass_the_hardening_gate" },
        ["services[].cpus"] = new[] { "ServiceSpecTests.Volumes_capabilities_healthcheck_restart_logging_and_limits_are_set_on_the_containers_and_pass_the_hardening_gate" },
        ["services[].volumes"] = new[] { "ServiceSpecTests.Volumes_capabilities_healthcheck_restart_logging_and_limits_are_set_on_the_containers_and_pass_the_hardening_gate", "SwarmStackTests.The_hardened_stack_deploys_v1_and_v2_with_its_spec_in_dockerd_rotates_a_secret_and_rolls_back" },
        ["services[].cap_drop"] = new[] { "ServiceSpecTests.Volumes_capabilities_healthcheck_restart_logging_and_limits_are_set_on_the_containers_and_pass_the_hardening_gate" },
        ["services[].cap_add"] = new[] { "ServiceSpecTests.Volumes_capabilities_healthcheck_restart_logging_and_limits_are_set_on_the_containers_and_pass_the_hardening_gate" },
        ["services[].healthcheck"] = new[] { "ServiceSpecTests.Volumes_capabilities_healthcheck_restart_logging_and_limits_are_set_on_the_containers_and_pass_the_hardening_gate" },
        ["services[].healthcheck.test"] = new[] { "ServiceSpecTests.Volumes_capabilities_healthcheck_restart_logging_and_limits_are_set_on_the_containers_and_pass_the_hardening_gate" },
        ["services[].healthcheck.interval"] = new[] { "ServiceSpecTests.Volumes_capabilities_healthcheck_restart_logging_and_limits_are_set_on_the_containers_and_pass_the_hardening_gate" },
        ["services[].healthcheck.timeout"] = new[] { "ServiceSpecTests.Volumes_capabilities_healthcheck_restart_logging_and_limits_are_set_on_the_containers_and_pass_the_hardening_gate" },
        ["services[].healthcheck.retries"] = new[] { "ServiceSpecTests.Volumes_capabilities_healthcheck_restart_logging_and_limits_are_set_on_the_containers_and_pass_the_hardening_gate" },
        ["services[].healthcheck.start_period"] = new[] { "ServiceSpecTests.Volumes_capabilities_healthcheck_restart_logging_and_limits_are_set_on_the_containers_and_pass_the_hardening_gate" },
        ["services[].restart"] = new[] { "ServiceSpecTests.Volumes_capabilities_healthcheck_restart_logging_and_limits_are_set_on_the_containers_and_pass_the_hardening_gate" },
        ["services[].logging"] = new[] { "ServiceSpecTests.Volumes_capabilities_healthcheck_restart_logging_and_limits_are_set_on_the_containers_and_pass_the_hardening_gate" },
        ["services[].logging.driver"] = new[] { "ServiceSpecTests.Volumes_capabilities_healthcheck_restart_logging_and_limits_are_set_on_the_containers_and_pass_the_hardening_gate" },
        ["services[].logging.options"] = new[] { "ServiceSpecTests.Volumes_capabilities_healthcheck_restart_logging_and_limits_are_set_on_the_containers_and_pass_the_hardening_gate" },
        ["services[].strategy"] = new[] { "StrategyTests.Rolling_start_first_two_replicas", "StrategyTests.Recreate", "StrategyTests.Blue_green_switches_back_to_the_kept_color", "StrategyTests.Canary_steps_through_weights" },
        ["services[].strategy.type"] = new[] { "StrategyTests.Recreate", "StrategyTests.Blue_green_switches_back_to_the_kept_color", "StrategyTests.Canary_steps_through_weights" },
        ["services[].strategy.batch_size"] = new[] { "StrategyKeyTests.Stop_first_replaces_a_batch_of_at_most_max_unavailable" },
        ["services[].strategy.order"] = new[] { "StrategyKeyTests.Stop_first_replaces_a_batch_of_at_most_max_unavailable" },
        ["services[].strategy.max_unavailable"] = new[] { "StrategyKeyTests.Stop_first_replaces_a_batch_of_at_most_max_unavailable" },
        ["services[].strategy.drain"] = new[] { "StrategyTests.Blue_green_switches_back_to_the_kept_color" },
        ["services[].strategy.steps"] = new[] { "StrategyTests.Canary_steps_through_weights", "PlanValidationTests.Strategies_that_switch_traffic_need_a_proxy_and_canary_steps_must_end_at_100" },
        ["services[].strategy.pause"] = new[] { "StrategyTests.Canary_steps_through_weights" },
        ["services[].strategy.health_timeout"] = new[] { "FaultTests.A_hanging_health_endpoint_fails_within_the_probe_timeout", "ProbeSecretTests.A_probes_interval_spaces_the_readiness_attempts_on_a_new_instance" },
        ["services[].strategy.stop_grace_period"] = new[] { "DockerContainerTests.A_zero_grace_stop_kills_at_once_even_when_the_container_ignores_the_stop_signal" },
        ["services[].strategy.analysis.url"] = new[] { "PrometheusCanaryTests.A_canary_whose_error_ratio_is_worse_than_stables_fails_its_step_and_a_like_one_passes" },
        ["services[].strategy.analysis.username"] = new[] { "MonitoringGateTests.Basic_auth_and_bearer_tokens_over_tls_work_and_wrong_credentials_never_leak" },
        ["services[].strategy.analysis.password"] = new[] { "MonitoringGateTests.Basic_auth_and_bearer_tokens_over_tls_work_and_wrong_credentials_never_leak" },
        ["services[].strategy.analysis.ca_file"] = new[] { "MonitoringGateTests.Basic_auth_and_bearer_tokens_over_tls_work_and_wrong_credentials_never_leak" },
        ["services[].strategy.analysis.insecure"] = new[] { "MonitoringGateTests.Basic_auth_and_bearer_tokens_over_tls_work_and_wrong_credentials_never_leak" },
        ["services[].strategy.analysis.metrics[].name"] = new[] { "PrometheusCanaryTests.A_canary_whose_error_ratio_is_worse_than_stables_fails_its_step_and_a_like_one_passes" },
        ["services[].strategy.analysis.metrics[].query"] = new[] { "PrometheusCanaryTests.The_versions_matchers_go_where_the_query_says_selector" },
        ["services[].health"] = new[] { "FaultTests.A_version_whose_health_fails_is_rolled_back_and_the_result_names_the_probe_and_value" },
        ["services[].health[].name"] = new[] { "FaultTests.A_version_whose_health_fails_is_rolled_back_and_the_result_names_the_probe_and_value" },
        ["services[].health[].type"] = new[] { "KeyRefusalTests.Service_probes_of_type_container_or_metrics_are_refused_naming_what_to_use", "FaultTests.A_version_whose_health_fails_is_rolled_back_and_the_result_names_the_probe_and_value" },
        ["services[].health[].url"] = new[] { "FaultTests.A_version_whose_health_fails_is_rolled_back_and_the_result_names_the_probe_and_value", "ProbeSecretTests.Secrets_in_smoke_checks_and_probes_are_sent_expanded_and_never_recorded" },
        ["services[].health[].interval"] = new[] { "ProbeSecretTests.A_probes_interval_spaces_the_readiness_attempts_on_a_new_instance" },
        ["services[].health[].timeout"] = new[] { "FaultTests.A_hanging_health_endpoint_fails_within_the_probe_timeout" },
        ["services[].health[].expect"] = new[] { "FaultTests.A_version_whose_health_fails_is_rolled_back_and_the_result_names_the_probe_and_value" },
        ["services[].health[].headers"] = new[] { "ProbeSecretTests.Secrets_in_smoke_checks_and_probes_are_sent_expanded_and_never_recorded" },
        ["services[].smoke"] = new[] { "ProbeSecretTests.Secrets_in_smoke_checks_and_probes_are_sent_expanded_and_never_recorded" },
        ["services[].smoke[].name"] = new[] { "ProbeSecretTests.A_failing_check_with_a_secret_in_its_url_names_the_url_masked" },
        ["services[].smoke[].method"] = new[] { "ProbeSecretTests.Secrets_in_smoke_checks_and_probes_are_sent_expanded_and_never_recorded" },
        ["services[].smoke[].url"] = new[] { "ProbeSecretTests.Secrets_in_smoke_checks_and_probes_are_sent_expanded_and_never_recorded" },
        ["services[].smoke[].body"] = new[] { "ProbeSecretTests.Secrets_in_smoke_checks_and_probes_are_sent_expanded_and_never_recorded" },
        ["services[].smoke[].headers"] = new[] { "ProbeSecretTests.Secrets_in_smoke_checks_and_probes_are_sent_expanded_and_never_recorded" },
        ["services[].smoke[].expect"] = new[] { "ProbeSecretTests.A_failing_check_with_a_secret_in_its_url_names_the_url_masked" },
        ["services[].migration"] = new[] { "StrategyKeyTests.A_migration_runs_its_command_with_its_env_in_its_image_and_a_failing_or_slow_one_stops_the_release" },
        ["services[].migration.command"] = new[] { "StrategyKeyTests.A_migration_runs_its_command_with_its_env_in_its_image_and_a_failing_or_slow_one_stops_the_release" },
        ["services[].migration.image"] = new[] { "StrategyKeyTests.A_migration_runs_its_command_with_its_env_in_its_image_and_a_failing_or_slow_one_stops_the_release" },
        ["services[].migration.timeout"] = new[] { "StrategyKeyTests.A_migration_runs_its_command_with_its_env_in_its_image_and_a_failing_or_slow_one_stops_the_release" },
        ["services[].migration.env"] = new[] { "StrategyKeyTests.A_migration_runs_its_command_with_its_env_in_its_image_and_a_failing_or_slow_one_stops_the_release" },
        ["gates"] = new[] { "GateRunnerTests.Reports_carry_every_gate_with_outcome_evidence_and_verdict", "StandardReleaseTests.A_failing_critical_pre_deploy_gate_stops_the_release_before_anything_changes" },
        ["gates[].name"] = new[] { "GateRunnerTests.Selection_by_name_category_severity_and_tag" },
        ["gates[].type"] = new[] { "PlanValidationTests.An_unknown_gate_type_is_reported_with_a_suggestion", "GateRunnerTests.Reports_carry_every_gate_with_outcome_evidence_and_verdict" },
        ["gates[].stage"] = new[] { "StandardReleaseTests.Gates_and_backups_run_in_a_release_and_a_rollback_restores_the_database" },
        ["gates[].expect"] = new[] { "HttpGateTests.Status_latency_body_json_and_headers_pass_against_a_healthy_endpoint" },
        ["gates[type=http]"] = new[] { "HttpGateTests.Status_latency_body_json_and_headers_pass_against_a_healthy_endpoint" },
        ["gates[type=http].url"] = new[] { "HttpGateTests.Status_latency_body_json_and_headers_pass_against_a_healthy_endpoint" },
        ["gates[type=http].method"] = new[] { "HttpGateTests.Method_headers_and_body_are_sent_as_written_and_cors_asks_about_the_method_from_the_origin" },
        ["gates[type=http].headers"] = new[] { "HttpGateTests.Method_headers_and_body_are_sent_as_written_and_cors_asks_about_the_method_from_the_origin", "GateRunnerTests.A_canary_secret_never_reaches_results_evidence_verbose_text_or_any_report" },
        ["gates[type=http].body"] = new[] { "HttpGateTests.Method_headers_and_body_are_sent_as_written_and_cors_asks_about_the_method_from_the_origin" },
        ["gates[type=http].ca_file"] = new[] { "HttpGateTests.Https_with_a_pinned_ca_passes_and_without_it_is_an_error_that_says_how_to_trust_it" },
        ["gates[type=http].status"] = new[] { "HttpGateTests.Status_latency_body_json_and_headers_pass_against_a_healthy_endpoint" },
        ["gates[type=http].json"] = new[] { "HttpGateTests.Status_latency_body_json_and_headers_pass_against_a_healthy_endpoint", "HttpGateTests.A_wrong_status_or_json_value_fails_with_a_message_that_names_what_was_seen" },
        ["gates[type=tls]"] = new[] { "TlsAndTcpGateTests.A_year_long_certificate_from_the_pinned_ca_passes", "TlsAndTcpGateTests.A_certificate_expiring_in_5_days_fails_the_30_day_floor" },
        ["gates[type=tls].host"] = new[] { "TlsAndTcpGateTests.A_year_long_certificate_from_the_pinned_ca_passes" },
        ["gates[type=tls].port"] = new[] { "TlsAndTcpGateTests.A_year_long_certificate_from_the_pinned_ca_passes" },
        ["gates[type=tls].min_days"] = new[] { "TlsAndTcpGateTests.A_certificate_expiring_in_5_days_fails_the_30_day_floor" },
        ["gates[type=tls].ca_file"] = new[] { "TlsAndTcpGateTests.A_year_long_certificate_from_the_pinned_ca_passes", "TlsAndTcpGateTests.An_untrusted_chain_and_a_wrong_host_name_fail" },
        ["gates[type=security-headers].method"] = new[] { "HttpGateTests.Method_headers_and_body_are_sent_as_written_and_cors_asks_about_the_method_from_the_origin" },
        ["gates[type=security-headers].headers"] = new[] { "HttpGateTests.Method_headers_and_body_are_sent_as_written_and_cors_asks_about_the_method_from_the_origin" },
        ["gates[type=security-headers].body"] = new[] { "HttpGateTests.Method_headers_and_body_are_sent_as_written_and_cors_asks_about_the_method_from_the_origin" },
        ["gates[type=security-headers].min_hsts_max_age"] = new[] { "HttpGateTests.Min_hsts_max_age_fails_a_max_age_below_it" },
        ["gates[type=cors].method"] = new[] { "HttpGateTests.Method_headers_and_body_are_sent_as_written_and_cors_asks_about_the_method_from_the_origin" },
        ["gates[type=cors].headers"] = new[] { "HttpGateTests.Method_headers_and_body_are_sent_as_written_and_cors_asks_about_the_method_from_the_origin" },
        ["gates[type=cors].body"] = new[] { "HttpGateTests.Method_headers_and_body_are_sent_as_written_and_cors_asks_about_the_method_from_the_origin" },
        ["gates[type=cors].origin"] = new[] { "HttpGateTests.Method_headers_and_body_are_sent_as_written_and_cors_asks_about_the_method_from_the_origin" },
        ["gates[type=tcp]"] = new[] { "TlsAndTcpGateTests.Tcp_open_and_closed_states" },
        ["gates[type=tcp].host"] = new[] { "TlsAndTcpGateTests.Tcp_open_and_closed_states" },
        ["gates[type=tcp].port"] = new[] { "TlsAndTcpGateTests.Tcp_open_and_closed_states" },
        ["gates[type=docker-container].label"] = new[] { "ServiceSpecTests.Volumes_capabilities_healthcheck_restart_logging_and_limits_are_set_on_the_containers_and_pass_the_hardening_gate" },
        ["gates[type=docker-container].require_healthy"] = new[] { "ServiceSpecTests.Volumes_capabilities_healthcheck_restart_logging_and_limits_are_set_on_the_containers_and_pass_the_hardening_gate" },
        ["gates[type=docker-service].min_replicas"] = new[] { "DockerGateTests.Min_replicas_and_database_ports_change_what_passes" },
        ["gates[type=docker-hardening].label"] = new[] { "ServiceSpecTests.Volumes_capabilities_healthcheck_restart_logging_and_limits_are_set_on_the_containers_and_pass_the_hardening_gate" },
        ["gates[type=docker-hardening].rules"] = new[] { "ServiceSpecTests.Volumes_capabilities_healthcheck_restart_logging_and_limits_are_set_on_the_containers_and_pass_the_hardening_gate", "DockerGateTests.Min_replicas_and_database_ports_change_what_passes" },
        ["gates[type=docker-hardening].allowed_capabilities"] = new[] { "ServiceSpecTests.Volumes_capabilities_healthcheck_restart_logging_and_limits_are_set_on_the_containers_and_pass_the_hardening_gate" },
        ["gates[type=docker-hardening].database_ports"] = new[] { "DockerGateTests.Min_replicas_and_database_ports_change_what_passes" },
        ["gates[type=docker-swarm]"] = new[] { "DockerGateTests.Service_swarm_network_and_image_size" },
        ["gates[type=env-policy].flag_secrets"] = new[] { "HostAndPolicyGateTests.Flag_secrets_and_exit_code_change_what_passes" },
        ["gates[type=postgres]"] = new[] { "PostgresGateTests.Settings_on_pass_and_settings_off_fail" },
        ["gates[type=postgres].connection"] = new[] { "PostgresGateTests.Settings_on_pass_and_settings_off_fail" },
        ["gates[type=postgres].connection.host"] = new[] { "PostgresSslModeTests.Ssl_mode_require_is_refused_by_the_server_without_ssl_in_the_gate_the_journal_and_a_backup" },
        ["gates[type=postgres].connection.port"] = new[] { "PostgresSslModeTests.Ssl_mode_require_is_refused_by_the_server_without_ssl_in_the_gate_the_journal_and_a_backup" },
        ["gates[type=postgres].connection.database"] = new[] { "PostgresGateTests.Settings_on_pass_and_settings_off_fail" },
        ["gates[type=postgres].connection.username"] = new[] { "PostgresSslModeTests.Ssl_mode_require_is_refused_by_the_server_without_ssl_in_the_gate_the_journal_and_a_backup" },
        ["gates[type=postgres].connection.password"] = new[] { "PostgresGateTests.A_wrong_password_is_an_error_that_never_shows_the_password" },
        ["gates[type=postgres].connection.ssl_mode"] = new[] { "PostgresSslModeTests.Ssl_mode_require_is_refused_by_the_server_without_ssl_in_the_gate_the_journal_and_a_backup" },
        ["gates[type=redis]"] = new[] { "RedisGateTests.The_hardened_server_passes_and_the_open_one_fails_every_rule" },
        ["gates[type=redis].connection"] = new[] { "RedisGateTests.The_shared_server_requires_a_password_and_has_aof" },
        ["gates[type=redis].connection.host"] = new[] { "RedisGateTests.The_shared_server_requires_a_password_and_has_aof" },
        ["gates[type=redis].connection.port"] = new[] { "RedisGateTests.The_shared_server_requires_a_password_and_has_aof" },
        ["gates[type=redis].connection.password"] = new[] { "RedisGateTests.A_wrong_password_is_an_error_without_the_password" },
        ["gates[type=redis].connection.ssl_mode"] = new[] { "RedisGateTests.Ssl_mode_require_asks_for_tls_which_the_plain_server_refuses" },
        ["gates[type=command]"] = new[] { "HostAndPolicyGateTests.Command_exit_code_output_timeout_and_secret_environment" },
        ["gates[type=command].exit_code"] = new[] { "HostAndPolicyGateTests.Flag_secrets_and_exit_code_change_what_passes" },
        ["gates[type=scan-report]"] = new[] { "SecurityEvidenceGateTests.A_trivy_report_of_the_deployed_image_fails_on_high_findings_until_an_allow_entry_covers_them" },
        ["backups[].connection.ssl_mode"] = new[] { "PostgresSslModeTests.Ssl_mode_require_is_refused_by_the_server_without_ssl_in_the_gate_the_journal_and_a_backup" },
        ["backups[].before_deploy"] = new[] { "BackupBeforeDeployTests.Before_deploy_false_leaves_a_backup_out_of_the_deployment" },
        ["watch.duration"] = new[] { "VerdictTests.An_endpoint_down_from_the_start_and_a_watch_shorter_than_the_window_is_Inconclusive_never_Healthy" },
        ["watch.interval"] = new[] { "HealthWatchTests.Each_injected_degradation_breaches_its_criterion_at_the_right_time" },
        ["watch.probes[].interval"] = new[] { "HealthWatchTests.A_healthy_endpoint_stays_healthy_and_the_watch_is_saved_as_the_next_baseline" },
        ["watch.probes[type=http]"] = new[] { "HealthWatchTests.Each_injected_degradation_breaches_its_criterion_at_the_right_time" },
        ["watch.probes[type=http].url"] = new[] { "HealthWatchTests.Each_injected_degradation_breaches_its_criterion_at_the_right_time" },
        ["watch.probes[type=http].headers"] = new[] { "HealthWatchTests.Probe_expectations_read_status_body_and_json_in_the_gate_language" },
        ["watch.probes[type=tcp]"] = new[] { "HealthWatchTests.A_healthy_endpoint_stays_healthy_and_the_watch_is_saved_as_the_next_baseline" },
        ["watch.probes[type=tcp].host"] = new[] { "HealthWatchTests.A_healthy_endpoint_stays_healthy_and_the_watch_is_saved_as_the_next_baseline" },
        ["watch.probes[type=tcp].port"] = new[] { "HealthWatchTests.A_healthy_endpoint_stays_healthy_and_the_watch_is_saved_as_the_next_baseline" },
        ["watch.probes[type=tcp].url"] = new[] { "WatchProbePlanTests.Every_probe_type_binds_its_own_settings" },
        ["watch.probes[type=container]"] = new[] { "ContainerAndCmdletTests.Samples_a_web_v1_container_and_the_shared_nginx" },
        ["watch.probes[type=container].container"] = new[] { "ContainerAndCmdletTests.Samples_a_web_v1_container_and_the_shared_nginx", "ContainerAndCmdletTests.A_missing_container_is_a_failed_sample_not_an_error" },
        ["watch.probes[type=metrics]"] = new[] { "HealthWatchTests.A_healthy_endpoint_stays_healthy_and_the_watch_is_saved_as_the_next_baseline" },
        ["watch.probes[type=metrics].url"] = new[] { "HealthWatchTests.A_healthy_endpoint_stays_healthy_and_the_watch_is_saved_as_the_next_baseline" },
        ["watch.probes[type=prometheus]"] = new[] { "WatchProbeTests.A_job_success_ratio_from_prometheus_holds_and_then_breaches_when_the_team_metric_drops" },
        ["watch.probes[type=prometheus].url"] = new[] { "WatchProbeTests.A_job_success_ratio_from_prometheus_holds_and_then_breaches_when_the_team_metric_drops" },
        ["watch.probes[type=prometheus].bearer_token"] = new[] { "WatchProbeTests.A_probe_expectation_fails_samples_and_bad_queries_or_credentials_fail_them_without_leaking" },
        ["watch.probes[type=prometheus].query"] = new[] { "WatchProbeTests.A_job_success_ratio_from_prometheus_holds_and_then_breaches_when_the_team_metric_drops" },
        ["watch.probes[type=container-logs]"] = new[] { "WatchProbeTests.Failed_logins_in_a_containers_logs_are_counted_each_interval_and_breach_a_rate_criterion" },
        ["watch.probes[type=container-logs].container"] = new[] { "WatchProbeTests.Failed_logins_in_a_containers_logs_are_counted_each_interval_and_breach_a_rate_criterion" },
        ["watch.probes[type=container-logs].pattern"] = new[] { "WatchProbeTests.Failed_logins_in_a_containers_logs_are_counted_each_interval_and_breach_a_rate_criterion" },
        ["watch.probes[type=postgres]"] = new[] { "DatastoreProbeTests.Connections_are_watched_and_a_leak_breaches_once_they_climb" },
        ["watch.probes[type=postgres].connection.ssl_mode"] = new[] { "DatastoreProbeTests.Ssl_mode_require_is_asked_of_postgres_and_redis_and_the_plain_servers_refuse_it" },
        ["watch.probes[type=postgres].query"] = new[] { "DatastoreProbeTests.A_query_that_is_not_a_number_or_a_wrong_password_fails_samples_without_the_password" },
        ["watch.probes[type=redis]"] = new[] { "DatastoreProbeTests.Redis_memory_clients_and_evictions_are_watched_and_evictions_breach" },
        ["watch.probes[type=redis].connection"] = new[] { "DatastoreProbeTests.The_test_environments_redis_is_watched_through_a_connection_map" },
        ["watch.probes[type=redis].connection.ssl_mode"] = new[] { "DatastoreProbeTests.Ssl_mode_require_is_asked_of_postgres_and_redis_and_the_plain_servers_refuse_it" },
        ["watch.probes[type=redis].configuration"] = new[] { "DatastoreProbeTests.Redis_memory_clients_and_evictions_are_watched_and_evictions_breach" },
        ["watch.probes[type=command]"] = new[] { "WatchProbeTests.A_command_runs_without_a_shell_with_only_its_environment_and_its_secret_masked" },
        ["watch.probes[type=command].run"] = new[] { "WatchProbeTests.A_command_runs_without_a_shell_with_only_its_environment_and_its_secret_masked" },
        ["watch.probes[type=command].env"] = new[] { "WatchProbeTests.A_command_runs_without_a_shell_with_only_its_environment_and_its_secret_masked" },
        ["watch.criteria"] = new[] { "HealthWatchTests.Each_injected_degradation_breaches_its_criterion_at_the_right_time" },
        ["watch.criteria[].name"] = new[] { "HealthWatchTests.Each_injected_degradation_breaches_its_criterion_at_the_right_time" },
        ["watch.criteria[].expect"] = new[] { "HealthWatchTests.Each_injected_degradation_breaches_its_criterion_at_the_right_time" },
        ["watch.criteria[].window"] = new[] { "HealthWatchTests.Each_injected_degradation_breaches_its_criterion_at_the_right_time" },
        ["watch.criteria[].for"] = new[] { "HealthWatchTests.Each_injected_degradation_breaches_its_criterion_at_the_right_time" },
        ["watch.criteria[].severity"] = new[] { "VerdictTests.Healthy_only_when_every_criterion_was_judged_and_held" },
        ["watch.rollback_on_breach"] = new[] { "VerdictTests.RollbackOnBreach_rolls_back_on_evidence_and_leaves_an_inconclusive_release_alone", "WatchRollbackTests.A_breached_watch_rolls_the_release_back_to_the_previous_version" },
        ["notifications"] = new[] { "ReleaseNotificationsTests.Rolled_back_releases_and_rollbacks_are_told_in_words_and_journaled" },
        ["notifications[].name"] = new[] { "ReleaseNotificationsTests.A_webhook_that_fails_is_journaled_and_the_release_event_still_returns" },
        ["notifications[].type"] = new[] { "ReleaseNotifierTests.A_json_notification_is_delivered_once_and_logged" },
        ["notifications[].url"] = new[] { "ReleaseNotifierTests.Secrets_in_the_url_and_headers_reach_the_webhook_and_nothing_else" },
        ["notifications[].format"] = new[] { "ReleaseNotifierTests.Slack_and_teams_receive_their_own_message_formats" },
        ["notifications[].on"] = new[] { "ReleaseNotifierTests.Channels_are_told_only_about_the_events_they_listen_for" },
        ["notifications[].headers"] = new[] { "ReleaseNotifierTests.Secrets_in_the_url_and_headers_reach_the_webhook_and_nothing_else" },
        ["notifications[].timeout"] = new[] { "ReleaseNotifierTests.A_webhook_that_never_answers_times_out_each_attempt_and_is_given_up_without_an_exception" },
        ["notifications[].retries"] = new[] { "ReleaseNotifierTests.Server_errors_are_retried_with_exponential_backoff_on_the_given_clock" },
    };

    /// <summary>
    /// Entries first matched by a script, then read one by one (issue 12): secrets, services, backups, watch and checklist keys, and the
    /// alertmanager, command, compose and container-logs gates. Each test sets the key and asserts on what it changes; the
    /// comment says what the matched entry named before when a test was dropped or replaced.
    /// </summary>
    private static Dictionary<string, string[]> ReviewedServicesWatchBackups => new(StringComparer.Ordinal)
    {
        // was: two backup tests whose secrets are env: secrets.
        ["secrets.*.file"] = new[] { "PlanKeyEffectTests.A_file_secret_is_read_from_its_file_at_use_and_a_docker_secret_from_run_secrets", "PlanValidationTests.Paths_in_a_plan_file_are_relative_to_the_plan_not_the_current_directory" },
        // was: a watch rollback test and a docker-socket gate test, neither declaring a docker: secret.
        ["secrets.*.docker"] = new[] { "PlanKeyEffectTests.A_file_secret_is_read_from_its_file_at_use_and_a_docker_secret_from_run_secrets" },
        ["services[].strategy.analysis"] = new[] { "PrometheusCanaryTests.A_canary_whose_error_ratio_is_worse_than_stables_fails_its_step_and_a_like_one_passes", "WatchProbePlanTests.A_canary_analysis_binds_and_needs_selector_and_a_canary_strategy" },
        // read by SettingConnections.Monitoring, as the prometheus gate's; was also: a watch-probe binding test.
        ["services[].strategy.analysis.bearer_token"] = new[] { "MonitoringGateTests.Basic_auth_and_bearer_tokens_over_tls_work_and_wrong_credentials_never_leak" },
        // was also: a Test-ReleaseGate piping test.
        ["services[].strategy.analysis.canary"] = new[] { "PrometheusCanaryTests.A_canary_whose_error_ratio_is_worse_than_stables_fails_its_step_and_a_like_one_passes" },
        ["services[].strategy.analysis.stable"] = new[] { "PrometheusCanaryTests.A_canary_whose_error_ratio_is_worse_than_stables_fails_its_step_and_a_like_one_passes" },
        // was also: the checklist binding test.
        ["services[].strategy.analysis.step"] = new[] { "PrometheusCanaryTests.A_canary_whose_error_ratio_is_worse_than_stables_fails_its_step_and_a_like_one_passes" },
        // was: canary judge tests, which take judge options, not the plan's metrics.
        ["services[].strategy.analysis.metrics"] = new[] { "PrometheusCanaryTests.A_canary_whose_error_ratio_is_worse_than_stables_fails_its_step_and_a_like_one_passes" },
        ["services[].strategy.analysis.metrics[].direction"] = new[] { "PrometheusCanaryTests.The_versions_matchers_go_where_the_query_says_selector", "CanaryJudgeTests.Better_is_not_worse_and_lower_is_worse_metrics_fail_when_lower" },
        // was: tests that set the judge's default tolerance, never the metric's.
        ["services[].strategy.analysis.metrics[].tolerance"] = new[] { "PrometheusCanaryTests.A_metrics_tolerance_is_how_much_worse_than_stable_the_canary_may_be" },
        ["services[].strategy.analysis.metrics[].critical"] = new[] { "PrometheusCanaryTests.A_canary_whose_error_ratio_is_worse_than_stables_fails_its_step_and_a_like_one_passes", "PrometheusCanaryTests.The_versions_matchers_go_where_the_query_says_selector", "CanaryJudgeTests.A_failing_critical_metric_fails_the_canary_whatever_the_score" },
        // was: docker CLI tests (docker.host).
        ["services[].health[].host"] = new[] { "ProbeKeyTests.A_tcp_probes_host_replaces_the_instances_host" },
        // was: a container test and a docker endpoint test.
        ["services[].health[].port"] = new[] { "FaultTests.A_hanging_health_endpoint_fails_within_the_probe_timeout" },
        // was: two container tests with no smoke check.
        ["services[].smoke[].timeout"] = new[] { "ProbeKeyTests.A_smoke_checks_timeout_is_how_long_it_waits_for_an_answer" },
        ["backups"] = new[] { "PlanBackupsTests.Pre_deploy_backup_is_filed_for_the_release_and_rollback_restores_it", "BackupCmdletTests.A_yaml_plan_drives_the_backup_with_its_secret_references" },
        // was also: a manifest JSON test of the engine's request, not the plan.
        ["backups[].name"] = new[] { "BackupCmdletTests.A_yaml_plan_drives_the_backup_with_its_secret_references", "PlanBackupsTests.Pre_deploy_backup_is_filed_for_the_release_and_rollback_restores_it" },
        ["backups[].type"] = new[] { "BackupCmdletTests.A_yaml_plan_drives_the_backup_with_its_secret_references", "PlanBackupsTests.Pre_deploy_backup_is_filed_for_the_release_and_rollback_restores_it" },
        ["backups[].connection"] = new[] { "PlanBackupsTests.Pre_deploy_backup_is_filed_for_the_release_and_rollback_restores_it", "BackupCmdletTests.A_yaml_plan_drives_the_backup_with_its_secret_references" },
        // was also: a SIGKILL test of the engine's request.
        ["backups[].connection.host"] = new[] { "BackupCmdletTests.A_yaml_plan_drives_the_backup_with_its_secret_references", "PlanBackupsTests.Pre_deploy_backup_is_filed_for_the_release_and_rollback_restores_it" },
        // was also: a SIGKILL test of the engine's request.
        ["backups[].connection.port"] = new[] { "BackupCmdletTests.A_yaml_plan_drives_the_backup_with_its_secret_references", "PlanBackupsTests.Pre_deploy_backup_is_filed_for_the_release_and_rollback_restores_it" },
        // was also: a CLI test taking no plan.
        ["backups[].connection.database"] = new[] { "PlanBackupsTests.Pre_deploy_backup_is_filed_for_the_release_and_rollback_restores_it", "BackupCmdletTests.A_yaml_plan_drives_the_backup_with_its_secret_references" },
        ["backups[].connection.username"] = new[] { "BackupCmdletTests.A_yaml_plan_drives_the_backup_with_its_secret_references", "PlanBackupsTests.Pre_deploy_backup_is_filed_for_the_release_and_rollback_restores_it" },
        // was also: a wrong-password test of the engine's request.
        ["backups[].connection.password"] = new[] { "BackupCmdletTests.A_yaml_plan_drives_the_backup_with_its_secret_references", "PlanBackupsTests.Pre_deploy_backup_is_filed_for_the_release_and_rollback_restores_it" },
        // was also: a CLI test taking no plan.
        ["backups[].destination"] = new[] { "BackupCmdletTests.A_plan_backup_is_test_restored_and_retention_applied_as_the_plan_says", "PlanBackupsTests.A_definitions_format_jobs_encryption_key_and_max_age_reach_the_backup_it_takes" },
        // was: engine-request tests.
        ["backups[].format"] = new[] { "PlanBackupsTests.A_definitions_format_jobs_encryption_key_and_max_age_reach_the_backup_it_takes" },
        // was: an engine-request test and a watch-probe binding test.
        ["backups[].jobs"] = new[] { "PlanBackupsTests.A_definitions_format_jobs_encryption_key_and_max_age_reach_the_backup_it_takes" },
        // was also: a CLI test taking no plan.
        ["backups[].verify"] = new[] { "BackupCmdletTests.A_plan_backup_is_test_restored_and_retention_applied_as_the_plan_says", "PlanBackupsTests.A_definitions_format_jobs_encryption_key_and_max_age_reach_the_backup_it_takes" },
        // was: a Redis engine-request test.
        ["backups[].encryption_key"] = new[] { "PlanBackupsTests.A_definitions_format_jobs_encryption_key_and_max_age_reach_the_backup_it_takes" },
        ["backups[].retention"] = new[] { "BackupCmdletTests.A_plan_backup_is_test_restored_and_retention_applied_as_the_plan_says", "PlanBackupsTests.Pre_deploy_backup_is_filed_for_the_release_and_rollback_restores_it" },
        // was also: an engine-request retention test.
        ["backups[].retention.count"] = new[] { "BackupCmdletTests.A_plan_backup_is_test_restored_and_retention_applied_as_the_plan_says", "PlanBackupsTests.Pre_deploy_backup_is_filed_for_the_release_and_rollback_restores_it" },
        // was: a cmdlet -MaxAge test and a Docker secret-age gate test.
        ["backups[].retention.max_age"] = new[] { "PlanBackupsTests.A_definitions_format_jobs_encryption_key_and_max_age_reach_the_backup_it_takes" },
        ["watch"] = new[] { "ContainerAndCmdletTests.The_cli_watches_a_plan_and_exits_1_on_breach_with_json_output", "ContainerAndCmdletTests.The_cmdlet_watches_a_plan_file_streams_samples_reports_progress_and_exports_reports_without_leaking_secrets" },
        ["watch.probes"] = new[] { "ContainerAndCmdletTests.Samples_a_web_v1_container_and_the_shared_nginx", "ContainerAndCmdletTests.The_cli_watches_a_plan_and_exits_1_on_breach_with_json_output" },
        // was: tests that never read a probe's name.
        ["watch.probes[].name"] = new[] { "ContainerAndCmdletTests.Samples_a_web_v1_container_and_the_shared_nginx" },
        ["watch.probes[].type"] = new[] { "ContainerAndCmdletTests.A_missing_container_is_a_failed_sample_not_an_error", "ContainerAndCmdletTests.Samples_a_web_v1_container_and_the_shared_nginx" },
        ["watch.probes[].timeout"] = new[] { "HealthWatchTests.Each_injected_degradation_breaches_its_criterion_at_the_right_time", "WatchProbeTests.A_command_that_outlives_its_timeout_is_killed_and_its_output_condition_is_reported_masked" },
        // was: tests with no failing expectation.
        ["watch.probes[].expect"] = new[] { "HealthWatchTests.Probe_expectations_read_status_body_and_json_in_the_gate_language", "WatchProbeTests.A_probe_expectation_fails_samples_and_bad_queries_or_credentials_fail_them_without_leaking" },
        // was: prometheus gate tests and a binding test.
        ["watch.probes[type=prometheus].username"] = new[] { "WatchProbeTests.A_prometheus_probe_behind_tls_uses_its_basic_credentials_and_its_ca_file_or_insecure" },
        // was: prometheus gate tests and a binding test.
        ["watch.probes[type=prometheus].password"] = new[] { "WatchProbeTests.A_prometheus_probe_behind_tls_uses_its_basic_credentials_and_its_ca_file_or_insecure" },
        ["watch.probes[type=prometheus].ca_file"] = new[] { "WatchProbeTests.A_prometheus_probe_behind_tls_uses_its_basic_credentials_and_its_ca_file_or_insecure", "WatchProbeTests.A_probe_expectation_fails_samples_and_bad_queries_or_credentials_fail_them_without_leaking" },
        // was: a prometheus gate test.
        ["watch.probes[type=prometheus].insecure"] = new[] { "WatchProbeTests.A_prometheus_probe_behind_tls_uses_its_basic_credentials_and_its_ca_file_or_insecure" },
        // was: container-logs gate tests.
        ["watch.probes[type=container-logs].service"] = new[] { "ContainerLogsProbeKeyTests.A_logs_probe_reads_a_services_tasks_matching_case_as_asked_within_its_window" },
        // was: a gate test and a binding test.
        ["watch.probes[type=container-logs].ignore_case"] = new[] { "ContainerLogsProbeKeyTests.A_logs_probe_reads_a_services_tasks_matching_case_as_asked_within_its_window", "WatchProbeTests.Failed_logins_in_a_containers_logs_are_counted_each_interval_and_breach_a_rate_criterion" },
        // was: a gate test and a binding test.
        ["watch.probes[type=container-logs].window"] = new[] { "ContainerLogsProbeKeyTests.A_logs_probe_reads_a_services_tasks_matching_case_as_asked_within_its_window" },
        ["watch.probes[type=postgres].connection"] = new[] { "DatastoreProbeTests.Connections_are_watched_and_a_leak_breaches_once_they_climb", "DatastoreProbeTests.The_connection_map_says_which_server_database_and_user_a_probe_connects_to" },
        // was: tests with one host, one failing on ssl_mode.
        ["watch.probes[type=postgres].connection.host"] = new[] { "DatastoreProbeTests.The_connection_map_says_which_server_database_and_user_a_probe_connects_to" },
        // was: tests with one port.
        ["watch.probes[type=postgres].connection.port"] = new[] { "DatastoreProbeTests.Replication_lag_shows_on_the_standby_and_the_primary_when_replay_stops", "DatastoreProbeTests.The_connection_map_says_which_server_database_and_user_a_probe_connects_to" },
        // was: a backup cmdlet test and a plan-path test.
        ["watch.probes[type=postgres].connection.database"] = new[] { "DatastoreProbeTests.The_connection_map_says_which_server_database_and_user_a_probe_connects_to" },
        // was: a backup cmdlet test and a gate canary test.
        ["watch.probes[type=postgres].connection.username"] = new[] { "DatastoreProbeTests.The_connection_map_says_which_server_database_and_user_a_probe_connects_to" },
        // was also: a redis probe test using configuration:.
        ["watch.probes[type=postgres].connection.password"] = new[] { "DatastoreProbeTests.A_query_that_is_not_a_number_or_a_wrong_password_fails_samples_without_the_password" },
        ["watch.probes[type=redis].connection.host"] = new[] { "DatastoreProbeTests.The_connection_map_says_which_server_database_and_user_a_probe_connects_to" },
        ["watch.probes[type=redis].connection.port"] = new[] { "DatastoreProbeTests.The_connection_map_says_which_server_database_and_user_a_probe_connects_to" },
        // was: a binding test and a backup-age gate test.
        ["watch.probes[type=redis].connection.username"] = new[] { "DatastoreProbeTests.The_connection_map_says_which_server_database_and_user_a_probe_connects_to" },
        // was also: a redis probe test using configuration:.
        // was: a redis gate test and a binding test; the probe read only INFO (server-wide), so database selected nothing: it now also counts the database's keys.
        ["watch.probes[type=redis].connection.database"] = new[] { "DatastoreProbeTests.A_redis_probes_database_is_the_one_whose_keys_it_counts" },
        ["watch.probes[type=redis].connection.password"] = new[] { "DatastoreProbeTests.The_test_environments_redis_is_watched_through_a_connection_map", "DatastoreProbeTests.The_connection_map_says_which_server_database_and_user_a_probe_connects_to" },
        // was: a binding test.
        ["watch.probes[type=command].working_directory"] = new[] { "WatchProbeTests.A_command_runs_without_a_shell_with_only_its_environment_and_its_secret_masked" },
        ["watch.criteria[].probe"] = new[] { "ContainerAndCmdletTests.Samples_a_web_v1_container_and_the_shared_nginx", "DatastoreProbeTests.Connections_are_watched_and_a_leak_breaches_once_they_climb" },
        // was also: the binding test.
        ["checklist"] = new[] { "ChecklistServiceTests.Each_item_gets_its_status_from_its_gate_step_attestation_or_binding", "ChecklistFrontEndTests.The_cli_imports_reports_attests_verifies_and_refuses_what_it_must" },
        // was: binding/validation tests.
        ["checklist.files"] = new[] { "ChecklistServiceTests.Items_are_bound_by_id_or_match_and_the_rest_are_listed_unbound", "ChecklistServiceTests.A_missing_checklist_file_is_reported_against_the_plan" },
        ["checklist.roles"] = new[] { "ChecklistServiceTests.Attestations_are_refused_for_the_wrong_role_an_untrusted_certificate_or_an_item_not_bound_to_a_role", "ChecklistPlanTests.Attestations_need_trusted_certificates_and_roles_need_members", "ChecklistPlanTests.A_sign_off_gate_needs_a_checklist_and_known_roles" },
        ["checklist.trust"] = new[] { "ChecklistServiceTests.Attestations_are_refused_for_the_wrong_role_an_untrusted_certificate_or_an_item_not_bound_to_a_role", "ChecklistPlanTests.Attestations_need_trusted_certificates_and_roles_need_members" },
        ["checklist.items"] = new[] { "ChecklistServiceTests.Items_are_bound_by_id_or_match_and_the_rest_are_listed_unbound" },
        // was also: a test binding by match only.
        ["checklist.items[].id"] = new[] { "ChecklistServiceTests.Items_are_bound_by_id_or_match_and_the_rest_are_listed_unbound", "ChecklistServiceTests.Bindings_that_pick_nothing_or_pick_an_item_twice_are_reported_at_their_position" },
        ["checklist.items[].match"] = new[] { "ChecklistServiceTests.Items_are_bound_by_id_or_match_and_the_rest_are_listed_unbound", "ChecklistServiceTests.Bindings_that_pick_nothing_or_pick_an_item_twice_are_reported_at_their_position" },
        // was also: a missing-file test.
        ["checklist.items[].gate"] = new[] { "ChecklistServiceTests.Each_item_gets_its_status_from_its_gate_step_attestation_or_binding" },
        // was: the binding test and a Prometheus canary test.
        ["checklist.items[].step"] = new[] { "ChecklistServiceTests.Each_item_gets_its_status_from_its_gate_step_attestation_or_binding", "ChecklistServiceTests.A_step_binding_narrowed_to_a_service_is_judged_by_that_services_step_only" },
        ["checklist.items[].service"] = new[] { "ChecklistServiceTests.A_step_binding_narrowed_to_a_service_is_judged_by_that_services_step_only" },
        // was: the binding test and a backup CLI test.
        ["checklist.items[].backup"] = new[] { "ChecklistServiceTests.Items_bound_to_a_backup_or_a_watch_criterion_take_their_state_from_it" },
        // was: the binding test and a watch CLI test.
        ["checklist.items[].watch"] = new[] { "ChecklistServiceTests.Items_bound_to_a_backup_or_a_watch_criterion_take_their_state_from_it" },
        ["checklist.items[].attest"] = new[] { "ChecklistServiceTests.An_attestation_is_signed_with_the_persons_key_and_holds_for_the_version_only", "ChecklistServiceTests.Sign_offs_list_what_is_missing_before_deploying_and_nothing_once_signed" },
        // was: the binding test only.
        ["checklist.items[].stage"] = new[] { "ChecklistServiceTests.Items_are_bound_by_id_or_match_and_the_rest_are_listed_unbound", "ChecklistServiceTests.Sign_offs_list_what_is_missing_before_deploying_and_nothing_once_signed" },
        ["checklist.items[].not_applicable"] = new[] { "ChecklistServiceTests.Each_item_gets_its_status_from_its_gate_step_attestation_or_binding" },
        // was also: an env-policy/command test.
        ["gates[type=compose]"] = new[] { "HostAndPolicyGateTests.Compose_files_are_checked_for_parsing_declarations_limits_and_healthchecks" },
        // was also: an env-policy/command test.
        ["gates[type=compose].file"] = new[] { "HostAndPolicyGateTests.Compose_files_are_checked_for_parsing_declarations_limits_and_healthchecks" },
        ["gates[type=compose].require_limits"] = new[] { "HostAndPolicyGateTests.Compose_files_are_checked_for_parsing_declarations_limits_and_healthchecks" },
        ["gates[type=compose].require_healthcheck"] = new[] { "HostAndPolicyGateTests.Compose_files_are_checked_for_parsing_declarations_limits_and_healthchecks" },
        ["gates[type=command].run"] = new[] { "HostAndPolicyGateTests.Command_exit_code_output_timeout_and_secret_environment", "HostAndPolicyGateTests.Flag_secrets_and_exit_code_change_what_passes" },
        ["gates[type=command].output_contains"] = new[] { "CommandAndAlertmanagerKeyTests.A_commands_working_directory_is_where_it_runs_and_output_contains_fails_it_when_the_text_is_missing", "HostAndPolicyGateTests.Command_exit_code_output_timeout_and_secret_environment" },
        // was: a watch-probe binding test.
        ["gates[type=command].working_directory"] = new[] { "CommandAndAlertmanagerKeyTests.A_commands_working_directory_is_where_it_runs_and_output_contains_fails_it_when_the_text_is_missing" },
        ["gates[type=command].env"] = new[] { "HostAndPolicyGateTests.Command_exit_code_output_timeout_and_secret_environment" },
        ["gates[type=alertmanager]"] = new[] { "MonitoringGateTests.A_target_going_down_fires_prometheus_rule_through_alertmanager_and_blocks_the_gate", "MonitoringGateTests.No_firing_alert_matches_until_one_fires_and_silenced_ones_count_only_when_asked" },
        ["gates[type=alertmanager].url"] = new[] { "MonitoringGateTests.A_target_going_down_fires_prometheus_rule_through_alertmanager_and_blocks_the_gate", "MonitoringGateTests.No_firing_alert_matches_until_one_fires_and_silenced_ones_count_only_when_asked" },
        ["gates[type=alertmanager].bearer_token"] = new[] { "MonitoringGateTests.Basic_auth_and_bearer_tokens_over_tls_work_and_wrong_credentials_never_leak", "CommandAndAlertmanagerKeyTests.Alertmanager_behind_tls_needs_its_ca_file_or_insecure" },
        // was: a test using them on a prometheus gate only.
        ["gates[type=alertmanager].username"] = new[] { "CommandAndAlertmanagerKeyTests.Alertmanager_username_and_password_are_sent_as_basic_auth_and_never_shown" },
        // was: a test using them on a prometheus gate only.
        ["gates[type=alertmanager].password"] = new[] { "CommandAndAlertmanagerKeyTests.Alertmanager_username_and_password_are_sent_as_basic_auth_and_never_shown" },
        ["gates[type=alertmanager].ca_file"] = new[] { "CommandAndAlertmanagerKeyTests.Alertmanager_behind_tls_needs_its_ca_file_or_insecure", "MonitoringGateTests.Basic_auth_and_bearer_tokens_over_tls_work_and_wrong_credentials_never_leak" },
        // was: a test using it on a prometheus gate only.
        ["gates[type=alertmanager].insecure"] = new[] { "CommandAndAlertmanagerKeyTests.Alertmanager_behind_tls_needs_its_ca_file_or_insecure" },
        ["gates[type=alertmanager].matchers"] = new[] { "MonitoringGateTests.No_firing_alert_matches_until_one_fires_and_silenced_ones_count_only_when_asked", "MonitoringGateTests.A_target_going_down_fires_prometheus_rule_through_alertmanager_and_blocks_the_gate" },
        ["gates[type=alertmanager].max_firing"] = new[] { "MonitoringGateTests.No_firing_alert_matches_until_one_fires_and_silenced_ones_count_only_when_asked" },
        ["gates[type=alertmanager].include_silenced"] = new[] { "MonitoringGateTests.No_firing_alert_matches_until_one_fires_and_silenced_ones_count_only_when_asked" },
        ["gates[type=alertmanager].pipeline"] = new[] { "MonitoringGateTests.The_alert_pipeline_delivers_a_test_alert_to_its_receiver_and_a_broken_route_fails" },
        ["gates[type=alertmanager].pipeline.labels"] = new[] { "MonitoringGateTests.The_alert_pipeline_delivers_a_test_alert_to_its_receiver_and_a_broken_route_fails" },
        ["gates[type=alertmanager].pipeline.receiver"] = new[] { "MonitoringGateTests.The_alert_pipeline_delivers_a_test_alert_to_its_receiver_and_a_broken_route_fails" },
        ["gates[type=alertmanager].pipeline.confirm_url"] = new[] { "MonitoringGateTests.The_alert_pipeline_delivers_a_test_alert_to_its_receiver_and_a_broken_route_fails" },
        ["gates[type=alertmanager].pipeline.confirm_headers"] = new[] { "MonitoringGateTests.The_alert_pipeline_delivers_a_test_alert_to_its_receiver_and_a_broken_route_fails" },
        // was also: a test of the gate's own within.
        ["gates[type=alertmanager].pipeline.within"] = new[] { "MonitoringGateTests.The_alert_pipeline_delivers_a_test_alert_to_its_receiver_and_a_broken_route_fails" },
        ["gates[type=container-logs]"] = new[] { "DockerEvidenceGateTests.Failed_logins_in_a_containers_logs_are_counted_and_shown_with_secrets_masked", "DockerEvidenceGateTests.A_swarm_services_logs_are_read_across_its_tasks" },
        ["gates[type=container-logs].container"] = new[] { "DockerEvidenceGateTests.Failed_logins_in_a_containers_logs_are_counted_and_shown_with_secrets_masked", "DockerEvidenceGateTests.Bad_patterns_unknown_containers_and_missing_sources_are_errors" },
        ["gates[type=container-logs].service"] = new[] { "DockerEvidenceGateTests.A_swarm_services_logs_are_read_across_its_tasks", "DockerEvidenceGateTests.Bad_patterns_unknown_containers_and_missing_sources_are_errors" },
        ["gates[type=container-logs].pattern"] = new[] { "DockerEvidenceGateTests.Failed_logins_in_a_containers_logs_are_counted_and_shown_with_secrets_masked", "DockerEvidenceGateTests.Bad_patterns_unknown_containers_and_missing_sources_are_errors" },
        // was also: a watch-probe binding test.
        ["gates[type=container-logs].ignore_case"] = new[] { "DockerEvidenceGateTests.Failed_logins_in_a_containers_logs_are_counted_and_shown_with_secrets_masked" },
        // was also: a watch-probe binding test.
        ["gates[type=container-logs].window"] = new[] { "DockerEvidenceGateTests.Only_lines_of_the_window_or_since_the_time_count" },
        ["gates[type=container-logs].since"] = new[] { "DockerEvidenceGateTests.Only_lines_of_the_window_or_since_the_time_count" },
        ["gates[type=container-logs].max_matches"] = new[] { "DockerEvidenceGateTests.A_swarm_services_logs_are_read_across_its_tasks", "DockerEvidenceGateTests.Failed_logins_in_a_containers_logs_are_counted_and_shown_with_secrets_masked" },
    };

    /// <summary>
    /// Gate keys (gates[] and the gate types other than alertmanager, command, compose and container-logs), first matched by a
    /// script, then kept after reading each named test: it sets the key and asserts on what the key changes. Where the
    /// matched test did not, the comment says why and the entry names one that does (written for it where none existed).
    /// </summary>
    private static Dictionary<string, string[]> ReviewedGates => new(StringComparer.Ordinal)
    {
        // the selection test's category gate was never selected by its category.
        ["gates[].category"] = new[] { "GateCommonKeyTests.A_category_replaces_the_types_default_in_the_result_and_in_selection" },
        // the CLI test did not show what critical changes; the report test shows medium/low failures do not block.
        ["gates[].severity"] = new[] { "GateRunnerTests.Selection_by_name_category_severity_and_tag", "GateRunnerTests.Reports_carry_every_gate_with_outcome_evidence_and_verdict", "GateRunnerTests.FailFast_stops_at_the_first_critical_failure_and_skips_the_rest" },
        // FailFast test's timeout never fires.
        ["gates[].timeout"] = new[] { "HttpGateTests.Unreachable_dns_failure_and_a_silent_server_are_errors_within_the_timeout", "HostAndPolicyGateTests.Command_exit_code_output_timeout_and_secret_environment" },
        // the alertmanager test does not assert on within.
        ["gates[].within"] = new[] { "HttpGateTests.Within_retries_until_the_endpoint_comes_up" },
        // the grype test's tags are image tags in a report, not gate tags.
        ["gates[].tags"] = new[] { "GateRunnerTests.Selection_by_name_category_severity_and_tag" },
        ["gates[type=http].follow_redirects"] = new[] { "HttpGateTests.Redirects_are_followed_only_when_asked" },
        // the cors test is a cors gate.
        ["gates[type=http].insecure"] = new[] { "HttpGateTests.A_wrong_status_or_json_value_fails_with_a_message_that_names_what_was_seen" },
        // set only to 30s, which always passes.
        ["gates[type=http].max_latency"] = new[] { "HttpGateKeyEffectTests.Max_latency_fails_a_response_slower_than_it_and_passes_a_faster_one" },
        // set only to values that pass.
        ["gates[type=http].contains"] = new[] { "HttpGateKeyEffectTests.Contains_matches_header_present_and_header_equals_fail_when_the_response_does_not_meet_them" },
        // set only to values that pass.
        ["gates[type=http].matches"] = new[] { "HttpGateKeyEffectTests.Contains_matches_header_present_and_header_equals_fail_when_the_response_does_not_meet_them" },
        // set only to values that pass.
        ["gates[type=http].header_present"] = new[] { "HttpGateKeyEffectTests.Contains_matches_header_present_and_header_equals_fail_when_the_response_does_not_meet_them" },
        // set only to values that pass.
        ["gates[type=http].header_equals"] = new[] { "HttpGateKeyEffectTests.Contains_matches_header_present_and_header_equals_fail_when_the_response_does_not_meet_them" },
        // the http status test is an http gate.
        ["gates[type=redirect-https]"] = new[] { "HttpGateTests.Redirect_to_https_passes_on_the_redirecting_server_and_fails_on_the_plain_one" },
        // the http status test is an http gate.
        ["gates[type=redirect-https].url"] = new[] { "HttpGateTests.Redirect_to_https_passes_on_the_redirecting_server_and_fails_on_the_plain_one" },
        ["gates[type=tls].server_name"] = new[] { "TlsAndTcpGateTests.An_untrusted_chain_and_a_wrong_host_name_fail" },
        // the year-long test sets tls1.2, which passes either way.
        ["gates[type=tls].min_protocol"] = new[] { "TlsAndTcpGateTests.A_tls1_3_floor_fails_on_a_server_that_also_accepts_tls1_2" },
        // the method test only shows the request is sent.
        ["gates[type=security-headers]"] = new[] { "HttpGateTests.Security_headers_score_high_with_headers_and_low_without", "HttpGateTests.Min_hsts_max_age_fails_a_max_age_below_it" },
        // the hsts test reads one url only; the score test shows two urls judged differently.
        ["gates[type=security-headers].url"] = new[] { "HttpGateTests.Security_headers_score_high_with_headers_and_low_without", "HttpGateTests.Method_headers_and_body_are_sent_as_written_and_cors_asks_about_the_method_from_the_origin" },
        // the redirect test is an http gate.
        ["gates[type=security-headers].follow_redirects"] = new[] { "HttpGateKeyEffectTests.Security_headers_and_cors_judge_the_redirect_itself_unless_follow_redirects_is_set" },
        // the http status test is an http gate.
        ["gates[type=security-headers].insecure"] = new[] { "HttpGateTests.Security_headers_score_high_with_headers_and_low_without" },
        ["gates[type=security-headers].ca_file"] = new[] { "HttpGateTests.Min_hsts_max_age_fails_a_max_age_below_it", "HttpGateTests.Security_headers_score_high_with_headers_and_low_without" },
        ["gates[type=security-headers].min_score"] = new[] { "HttpGateTests.Min_hsts_max_age_fails_a_max_age_below_it", "HttpGateTests.Security_headers_score_high_with_headers_and_low_without" },
        // required was set only to a header the server sends.
        ["gates[type=security-headers].required"] = new[] { "HttpGateKeyEffectTests.A_required_security_header_the_server_does_not_send_fails_naming_it" },
        ["gates[type=cors]"] = new[] { "HttpGateTests.Cors_refuses_foreign_origins_on_the_strict_server_and_fails_wildcard_with_credentials", "HttpGateTests.Method_headers_and_body_are_sent_as_written_and_cors_asks_about_the_method_from_the_origin" },
        ["gates[type=cors].url"] = new[] { "HttpGateTests.Cors_refuses_foreign_origins_on_the_strict_server_and_fails_wildcard_with_credentials", "HttpGateTests.Method_headers_and_body_are_sent_as_written_and_cors_asks_about_the_method_from_the_origin" },
        // the redirect test is an http gate.
        ["gates[type=cors].follow_redirects"] = new[] { "HttpGateKeyEffectTests.Security_headers_and_cors_judge_the_redirect_itself_unless_follow_redirects_is_set" },
        // the http status test is an http gate.
        ["gates[type=cors].insecure"] = new[] { "HttpGateTests.Cors_refuses_foreign_origins_on_the_strict_server_and_fails_wildcard_with_credentials" },
        // the pinned-ca test is an http gate.
        ["gates[type=cors].ca_file"] = new[] { "HttpGateTests.Cors_refuses_foreign_origins_on_the_strict_server_and_fails_wildcard_with_credentials" },
        // allowed_origins was set only to the origin the server allows, which passes without it too.
        ["gates[type=cors].allowed_origins"] = new[] { "HttpGateKeyEffectTests.Cors_allowed_origins_fail_when_the_server_refuses_a_listed_origin" },
        // the swarm deploy test has no tcp gate.
        ["gates[type=tcp].state"] = new[] { "TlsAndTcpGateTests.Tcp_open_and_closed_states" },
        // the missing-socket test is a docker-swarm gate.
        ["gates[type=docker-container]"] = new[] { "DockerGateTests.Containers_run_and_are_healthy_and_missing_ones_fail" },
        // the hardening test is a docker-hardening gate.
        ["gates[type=docker-container].container"] = new[] { "DockerGateTests.Containers_run_and_are_healthy_and_missing_ones_fail" },
        // min_count was set only to a count that passes.
        ["gates[type=docker-container].min_count"] = new[] { "DockerGateTests.Min_count_fails_when_fewer_containers_match_than_it_asks_for" },
        ["gates[type=docker-service]"] = new[] { "DockerGateTests.Min_replicas_and_database_ports_change_what_passes", "DockerGateTests.Service_swarm_network_and_image_size" },
        // no test named a service or an image that is not there.
        ["gates[type=docker-service].service"] = new[] { "DockerGateTests.Min_replicas_and_database_ports_change_what_passes", "DockerGateTests.Service_swarm_network_and_image_size", "DockerGateTests.The_service_and_the_image_named_are_the_ones_judged" },
        ["gates[type=docker-secrets]"] = new[] { "DockerEvidenceGateTests.Secrets_are_selected_by_label_and_counted", "DockerEvidenceGateTests.Secrets_older_than_max_age_are_due_for_rotation" },
        ["gates[type=docker-secrets].names"] = new[] { "DockerGateTests.Secrets_by_prefix_and_count_and_by_name" },
        // the max_age test's prefix is incidental.
        ["gates[type=docker-secrets].prefix"] = new[] { "DockerGateTests.Secrets_by_prefix_and_count_and_by_name", "DockerEvidenceGateTests.Secrets_are_selected_by_label_and_counted" },
        ["gates[type=docker-secrets].label"] = new[] { "DockerEvidenceGateTests.Secrets_are_selected_by_label_and_counted" },
        // the max_age test only sets a count that passes.
        ["gates[type=docker-secrets].count"] = new[] { "DockerGateTests.Secrets_by_prefix_and_count_and_by_name", "DockerEvidenceGateTests.Secrets_are_selected_by_label_and_counted" },
        ["gates[type=docker-secrets].max_age"] = new[] { "DockerEvidenceGateTests.Secrets_older_than_max_age_are_due_for_rotation" },
        ["gates[type=docker-secrets].services"] = new[] { "DockerEvidenceGateTests.Services_reference_the_secrets_they_need_and_unused_secrets_are_found" },
        ["gates[type=docker-secrets].require_used"] = new[] { "DockerEvidenceGateTests.Services_reference_the_secrets_they_need_and_unused_secrets_are_found" },
        ["gates[type=docker-hardening]"] = new[] { "DockerGateTests.Hardening_fails_the_root_container_and_passes_the_hardened_user_container", "DockerGateTests.Min_replicas_and_database_ports_change_what_passes" },
        // the database-ports test uses one container only.
        ["gates[type=docker-hardening].container"] = new[] { "DockerGateTests.Hardening_fails_the_root_container_and_passes_the_hardened_user_container" },
        // the missing-socket test is a docker-swarm gate.
        ["gates[type=docker-image]"] = new[] { "DockerGateTests.Service_swarm_network_and_image_size" },
        // no test named a service or an image that is not there.
        ["gates[type=docker-image].image"] = new[] { "DockerGateTests.Service_swarm_network_and_image_size", "DockerGateTests.The_service_and_the_image_named_are_the_ones_judged" },
        ["gates[type=docker-image].max_size"] = new[] { "DockerGateTests.Service_swarm_network_and_image_size" },
        // the missing-socket test is a docker-swarm gate.
        ["gates[type=docker-network]"] = new[] { "DockerGateTests.Service_swarm_network_and_image_size" },
        ["gates[type=docker-network].network"] = new[] { "DockerGateTests.Service_swarm_network_and_image_size" },
        ["gates[type=docker-network].internal"] = new[] { "DockerGateTests.Service_swarm_network_and_image_size" },
        ["gates[type=env-policy]"] = new[] { "HostAndPolicyGateTests.Flag_secrets_and_exit_code_change_what_passes", "HostAndPolicyGateTests.Env_policy_flags_missing_forbidden_and_plain_secret_values_by_name_only" },
        ["gates[type=env-policy].file"] = new[] { "HostAndPolicyGateTests.Flag_secrets_and_exit_code_change_what_passes", "HostAndPolicyGateTests.Env_policy_flags_missing_forbidden_and_plain_secret_values_by_name_only" },
        ["gates[type=env-policy].required"] = new[] { "HostAndPolicyGateTests.Env_policy_flags_missing_forbidden_and_plain_secret_values_by_name_only" },
        ["gates[type=env-policy].forbidden"] = new[] { "HostAndPolicyGateTests.Env_policy_flags_missing_forbidden_and_plain_secret_values_by_name_only" },
        // min_version was set only to a version that passes.
        ["gates[type=postgres].min_version"] = new[] { "PostgresGateKeyEffectTests.Min_version_fails_a_server_older_than_it" },
        // the bad-gates test has no postgres gate.
        ["gates[type=postgres].settings"] = new[] { "PostgresGateTests.Settings_on_pass_and_settings_off_fail" },
        // the probe binding test is a watch probe.
        ["gates[type=postgres].query"] = new[] { "PostgresGateTests.Query_values_and_migration_heads" },
        ["gates[type=postgres].migrations_table"] = new[] { "PostgresGateTests.Query_values_and_migration_heads" },
        ["gates[type=postgres].migrations_head"] = new[] { "PostgresGateTests.Query_values_and_migration_heads" },
        ["gates[type=postgres].max_backup_age"] = new[] { "PostgresBackupAgeGateTests.The_newest_verified_backup_must_be_younger_than_the_limit" },
        ["gates[type=postgres].backup_directory"] = new[] { "PostgresBackupAgeGateTests.The_newest_verified_backup_must_be_younger_than_the_limit" },
        ["gates[type=postgres].require_verified"] = new[] { "PostgresBackupAgeGateTests.The_newest_verified_backup_must_be_younger_than_the_limit" },
        // both named tests were PostgreSQL tests.
        ["gates[type=redis].connection.username"] = new[] { "RedisGateKeyEffectTests.The_username_is_the_acl_user_the_gate_authenticates_as" },
        // the datastore test is a watch probe.
        ["gates[type=redis].configuration"] = new[] { "RedisSentinelTests.The_redis_gate_takes_a_connection_string_with_a_service_name" },
        ["gates[type=redis].require_password"] = new[] { "RedisGateTests.The_hardened_server_passes_and_the_open_one_fails_every_rule", "RedisGateTests.The_shared_server_requires_a_password_and_has_aof" },
        ["gates[type=redis].persistence"] = new[] { "RedisGateTests.The_hardened_server_passes_and_the_open_one_fails_every_rule", "RedisGateTests.The_shared_server_requires_a_password_and_has_aof" },
        ["gates[type=redis].maxmemory_policy"] = new[] { "RedisGateTests.The_hardened_server_passes_and_the_open_one_fails_every_rule" },
        // set only to 1h on a fresh server, which passes; nothing asserted on it.
        ["gates[type=redis].max_last_save_age"] = new[] { "RedisGateKeyEffectTests.Max_last_save_age_fails_once_the_last_save_is_older_than_it" },
        // the flag-secrets test has no disk gate.
        ["gates[type=disk]"] = new[] { "HostAndPolicyGateTests.Disk_and_memory_floors_pass_when_low_and_fail_when_impossible" },
        // the file-size test is a file-size gate; the disk test never changed the path.
        ["gates[type=disk].path"] = new[] { "HostGateKeyEffectTests.Disk_path_and_min_free_percent_decide_what_is_measured_and_what_passes" },
        ["gates[type=disk].min_free"] = new[] { "HostAndPolicyGateTests.Disk_and_memory_floors_pass_when_low_and_fail_when_impossible" },
        // set only to 0.1%, which passes.
        ["gates[type=disk].min_free_percent"] = new[] { "HostGateKeyEffectTests.Disk_path_and_min_free_percent_decide_what_is_measured_and_what_passes" },
        // the flag-secrets test has no memory gate.
        ["gates[type=memory]"] = new[] { "HostAndPolicyGateTests.Disk_and_memory_floors_pass_when_low_and_fail_when_impossible" },
        // set only to 1MB, which passes.
        ["gates[type=memory].min_available"] = new[] { "HostGateKeyEffectTests.Memory_min_available_fails_a_floor_above_what_the_host_has" },
        ["gates[type=memory].min_available_percent"] = new[] { "HostAndPolicyGateTests.Disk_and_memory_floors_pass_when_low_and_fail_when_impossible" },
        // the flag-secrets test has no file-size gate.
        ["gates[type=file-size]"] = new[] { "HostAndPolicyGateTests.File_size_sums_a_directory_like_du" },
        // the disk test is a disk gate.
        ["gates[type=file-size].path"] = new[] { "HostAndPolicyGateTests.File_size_sums_a_directory_like_du" },
        ["gates[type=file-size].max_size"] = new[] { "HostAndPolicyGateTests.File_size_sums_a_directory_like_du" },
        // the container-logs test's window is a log window.
        ["gates[type=window]"] = new[] { "HostAndPolicyGateTests.Deployment_windows_and_freezes_use_the_given_time_zone" },
        ["gates[type=window].timezone"] = new[] { "HostAndPolicyGateTests.Deployment_windows_and_freezes_use_the_given_time_zone" },
        ["gates[type=window].days"] = new[] { "HostAndPolicyGateTests.Deployment_windows_and_freezes_use_the_given_time_zone" },
        // the watch probe test has no window gate.
        ["gates[type=window].start"] = new[] { "HostAndPolicyGateTests.Deployment_windows_and_freezes_use_the_given_time_zone" },
        // no test had now after the end; the compose test has no window gate.
        ["gates[type=window].end"] = new[] { "HostGateKeyEffectTests.A_window_end_and_freeze_dates_decide_whether_now_is_inside" },
        // added the test where freezes that do not cover now pass.
        ["gates[type=window].freezes"] = new[] { "HostAndPolicyGateTests.Deployment_windows_and_freezes_use_the_given_time_zone", "HostGateKeyEffectTests.A_window_end_and_freeze_dates_decide_whether_now_is_inside" },
        // one freeze that covers now does not show from.
        ["gates[type=window].freezes[].from"] = new[] { "HostGateKeyEffectTests.A_window_end_and_freeze_dates_decide_whether_now_is_inside" },
        // one freeze that covers now does not show to.
        ["gates[type=window].freezes[].to"] = new[] { "HostGateKeyEffectTests.A_window_end_and_freeze_dates_decide_whether_now_is_inside" },
        ["gates[type=window].freezes[].reason"] = new[] { "HostAndPolicyGateTests.Deployment_windows_and_freezes_use_the_given_time_zone" },
        ["gates[type=prometheus]"] = new[] { "MonitoringGateTests.A_recording_rule_is_present_for_a_scraped_target_and_a_query_without_data_is_never_a_pass", "MonitoringGateTests.An_error_ratio_below_its_limit_passes_every_series_and_one_series_above_fails_naming_it" },
        // both named tests were alertmanager gates.
        ["gates[type=prometheus].url"] = new[] { "MonitoringGateTests.Bad_queries_range_vectors_and_unreachable_servers_are_errors_with_the_servers_reason", "MonitoringGateTests.An_error_ratio_below_its_limit_passes_every_series_and_one_series_above_fails_naming_it" },
        // the probe binding test is a watch probe.
        ["gates[type=prometheus].bearer_token"] = new[] { "MonitoringGateTests.Basic_auth_and_bearer_tokens_over_tls_work_and_wrong_credentials_never_leak" },
        // the probe binding test is a watch probe.
        ["gates[type=prometheus].username"] = new[] { "MonitoringGateTests.Basic_auth_and_bearer_tokens_over_tls_work_and_wrong_credentials_never_leak" },
        // the probe binding test is a watch probe.
        ["gates[type=prometheus].password"] = new[] { "MonitoringGateTests.Basic_auth_and_bearer_tokens_over_tls_work_and_wrong_credentials_never_leak" },
        // the probe binding test is a watch probe.
        ["gates[type=prometheus].ca_file"] = new[] { "MonitoringGateTests.Basic_auth_and_bearer_tokens_over_tls_work_and_wrong_credentials_never_leak" },
        ["gates[type=prometheus].insecure"] = new[] { "MonitoringGateTests.Basic_auth_and_bearer_tokens_over_tls_work_and_wrong_credentials_never_leak" },
        ["gates[type=prometheus].query"] = new[] { "MonitoringGateTests.A_recording_rule_is_present_for_a_scraped_target_and_a_query_without_data_is_never_a_pass", "MonitoringGateTests.An_error_ratio_below_its_limit_passes_every_series_and_one_series_above_fails_naming_it" },
        ["gates[type=prometheus].condition"] = new[] { "MonitoringGateTests.A_recording_rule_is_present_for_a_scraped_target_and_a_query_without_data_is_never_a_pass", "MonitoringGateTests.An_error_ratio_below_its_limit_passes_every_series_and_one_series_above_fails_naming_it" },
        ["gates[type=prometheus].series"] = new[] { "MonitoringGateTests.An_error_ratio_below_its_limit_passes_every_series_and_one_series_above_fails_naming_it", "MonitoringGateTests.No_target_down_passes_while_the_target_answers_and_fails_once_it_is_down" },
        ["gates[type=scan-report].file"] = new[] { "SecurityEvidenceGateTests.A_grype_report_is_matched_by_manifest_digest_given_as_digest", "SecurityEvidenceGateTests.A_report_of_another_image_or_none_at_all_fails_and_an_old_one_fails_max_age" },
        // the grype test does not set format.
        ["gates[type=scan-report].format"] = new[] { "SecurityEvidenceGateTests.A_sarif_report_reads_severity_from_security_severity_tags_or_level" },
        // the grype test gives digest, not image.
        ["gates[type=scan-report].image"] = new[] { "SecurityEvidenceGateTests.A_report_of_another_image_or_none_at_all_fails_and_an_old_one_fails_max_age", "SecurityEvidenceGateTests.A_trivy_report_of_the_deployed_image_fails_on_high_findings_until_an_allow_entry_covers_them" },
        ["gates[type=scan-report].digest"] = new[] { "SecurityEvidenceGateTests.A_grype_report_is_matched_by_manifest_digest_given_as_digest" },
        ["gates[type=scan-report].fail_on"] = new[] { "SecurityEvidenceGateTests.A_sarif_report_reads_severity_from_security_severity_tags_or_level", "SecurityEvidenceGateTests.A_trivy_report_of_the_deployed_image_fails_on_high_findings_until_an_allow_entry_covers_them" },
        ["gates[type=scan-report].allow"] = new[] { "SecurityEvidenceGateTests.A_trivy_report_of_the_deployed_image_fails_on_high_findings_until_an_allow_entry_covers_them" },
        // neither the grype nor the sarif test has an allow list.
        ["gates[type=scan-report].allow[].id"] = new[] { "SecurityEvidenceGateTests.A_trivy_report_of_the_deployed_image_fails_on_high_findings_until_an_allow_entry_covers_them" },
        ["gates[type=scan-report].allow[].expires"] = new[] { "SecurityEvidenceGateTests.A_trivy_report_of_the_deployed_image_fails_on_high_findings_until_an_allow_entry_covers_them" },
        ["gates[type=scan-report].allow[].reason"] = new[] { "SecurityEvidenceGateTests.A_trivy_report_of_the_deployed_image_fails_on_high_findings_until_an_allow_entry_covers_them" },
        ["gates[type=scan-report].max_age"] = new[] { "SecurityEvidenceGateTests.A_report_of_another_image_or_none_at_all_fails_and_an_old_one_fails_max_age" },
        // the grype test has no secret-strength gate.
        ["gates[type=secret-strength]"] = new[] { "SecurityEvidenceGateTests.Secret_strength_reports_lengths_and_classes_and_never_a_value" },
        ["gates[type=secret-strength].secrets"] = new[] { "SecurityEvidenceGateTests.Secret_strength_reports_lengths_and_classes_and_never_a_value" },
        ["gates[type=secret-strength].min_length"] = new[] { "SecurityEvidenceGateTests.Secret_strength_reports_lengths_and_classes_and_never_a_value" },
        // set only to 4 on a secret with 4 classes, which the default 3 passes too.
        ["gates[type=secret-strength].min_classes"] = new[] { "SecretStrengthKeyEffectTests.Min_classes_decides_how_many_character_classes_a_secret_needs" },
        ["gates[type=secret-strength].require"] = new[] { "SecurityEvidenceGateTests.Secret_strength_reports_lengths_and_classes_and_never_a_value" },
        // the flag-secrets test has no sign-off gate.
        ["gates[type=sign-off]"] = new[] { "HostAndPolicyGateTests.Sign_off_fails_listing_what_is_missing_and_passes_once_every_required_sign_off_is_recorded" },
        ["gates[type=sign-off].roles"] = new[] { "HostAndPolicyGateTests.Sign_off_fails_listing_what_is_missing_and_passes_once_every_required_sign_off_is_recorded", "ChecklistPlanTests.A_sign_off_gate_needs_a_checklist_and_known_roles" },
    };
}
