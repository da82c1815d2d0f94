using Hako.Contracts;
using Hako.State.Sqlite;

namespace Hako.State.Tests;

public sealed class EventStoreTests : IDisposable
{
    private static readonly DateTimeOffset T0 = DateTimeOffset.Parse("2026-11-26T12:00:00Z", System.Globalization.CultureInfo.InvariantCulture);
    private readonly string _dir = Directory.CreateTempSubdirectory("hako-events-").FullName;
    private readonly SqliteStateStore _store;

    public EventStoreTests() => _store = new SqliteStateStore(Path.Combine(_dir, "hako.db"));

    public void Dispose()
    {
        _store.Dispose();
        Directory.Delete(_dir, true);
    }

    private EventInfo Add(string? container, string type, DateTimeOffset time, string? counter = null) =>
        _store.AppendEvent(new EventInfo
        {
            Id = 0, Time = time, Container = container, Kind = counter is null ? "lifecycle" : "resource", Type = type,
            Counter = counter, Count = counter is null ? null : 3, Detail = "d",
        });

    [Fact]
    public void Append_AssignsGrowingIds_AndRoundTripsEveryField()
    {
        var a = Add("web1", "started", T0);
        var b = Add("web1", "limit_hit", T0.AddSeconds(1), "pids.max");

        Assert.True(b.Id > a.Id);
        Assert.Equal(b.Id, _store.LastEventId());
        var all = _store.QueryEvents(new EventQuery());
        Assert.Equal([a, b], all);
        Assert.Equal(3, all[1].Count);
    }

    [Fact]
    public void Query_FiltersByContainerTypeSinceAndAfterId()
    {
        var a = Add("web1", "started", T0);
        var b = Add("web2", "started", T0.AddMinutes(1));
        var c = Add("web1", "oom_kill", T0.AddMinutes(2), "oom_kill");
        var node = Add(null, "migrated", T0.AddMinutes(3));

        Assert.Equal([a, c], _store.QueryEvents(new EventQuery { Container = "web1" }));
        Assert.Equal([a, b], _store.QueryEvents(new EventQuery { Type = "started" }));
        Assert.Equal([c, node], _store.QueryEvents(new EventQuery { Since = T0.AddMinutes(2) }));
        // A since in another offset is the same instant.
        Assert.Equal([c, node], _store.QueryEvents(new EventQuery { Since = T0.AddMinutes(2).ToOffset(TimeSpan.FromHours(9)) }));
        Assert.Equal([b, c, node], _store.QueryEvents(new EventQuery { AfterId = a.Id }));
    }

    [Fact]
    public void Query_Limit_GivesTheNewestOldestFirst_OrPagesForwardAfterAnId()
    {
        var events = Enumerable.Range(0, 5).Select(i => Add("web1", "started", T0.AddSeconds(i))).ToList();

        Assert.Equal(events[3..], _store.QueryEvents(new EventQuery { Limit = 2 }));
        Assert.Equal(events[1..3], _store.QueryEvents(new EventQuery { AfterId = events[0].Id, Limit = 2 }));
    }

    [Fact]
    public void DeleteBefore_RemovesOnlyOlderEvents_AndIdsKeepGrowing()
    {
        Add("web1", "created", T0);
        Add("web1", "started", T0.AddDays(1));
        var kept = Add("web1", "stopped", T0.AddDays(2));

        Assert.Equal(2, _store.DeleteEventsBefore(T0.AddDays(2)));
        Assert.Equal([kept], _store.QueryEvents(new EventQuery()));
        Assert.Equal(1, _store.DeleteEventsBefore(T0.AddDays(3)));
        Assert.True(Add("web1", "started", T0.AddDays(3)).Id > kept.Id); // AUTOINCREMENT: ids are never reused
    }

    [Fact]
    public void DestroyingAContainer_KeepsItsEvents()
    {
        var e = Add("web1", "destroyed", T0);
        _store.DeleteContainer("web1");
        Assert.Equal([e], _store.QueryEvents(new EventQuery { Container = "web1" }));
    }
}
