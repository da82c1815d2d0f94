using Hako.Core.Containers;
using Hako.Core.Errors;
using Hako.Daemon.Containers;
using Hako.Daemon.Options;
using Hako.State;

namespace Hako.Daemon.Migration;

/// <summary>
/// Target side: an incoming migration holds a name, an address and a private area only while its source drives
/// it. Every call from the source renews the lease; while a call runs (a pass may take long) it cannot expire.
/// Past <see cref="HakodOptions.IncomingLeaseSpan"/> without a call the row and its area are released, so a
/// source that died (or lost this node) never pins them forever. Expiry and a late call cannot interleave: once
/// released, the source's next call is refused and its migration rolls back.
/// </summary>
public sealed class IncomingLeases(HakodOptions options, TimeProvider time)
{
    private readonly Lock _lock = new();
    private readonly TimeProvider _time = time;
    private readonly Dictionary<string, Lease> _leases = new(StringComparer.Ordinal);

    private sealed class Lease(DateTimeOffset seen)
    {
        public DateTimeOffset LastSeen = seen;
        public int Active;
        public bool Released;
    }

    /// <summary>Renews the lease for the duration of a call; refused once the lease was released.</summary>
    public IDisposable Hold(string name)
    {
        lock (_lock)
        {
            var lease = _leases.GetValueOrDefault(name);
            if (lease is { Released: true })
            {
                throw HakoException.NotFound(
                    $"The incoming migration of {name} on node {options.NodeName} expired after {Core.Units.Duration.Format(options.IncomingLeaseSpan)} without a call from its source and was released; start it again from the source");
            }

            lease ??= _leases[name] = new Lease(_time.GetUtcNow());
            lease.Active++;
            lease.LastSeen = _time.GetUtcNow();
            return new Release(this, lease);
        }
    }

    /// <summary>The row is gone (committed or aborted): nothing to expire any more.</summary>
    public void Forget(string name)
    {
        lock (_lock)
        {
            _leases.Remove(name);
        }
    }

    /// <summary>
    /// Marks expired the incoming rows of <paramref name="incoming"/> idle past the lease and returns them; a row
    /// this hakod has never seen a call for starts its lease now.
    /// </summary>
    public IReadOnlyList<string> TakeExpired(IEnumerable<string> incoming)
    {
        var now = _time.GetUtcNow();
        var expired = new List<string>();
        var rows = incoming.ToHashSet(StringComparer.Ordinal);
        lock (_lock)
        {
            // Leases of names with no incoming row (a call that was refused, a row gone another way) are dropped.
            foreach (var (name, lease) in _leases.Where(l => !rows.Contains(l.Key) && l.Value is { Active: 0, Released: false }).ToList())
            {
                _leases.Remove(name);
            }

            foreach (var name in rows)
            {
                if (!_leases.TryGetValue(name, out var lease))
                {
                    _leases[name] = new Lease(now);
                }
                else if (!lease.Released && lease.Active == 0 && now - lease.LastSeen >= options.IncomingLeaseSpan)
                {
                    lease.Released = true;
                    expired.Add(name);
                }
            }
        }

        return expired;
    }

    private sealed class Release(IncomingLeases owner, Lease lease) : IDisposable
    {
        private bool _done;

        public void Dispose()
        {
            lock (owner._lock)
            {
                if (!_done)
                {
                    _done = true;
                    lease.Active--;
                    lease.LastSeen = owner._time.GetUtcNow();
                }
            }
        }
    }
}

/// <summary>Releases expired incoming migrations: every quarter of the lease (30 s at most).</summary>
public sealed class IncomingLeaseSweeper(
    HakodOptions options, IStateStore store, IncomingLeases leases, ContainerService containers, ILogger<IncomingLeaseSweeper> log)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var period = TimeSpan.FromTicks(Math.Clamp(options.IncomingLeaseSpan.Ticks / 4, TimeSpan.TicksPerSecond / 2, TimeSpan.TicksPerSecond * 30));
        using var timer = new PeriodicTimer(period);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await SweepAsync();
            }
            catch (Exception e)
            {
                Log.Drift(log, $"incoming lease sweep: {e.Message}");
            }
        }
    }

    public async Task SweepAsync()
    {
        var incoming = store.ListContainers().Where(r => r.Status == RecordStatus.Incoming).Select(r => r.Name);
        foreach (var name in leases.TakeExpired(incoming))
        {
            Log.Repaired(log, $"incoming migration of {name} had no call from its source for {Core.Units.Duration.Format(options.IncomingLeaseSpan)}; releasing it");
            try
            {
                await containers.AbortIncomingAsync(name);
            }
            finally
            {
                leases.Forget(name); // a failed release is tried again after another lease
            }
        }
    }
}
