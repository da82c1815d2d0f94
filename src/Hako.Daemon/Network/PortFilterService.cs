using Hako.Contracts;
using Hako.Core.Containers;
using Hako.Daemon.Options;
using Hako.Linux.Network;
using Hako.Runtime.Lxc;
using Hako.State;

namespace Hako.Daemon.Network;

/// <summary>
/// Keeps this hakod's anti-spoofing table (<see cref="NftFilter"/>) equal to its database: every container with
/// an address has an entry, running or stopped, so its veth is filtered from its first frame. Rebuilt in one
/// transaction at start; create, start and migration in add an entry, destroy and migration out remove it, a new
/// address swaps it. The table outlives hakod on purpose: containers keep running (and stay filtered) while
/// hakod is stopped or restarting. With anti-spoofing turned off the table is deleted at start.
/// </summary>
public sealed class PortFilterService(HakodOptions options, IStateStore store, ILogger<PortFilterService> log)
{
    /// <summary>One nft transaction at a time, so a rebuild never races an add and drops it.</summary>
    private readonly SemaphoreSlim _gate = new(1, 1);

    public bool Enabled => options.AntiSpoof;

    public string Table { get; } = NftFilter.TableName(options.NodeName);

    /// <summary>The host-side veth of a container: the name LXC gives it (lxc.net.0.veth.pair).</summary>
    public string VethOf(string name) => LxcDriver.HostVethName($"{options.CgroupParent}/{name}");

    private PortFilter? EntryFor(ContainerRecord r) =>
        r.Ip is null ? null : new PortFilter(VethOf(r.Name), LxcDriver.MacFor(r.Ip), r.Ip);

    /// <summary>
    /// At hakod start, before any container starts: checks nft and the kernel's bridge family (failing hakod's
    /// start with what to do if either is missing) and rebuilds the table from the database. Turned off, it
    /// deletes a table left by an earlier run so no stale rules stay behind.
    /// </summary>
    public async Task InitializeAsync(CancellationToken ct = default)
    {
        if (!Enabled)
        {
            try
            {
                await NftFilter.ApplyAsync(NftFilter.DeleteTable(Table), ct: ct);
            }
            catch (Core.Errors.HakoException)
            {
                // No nft or no bridge family: then there is no table of ours either.
            }

            Log.AntiSpoof(log, "off (--no-antispoof): containers' source addresses are not checked on this node");
            return;
        }

        await NftFilter.ProbeAsync(ct);
        var count = await RebuildAsync(ct);
        Log.AntiSpoof(log, $"on: table bridge {Table} rebuilt with {count} container port(s)");
    }

    /// <summary>Replaces the table with one made from the database, atomically; returns the number of ports.</summary>
    public async Task<int> RebuildAsync(CancellationToken ct = default)
    {
        if (!Enabled)
        {
            return 0;
        }

        await _gate.WaitAsync(ct);
        try
        {
            var ports = store.ListContainers().Select(EntryFor).OfType<PortFilter>().ToList();
            await NftFilter.ApplyAsync(NftFilter.Ruleset(Table, ports), ct: ct);
            return ports.Count;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Makes sure the container's port is in the table (idempotent). Called before every start: failing it fails the start.</summary>
    public async Task AddAsync(ContainerRecord r, CancellationToken ct = default)
    {
        if (EntryFor(r) is not { } entry)
        {
            return;
        }

        try
        {
            await ApplyAsync(NftFilter.AddPorts(Table, [entry]), ct);
        }
        catch (Core.Errors.HakoException e) when (e.Code == ErrorCode.Internal)
        {
            // The table is gone (deleted by hand, or a host ruleset reload flushed it): make it again from the database.
            Log.AntiSpoof(log, $"adding container {r.Name}'s port failed ({e.Message}); rebuilding table bridge {Table}");
            await RebuildAsync(ct);
        }
    }

    /// <summary>Takes the container's port out of the table (idempotent); a failure is logged, never thrown (a stale entry filters a veth that no longer exists).</summary>
    public async Task RemoveAsync(ContainerRecord r)
    {
        if (EntryFor(r) is not { } entry)
        {
            return;
        }

        try
        {
            await ApplyAsync(NftFilter.RemovePorts(Table, [entry]), CancellationToken.None);
        }
        catch (Core.Errors.HakoException e)
        {
            Log.AntiSpoof(log, $"could not remove container {r.Name}'s port from table bridge {Table}: {e.Message}; it is rebuilt at the next hakod start");
        }
    }

    /// <summary>
    /// A container's address changes (hako set NAME --ip, or a renumbering): old entry out, new one in, in one
    /// transaction, so the port is never unfiltered and never allowed both addresses for longer than the swap.
    /// Call it before the container runs with the new address.
    /// </summary>
    internal Task ChangeAddressAsync(ContainerRecord before, ContainerRecord after, CancellationToken ct = default)
    {
        var script = (EntryFor(before) is { } old ? NftFilter.RemovePorts(Table, [old]) : "")
            + (EntryFor(after) is { } entry ? NftFilter.AddPorts(Table, [entry]) : "");
        return script.Length == 0 ? Task.CompletedTask : ApplyAsync(script, ct);
    }

    /// <summary>What `hako node` shows: on or off, the table, how many ports it filters and how many of those veths exist now.</summary>
    public async Task<AntiSpoofInfo> StatusAsync(CancellationToken ct = default)
    {
        if (!Enabled)
        {
            return new AntiSpoofInfo { Enabled = false };
        }

        IReadOnlyList<string>? ports;
        string? listing;
        try
        {
            ports = await NftFilter.ListPortsAsync(Table, ct);
            listing = await NftFilter.ListTableAsync(Table, ct);
        }
        catch (Core.Errors.HakoException)
        {
            (ports, listing) = (null, null);
        }

        return new AntiSpoofInfo
        {
            Enabled = true,
            Table = $"bridge {Table}",
            TablePresent = ports is not null,
            Ports = ports?.Count ?? 0,
            PortsUp = ports?.Count(p => Directory.Exists($"/sys/class/net/{p}")) ?? 0,
            Dropped = listing is null ? 0 : NftFilter.ParseDropped(listing),
        };
    }

    private async Task ApplyAsync(string script, CancellationToken ct)
    {
        if (!Enabled)
        {
            return;
        }

        await _gate.WaitAsync(ct);
        try
        {
            await NftFilter.ApplyAsync(script, ct: ct);
        }
        finally
        {
            _gate.Release();
        }
    }
}
