namespace Hako.Contracts;

/// <summary>A background operation (202 Accepted). Poll GET /v1/operations/{id} or wait on /wait.</summary>
public sealed record OperationInfo
{
    public required string Id { get; init; }
    /// <summary>e.g. container.create, container.start, template.build.</summary>
    public required string Kind { get; init; }
    public required string Target { get; init; }
    /// <summary>running, succeeded, failed.</summary>
    public required string Status { get; init; }
    /// <summary>0..100.</summary>
    public int Progress { get; init; }
    public string? Step { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset? FinishedAt { get; init; }
    public ProblemInfo? Error { get; init; }
    /// <summary>Warnings found when the operation was accepted (e.g. vzcfgvalidate warnings).</summary>
    public IReadOnlyList<string>? Warnings { get; init; }
    /// <summary>container.migrate: phase, pass and bytes while it runs; the report when it is done.</summary>
    public MigrationInfo? Migration { get; init; }
    /// <summary>node.evacuate: where each container went.</summary>
    public EvacuationInfo? Evacuation { get; init; }
}

/// <summary>problem+json body (RFC 9457) with a stable <see cref="Code"/>.</summary>
public sealed record ProblemInfo
{
    public string? Type { get; init; }
    public required string Title { get; init; }
    public int Status { get; init; }
    public string? Detail { get; init; }
    public required string Code { get; init; }
    public IReadOnlyList<string>? Errors { get; init; }
}
