namespace Hako.Contracts;

/// <summary>
/// Something that happened on the node: a container's lifecycle (created, started, stopped, ...) or a
/// resource event (OOM kill, a limit hit, disk nearly full). Ids only grow, so "after id N" resumes a stream.
/// </summary>
public sealed record EventInfo
{
    public required long Id { get; init; }
    public required DateTimeOffset Time { get; init; }
    /// <summary>Null for events of the node itself.</summary>
    public string? Container { get; init; }
    /// <summary>lifecycle or resource.</summary>
    public required string Kind { get; init; }
    /// <summary>created, started, stopped, restarted, destroyed, migrated, oom_kill, limit_hit, disk_nearly_full, disk_full.</summary>
    public required string Type { get; init; }
    /// <summary>The counter behind a resource event: memory.failcnt, oom_kill, pids.max, diskspace, or a beancounter (numproc, privvmpages...).</summary>
    public string? Counter { get; init; }
    /// <summary>How many times the counter rose since the last event about it.</summary>
    public long? Count { get; init; }
    public string? Detail { get; init; }
}

/// <summary>What hakod publishes; <see cref="EventTypes"/> gives the wire names and kinds.</summary>
public enum EventType
{
    Created,
    Started,
    Stopped,
    Restarted,
    Destroyed,
    Migrated,
    OomKill,
    LimitHit,
    DiskNearlyFull,
    DiskFull,
}

/// <summary>Wire names of <see cref="EventType"/> (snake_case) and their kind.</summary>
public static class EventTypes
{
    public const string Lifecycle = "lifecycle";
    public const string Resource = "resource";

    public static string Name(EventType type) => type switch
    {
        EventType.OomKill => "oom_kill",
        EventType.LimitHit => "limit_hit",
        EventType.DiskNearlyFull => "disk_nearly_full",
        EventType.DiskFull => "disk_full",
        _ => type.ToString().ToLowerInvariant(),
    };

    public static string KindOf(EventType type) => type >= EventType.OomKill ? Resource : Lifecycle;

    /// <summary>Every wire name, for validation messages and help text.</summary>
    public static IReadOnlyList<string> All { get; } = [.. Enum.GetValues<EventType>().Select(Name)];

    public static bool IsKnown(string name) => All.Contains(name);
}
