using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Hako.Contracts;
using Hako.Daemon.Options;
using Hako.State;

namespace Hako.Daemon.Events;

/// <summary>
/// The node's event log (hako events): <see cref="Publish"/> stores an event and hands it to every live
/// subscriber. Each subscriber has a bounded queue; one that falls behind is disconnected rather than
/// slowing publishers, and resumes from the store with the last id it saw (<see cref="ReadAsync"/>).
/// </summary>
public sealed class EventLog(IStateStore store, HakodOptions options, TimeProvider time, ILogger<EventLog> log)
{
    /// <summary>Events a subscriber may have queued before it is cut off (it then resumes from the store).</summary>
    internal const int SubscriberQueue = 1024;

    private const int ReplayPage = 500;

    private readonly Lock _gate = new();
    private readonly List<Subscriber> _subscribers = [];

    /// <summary>Stores the event and broadcasts it. Never blocks on subscribers.</summary>
    public EventInfo Publish(EventType type, string? container, string? detail = null, string? counter = null, long? count = null)
    {
        var e = new EventInfo
        {
            Id = 0,
            Time = time.GetUtcNow(),
            Container = container,
            Kind = EventTypes.KindOf(type),
            Type = EventTypes.Name(type),
            Counter = counter,
            Count = count,
            Detail = detail,
        };

        // Store and broadcast under one lock: subscribers see ids in order, and a new subscriber either finds
        // the event in the store or receives it live, never both and never neither.
        lock (_gate)
        {
            e = store.AppendEvent(e);
            foreach (var s in _subscribers.ToList())
            {
                if (s.Matches(e) && !s.Queue.Writer.TryWrite(e))
                {
                    s.Queue.Writer.TryComplete();
                    _subscribers.Remove(s);
                    Log.EventSubscriberDropped(log, SubscriberQueue);
                }
            }
        }

        Log.EventPublished(log, e.Container ?? "-", e.Type, e.Counter ?? "", e.Detail ?? "");
        return e;
    }

    /// <summary>
    /// Stored events matching <paramref name="filter"/> after <paramref name="afterId"/> (null: from
    /// <see cref="EventQuery.Since"/> if set, else from now), then live ones, in id order without gaps or
    /// duplicates. Ends when the reader has fallen <see cref="SubscriberQueue"/> events behind: it then
    /// reconnects with the last id it saw.
    /// </summary>
    public async IAsyncEnumerable<EventInfo> ReadAsync(EventQuery filter, long? afterId, [EnumeratorCancellation] CancellationToken ct)
    {
        var sub = new Subscriber(filter, Channel.CreateBounded<EventInfo>(new BoundedChannelOptions(SubscriberQueue)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait, // TryWrite fails when full: the publisher then drops the subscriber
        }));
        long live;
        lock (_gate)
        {
            _subscribers.Add(sub);
            live = store.LastEventId(); // everything up to here is in the store; later ones arrive on the queue
        }

        try
        {
            var start = afterId ?? (filter.Since is null ? live : 0);
            for (var cursor = start; cursor < live;)
            {
                var page = store.QueryEvents(filter with { AfterId = cursor, Limit = ReplayPage });
                foreach (var e in page.Where(e => e.Id <= live))
                {
                    yield return e;
                }

                cursor = page.Count == ReplayPage ? page[^1].Id : live;
            }

            var last = Math.Max(start, live);
            while (await sub.Queue.Reader.WaitToReadAsync(ct).ConfigureAwait(false))
            {
                while (sub.Queue.Reader.TryRead(out var e))
                {
                    if (e.Id > last)
                    {
                        last = e.Id;
                        yield return e;
                    }
                }
            }
        }
        finally
        {
            lock (_gate)
            {
                _subscribers.Remove(sub);
            }
        }
    }

    /// <summary>Deletes events older than the retention (--events-retention); returns how many.</summary>
    public int Prune()
    {
        var removed = store.DeleteEventsBefore(time.GetUtcNow() - options.EventsRetentionTime);
        if (removed > 0)
        {
            Log.EventsPruned(log, removed, options.EventsRetention);
        }

        return removed;
    }

    private sealed record Subscriber(EventQuery Filter, Channel<EventInfo> Queue)
    {
        public bool Matches(EventInfo e) =>
            (Filter.Container is null || e.Container == Filter.Container) && (Filter.Type is null || e.Type == Filter.Type);
    }
}

/// <summary>Prunes the event log to its retention at start and then every hour.</summary>
public sealed class EventPruner(EventLog events, TimeProvider time, ILogger<EventPruner> log) : BackgroundService
{
    internal static readonly TimeSpan Interval = TimeSpan.FromHours(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, time);
        do
        {
            try
            {
                events.Prune();
            }
            catch (Exception e)
            {
                Log.EventPruneFailed(log, e.Message, e);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}
