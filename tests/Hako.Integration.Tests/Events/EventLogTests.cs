using Hako.Contracts;
using Hako.Daemon.Events;
using Hako.Daemon.Options;
using Hako.State;
using Hako.State.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;

namespace Hako.Integration.Tests.Events;

/// <summary>The event log on a temp database with a hand-driven clock: retention, and readers that fall behind.</summary>
public sealed class EventLogTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("hako-eventlog-").FullName;
    private readonly SqliteStateStore _store;
    private readonly ManualTime _time = new(DateTimeOffset.Parse("2026-11-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture));

    public EventLogTests() => _store = new SqliteStateStore(Path.Combine(_dir, "hako.db"));

    public void Dispose()
    {
        _store.Dispose();
        Directory.Delete(_dir, true);
    }

    private EventLog Log(string retention = "30d") =>
        new(_store, new HakodOptions { EventsRetention = retention }, _time, NullLogger<EventLog>.Instance);

    [Fact]
    public void Prune_DeletesEventsOlderThanTheRetention_Only()
    {
        var log = Log("7d");
        log.Publish(EventType.Created, "web1");
        _time.Advance(TimeSpan.FromDays(5));
        var recent = log.Publish(EventType.Started, "web1");
        _time.Advance(TimeSpan.FromDays(3)); // created is now 8 days old, started 3

        Assert.Equal(1, log.Prune());
        Assert.Equal([recent], _store.QueryEvents(new EventQuery()));
        Assert.Equal(0, log.Prune());
    }

    [Fact]
    public void Publish_StampsTimeKindAndWireType()
    {
        var e = Log().Publish(EventType.LimitHit, "web1", "fork failed", "pids.max", 4);

        Assert.Equal(_time.GetUtcNow(), e.Time);
        Assert.Equal(("resource", "limit_hit", "pids.max", 4L), (e.Kind, e.Type, e.Counter!, e.Count!.Value));
        Assert.Equal("lifecycle", Log().Publish(EventType.Migrated, "web1").Kind);
    }

    [Fact]
    public async Task SlowReader_IsCutOffInsteadOfBlockingPublishers_AndResumesWithoutGapsOrDuplicates()
    {
        var log = Log();
        var first = log.Publish(EventType.Created, "web1");
        var seen = new List<long>();
        await using (var reader = log.ReadAsync(new EventQuery(), afterId: 0, CancellationToken.None).GetAsyncEnumerator())
        {
            Assert.True(await reader.MoveNextAsync()); // replayed from the store; the reader is now subscribed
            seen.Add(reader.Current.Id);

            // Publishing more than the reader's queue holds must not block.
            var publish = Task.Run(() =>
            {
                for (var i = 0; i < EventLog.SubscriberQueue + 100; i++)
                {
                    log.Publish(EventType.Started, i % 2 == 0 ? "web1" : "web2");
                }
            });
            await publish.WaitAsync(TimeSpan.FromSeconds(30));

            while (await reader.MoveNextAsync()) // ends: the reader was cut off
            {
                seen.Add(reader.Current.Id);
            }
        }

        Assert.Equal(EventLog.SubscriberQueue + 1, seen.Count);
        await foreach (var e in log.ReadAsync(new EventQuery(), seen[^1], CancellationToken.None).Take(100))
        {
            seen.Add(e.Id);
        }

        Assert.Equal(Enumerable.Range((int)first.Id, EventLog.SubscriberQueue + 101).Select(i => (long)i), seen);
    }

    [Fact]
    public async Task Reader_FiltersByContainer_ReplaysSince_ThenLive()
    {
        var log = Log();
        log.Publish(EventType.Created, "web1");
        _time.Advance(TimeSpan.FromHours(2));
        var recent = log.Publish(EventType.Started, "web1");
        log.Publish(EventType.Started, "web2");
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await using var reader = log.ReadAsync(new EventQuery { Container = "web1", Since = _time.GetUtcNow().AddHours(-1) }, null, cts.Token)
            .GetAsyncEnumerator(cts.Token);

        Assert.True(await reader.MoveNextAsync());
        Assert.Equal(recent, reader.Current);
        var next = reader.MoveNextAsync();
        log.Publish(EventType.Stopped, "web2");
        var live = log.Publish(EventType.Stopped, "web1");
        Assert.True(await next);
        Assert.Equal(live, reader.Current);
    }

    /// <summary>A clock the test moves by hand.</summary>
    private sealed class ManualTime(DateTimeOffset start) : TimeProvider
    {
        private DateTimeOffset _now = start;

        public override DateTimeOffset GetUtcNow() => _now;

        public void Advance(TimeSpan by) => _now += by;
    }
}
