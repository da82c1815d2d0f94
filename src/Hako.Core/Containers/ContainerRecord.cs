using Hako.Contracts;

namespace Hako.Core.Containers;

/// <summary>Lifecycle of a container's row: a row in Creating, Destroying or Incoming was left by a crash and is rolled back on start.</summary>
public enum RecordStatus
{
    Creating,
    Ready,
    Destroying,
    /// <summary>Being received from another node by a migration; becomes Ready when the source commits it.</summary>
    Incoming,
}

/// <summary>The desired state of one container, as stored in the node database.</summary>
public sealed record ContainerRecord
{
    public required string Name { get; init; }
    public RecordStatus Status { get; init; } = RecordStatus.Creating;
    public required string Template { get; init; }
    public required string Hostname { get; init; }
    public string? Ip { get; init; }
    public IReadOnlyList<string> Nameservers { get; init; } = [];
    /// <summary>The effective limits (the plan with the overrides applied), kept for queries and the cgroup drivers.</summary>
    public required ResourceLimits Limits { get; init; }
    /// <summary>The plan the container's settings start from; null = hakod's default settings.</summary>
    public string? PlanName { get; init; }
    /// <summary>Everything set explicitly on create/set, re-applied on top of the plan (so --plan switches keep them).</summary>
    public Resources.PlanFlags Overrides { get; init; } = new();
    public bool OnBoot { get; init; }
    public bool Privileged { get; init; }
    /// <summary>What the operator last asked for: running or stopped. Used by reconcile after a reboot.</summary>
    public string DesiredState { get; init; } = "stopped";
    public DateTimeOffset CreatedAt { get; init; }
}
