namespace Hako.Contracts;

/// <summary>POST /v1/nodes: register another node this one may migrate containers to.</summary>
public sealed record AddNodeRequest
{
    public required string Name { get; init; }
    /// <summary>The peer hakod's TCP API, e.g. https://192.0.2.10:8443 (hakod --listen).</summary>
    public required string Url { get; init; }
    /// <summary>The peer's bearer token (its DATA-DIR/api.token).</summary>
    public required string Token { get; init; }
    /// <summary>
    /// The fingerprint the peer's `hako node` prints; when given, the certificate presented now must match it.
    /// Without it the certificate presented at this first contact is pinned.
    /// </summary>
    public string? Fingerprint { get; init; }
}

/// <summary>A registered peer node as GET /v1/nodes shows it, with what it answered just now.</summary>
public sealed record PeerNodeInfo
{
    public required string Name { get; init; }
    public required string Url { get; init; }
    public DateTimeOffset AddedAt { get; init; }
    /// <summary>active, evacuated (takes nothing new) or unreachable.</summary>
    public required string State { get; init; }
    public string? Error { get; init; }
    /// <summary>The pinned fingerprint of the peer's TLS certificate; null for a plain-HTTP loopback peer.</summary>
    public string? Fingerprint { get; init; }
    public int? Containers { get; init; }
    public string? Version { get; init; }
}

/// <summary>POST /v1/containers/{name}/migrate.</summary>
public sealed record MigrateRequest
{
    /// <summary>A registered node (hako node add).</summary>
    public required string Target { get; init; }
    /// <summary>Stop the container for the whole copy instead of copying while it runs (vzmigrate without --online).</summary>
    public bool Offline { get; init; }
    /// <summary>Refuse unless CRIU can checkpoint/restore on both nodes (instead of falling back to a restart).</summary>
    public bool RequireCriu { get; init; }
    /// <summary>A new address on the target's subnet, for nodes on different segments; null keeps the address.</summary>
    public string? Ip { get; init; }
}

/// <summary>Progress and, when done, the report of a migration (OperationInfo.Migration).</summary>
public sealed record MigrationInfo
{
    public required string Container { get; init; }
    public required string Source { get; init; }
    public required string Target { get; init; }
    /// <summary>live (pre-copy while running, freeze, restart on the target), offline (stopped for the copy), stopped, criu.</summary>
    public string? Mode { get; init; }
    /// <summary>checking, template, copying, freezing, final-copy, switching, cleanup, done, rolled-back.</summary>
    public required string Phase { get; init; }
    /// <summary>The pass being sent (1 = everything; later passes send what changed).</summary>
    public int Pass { get; init; }
    /// <summary>Bytes on the wire so far: template (see <see cref="TemplateBytes"/>) plus every pass.</summary>
    public long BytesSent { get; init; }
    /// <summary>Estimated bytes of the pass being sent.</summary>
    public long PassBytes { get; init; }
    /// <summary>The container's own data (its private area, as the first pass sent it): what a full copy costs.</summary>
    public long ContainerBytes { get; init; }
    public bool TemplateSent { get; init; }
    public long TemplateBytes { get; init; }
    public IReadOnlyList<MigrationPass> Passes { get; init; } = [];
    /// <summary>From freeze (or stop) on the source to the container running on the target; null when it was stopped.</summary>
    public double? DowntimeMilliseconds { get; init; }
    /// <summary>Where the downtime went: freeze, final-copy, stop (source), start (target), in milliseconds.</summary>
    public IReadOnlyDictionary<string, double>? DowntimeSteps { get; init; }
    public double? DurationMilliseconds { get; init; }
    /// <summary>The container's address on the target.</summary>
    public string? Ip { get; init; }
    /// <summary>What the operator should know: why CRIU was not used, cleanup problems, ...</summary>
    public IReadOnlyList<string> Notes { get; init; } = [];
}

/// <summary>One copy pass: what it sent and whether the container was running (live) or frozen/stopped.</summary>
public sealed record MigrationPass
{
    public int Number { get; init; }
    public long Bytes { get; init; }
    public int Entries { get; init; }
    public int Deleted { get; init; }
    public bool Live { get; init; }
    public double Milliseconds { get; init; }
}

