using Hako.Contracts;
using Hako.Core.Containers;
using Hako.Core.Resources;

namespace Hako.State;

/// <summary>
/// The node's desired state. SQLite on one node; the same interface backs PostgreSQL when nodes form a cluster.
/// </summary>
public interface IStateStore : IDisposable
{
    IReadOnlyList<ContainerRecord> ListContainers();

    ContainerRecord? GetContainer(string name);

    /// <summary>Inserts a new row; false when the name or IP is already taken (a unique constraint, so two creates can't race).</summary>
    bool TryInsertContainer(ContainerRecord record);

    void UpdateContainer(ContainerRecord record);

    /// <summary>
    /// Like <see cref="UpdateContainer"/>, but on disk (fsync) before it returns, surviving a power loss: for a
    /// change another node acts on (a migration's switch-over commit, after which the source deletes its copy).
    /// </summary>
    void UpdateContainerDurable(ContainerRecord record);

    void DeleteContainer(string name);

    IReadOnlyList<LimitEvent> GetLimitEvents(string container);

    /// <summary>Records that a kernel counter rose by <paramref name="delta"/>.</summary>
    void AddLimitEvent(string container, string counter, long delta, DateTimeOffset when, string? detail);


    /// <summary>Every stored counter value at once, for sweeps over all containers (one query, not one per counter).</summary>
    /// <param name="beancounters">true: only the beancounter sweep's "ubc:" values; false: only the limit-event counters.</param>
    IReadOnlyDictionary<(string Container, string Counter), long> GetCounterBaselines(bool beancounters);

    /// <summary>Stores many counter values in one transaction.</summary>
    void SetCounterBaselines(IReadOnlyCollection<(string Container, string Counter, long Value)> values);

    /// <summary>The operator's plans (built-in ones live in code): a base plan plus flags.</summary>
    IReadOnlyList<StoredPlan> ListPlans();

    bool TryInsertPlan(StoredPlan plan);

    void DeletePlan(string name);

    /// <summary>Other nodes this one can migrate containers to, by name.</summary>
    IReadOnlyList<PeerNode> ListNodes();

    /// <summary>False when a node by that name is already registered.</summary>
    bool TryInsertNode(PeerNode node);

    void DeleteNode(string name);

    /// <summary>One of this node's own settings (e.g. "evacuated"), or null when unset.</summary>
    string? GetSetting(string key);

    /// <summary>Every setting whose key starts with <paramref name="prefix"/>, by key.</summary>
    IReadOnlyList<(string Key, string Value)> ListSettings(string prefix);

    /// <summary>Sets a setting; null removes it. <paramref name="durable"/>: on disk (fsync) before it returns.</summary>
    void SetSetting(string key, string? value, bool durable = false);

    /// <summary>Appends an event; returns it with its id (ids only grow). The event's own id is ignored.</summary>
    EventInfo AppendEvent(EventInfo e);

    /// <summary>Stored events matching <paramref name="query"/>, oldest first.</summary>
    IReadOnlyList<EventInfo> QueryEvents(EventQuery query);

    /// <summary>The id of the newest stored event; 0 when there is none.</summary>
    long LastEventId();

    /// <summary>Deletes events older than <paramref name="cutoff"/>; returns how many.</summary>
    int DeleteEventsBefore(DateTimeOffset cutoff);
}

/// <summary>
/// A filter over stored events. With <see cref="AfterId"/> the first <see cref="Limit"/> events after it (to page
/// forward); without it the newest <see cref="Limit"/>. Either way the result is oldest first.
/// </summary>
public sealed record EventQuery
{
    public string? Container { get; init; }
    public string? Type { get; init; }
    public DateTimeOffset? Since { get; init; }
    public long? AfterId { get; init; }
    public int? Limit { get; init; }
}

/// <summary>A registered peer node: where its hakod API listens and the bearer token it accepts.</summary>
/// <param name="Fingerprint">The pinned SHA-256 fingerprint of the peer's TLS certificate (https), null for http on loopback.</param>
public sealed record PeerNode(string Name, Uri Url, string Token, DateTimeOffset AddedAt, string? Fingerprint = null);

/// <summary>An operator-defined plan as stored: the plan it derives from and the flags applied on top.</summary>
public sealed record StoredPlan(string Name, string? Base, PlanFlags Flags, DateTimeOffset CreatedAt);
