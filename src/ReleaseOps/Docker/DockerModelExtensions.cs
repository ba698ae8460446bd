using Docker.DotNet.Models;

namespace ReleaseOps.Docker;

/// <summary>A container's health as the Engine API names it; <see cref="None"/> without a healthcheck.</summary>
public static class ContainerHealth
{
    public const string None = "none";
    public const string Healthy = "healthy";
    public const string Unhealthy = "unhealthy";
}

/// <summary>The readings of the library's models that the engine makes in several places.</summary>
public static class DockerModelExtensions
{
    /// <summary>The name without Docker's leading slash.</summary>
    public static string ShortName(this ContainerInspectResponse container) => container.Name.TrimStart('/');

    public static bool IsRunning(this ContainerInspectResponse container) => container.State?.Running == true;

    /// <summary><c>healthy</c>, <c>unhealthy</c>, <c>starting</c>, or <see cref="ContainerHealth.None"/> without a healthcheck.</summary>
    public static string HealthStatus(this ContainerInspectResponse container) =>
        container.State?.Health?.Status is { Length: > 0 } status ? status : ContainerHealth.None;

    /// <summary>The first name, without Docker's leading slash.</summary>
    public static string ShortName(this ContainerListResponse container) =>
        container.Names is { Count: > 0 } names ? names[0].TrimStart('/') : container.ID;

    public static bool IsRunning(this ContainerListResponse container) => container.State == "running";

    /// <summary>The image the service's tasks run.</summary>
    public static string? Image(this SwarmService service) => service.Spec?.TaskTemplate?.ContainerSpec?.Image;

    /// <summary>The image before the last update, when there was one.</summary>
    public static string? PreviousImage(this SwarmService service) => service.PreviousSpec?.TaskTemplate?.ContainerSpec?.Image;

    /// <summary>The replica count of a replicated service; null for a global one.</summary>
    public static long? Replicas(this SwarmService service) => (long?)service.Spec?.Mode?.Replicated?.Replicas;

    /// <summary>A task state as the Engine API writes it (<c>running</c>, <c>shutdown</c>...); empty when unknown.</summary>
    public static string Name(this TaskState? state) => state?.ToString().ToLowerInvariant() ?? "";
}