/// <summary>POST /v1/node/evacuate.</summary>
public sealed record EvacuateRequest
{
    /// <summary>Nodes to move containers to; empty = every registered node that is not evacuated.</summary>
    public IReadOnlyList<string> Targets { get; init; } = [];
    /// <summary>Stop each container for its copy (see <see cref="MigrateRequest.Offline"/>).</summary>
    public bool Offline { get; init; }
}

/// <summary>The summary of an evacuation (OperationInfo.Evacuation).</summary>
public sealed record EvacuationInfo
{
    public required string Node { get; init; }
    public IReadOnlyList<EvacuationItem> Containers { get; init; } = [];
    public int Moved => Containers.Count(c => c.Status == "moved");
    public int Failed => Containers.Count(c => c.Status != "moved");
}

public sealed record EvacuationItem
{
    public required string Container { get; init; }
    public string? Target { get; init; }
    /// <summary>pending, moving, moved, failed (still on this node).</summary>
    public required string Status { get; init; }
    public string? Error { get; init; }
    public double? DowntimeMilliseconds { get; init; }
    public long BytesSent { get; init; }
}

/// <summary>Node-to-node: the container a source offers to this node (POST /v1/migrations/incoming[/check]).</summary>
public sealed record IncomingContainer
{
    public required string Name { get; init; }
    public required string SourceNode { get; init; }
    public required string Template { get; init; }
    public required string TemplateHash { get; init; }
    public required string Hostname { get; init; }
    public string? Ip { get; init; }
    public IReadOnlyList<string> Nameservers { get; init; } = [];
    public string? Plan { get; init; }
    /// <summary>The settings given explicitly on create/set (PlanFlags as stored), applied on top of the plan.</summary>
    public required string OverridesJson { get; init; }
    public string? CpuMask { get; init; }
    public bool OnBoot { get; init; }
    public bool Privileged { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    /// <summary>Bytes of the private area, for the target's free-space check.</summary>
    public long UsedBytes { get; init; }
    /// <summary>Whether the container will be running on the target (admission counts it as running).</summary>
    public bool Running { get; init; }
}

/// <summary>The target's answer to a check: it would take the container (refusals are problem+json errors).</summary>
public sealed record IncomingCheckResult
{
    public required string NodeName { get; init; }
    /// <summary>The template is missing here and must be sent first.</summary>
    public bool NeedTemplate { get; init; }
    public bool CriuUsable { get; init; }
    public string? CriuProblem { get; init; }
    public IReadOnlyList<string> Warnings { get; init; } = [];
}

/// <summary>Node-to-node: paths the source deleted since the last pass (POST .../incoming/{name}/delete).</summary>
public sealed record DeletePathsRequest
{
    public IReadOnlyList<string> Paths { get; init; } = [];
}

/// <summary>Node-to-node: what the target received of one pass.</summary>
public sealed record ReceiveResult
{
    public long Bytes { get; init; }
}

/// <summary>Node-to-node: make the received container a normal one, started or not (POST .../incoming/{name}/commit).</summary>
public sealed record CommitIncomingRequest
{
    public bool Start { get; init; }
}

/// <summary>
/// Node-to-node, after the switch (PUT .../incoming/{name}/handover): what lives beside the container's row
/// and moves with it — its usage history — and where it came from, for the target's "migrated" event.
/// </summary>
public sealed record MigrationHandOver
{
    public required string SourceNode { get; init; }
    public required UsageTransfer History { get; init; }
}

/// <summary>
/// A series' stored usage history: raw samples (values as measured, in the order of <see cref="Metrics"/>)
/// and aggregate buckets (mean, max, p95 in display units). Metrics are named, so nodes of different
/// versions map them by name and skip what they don't know.
/// </summary>
public sealed record UsageTransfer
{
    public required IReadOnlyList<string> Metrics { get; init; }
    public double BucketSeconds { get; init; }
    public required IReadOnlyList<RawUsageRow> Raw { get; init; }
    public required IReadOnlyList<AggregateUsageRow> Aggregates { get; init; }
}

public sealed record RawUsageRow(DateTimeOffset Time, IReadOnlyList<long?> Values);

public sealed record AggregateUsageRow(DateTimeOffset Time, IReadOnlyList<double?> Mean, IReadOnlyList<double?> Max, IReadOnlyList<double?> P95);
