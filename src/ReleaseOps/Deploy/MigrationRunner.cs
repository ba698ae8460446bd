using ReleaseOps.Errors;
using ReleaseOps.Operations;
using ReleaseOps.Plans;
using ReleaseOps.Secrets;

namespace ReleaseOps.Deploy;

/// <summary>Runs a service's migration as a one-off container of the new image, within its timeout, output captured.</summary>
internal static class MigrationRunner
{
    public static async Task<string?> RunAsync(IContainerPlatform docker, ReleasePlan plan, ServiceDefinition service, string version,
        string releaseId, IOperationReporter reporter, CancellationToken cancellation)
    {
        var migration = service.Migration!;
        var env = new Dictionary<string, string>(service.Env);
        foreach (var (k, v) in migration.Env) env[k] = v;
        var secretEnv = ContainerRollout.SecretEnv(plan, env);
        var redactor = SecretRedactor.For(secretEnv.Values.ToArray());
        var spec = new InstanceSpec
        {
            Name = ContainerRollout.Sanitize($"{plan.Application}-{plan.Environment}-{service.Name}-migrate-{releaseId[..18]}"),
            Image = migration.Image ?? service.ImageFor(version),
            Command = migration.Command,
            Env = ContainerRollout.PlainEnv(env),
            SecretEnv = secretEnv,
            Networks = service.Networks,
            User = service.User,
            Labels = new Dictionary<string, string>
            {
                [ContainerRollout.LabelPrefix + "application"] = plan.Application,
                [ContainerRollout.LabelPrefix + "environment"] = plan.Environment,
                [ContainerRollout.LabelPrefix + "migration"] = service.Name,
                [ContainerRollout.LabelPrefix + "release"] = releaseId,
            },
        };
        reporter.Verbose($"Running the migration of {service.Name} in {spec.Image}.");
        var (exit, output) = await docker.RunToCompletionAsync(spec, migration.Timeout, cancellation).ConfigureAwait(false);
        var text = redactor.Redact(output).Trim();
        var tail = text.Length > 2000 ? "..." + text[^2000..] : text;
        if (exit != 0)
        {
            throw new ReleaseOpsException("MigrationFailed", FailureKind.OperationFailed,
                $"The migration of {service.Name} exited with code {exit}: {tail}", spec.Name,
                "Fix the migration; nothing was rolled out.");
        }
        return $"exit 0{(tail.Length == 0 ? "" : ": " + tail)}";
    }
}
