using Hako.Contracts;
using Hako.Core;
using Hako.Core.Containers;
using Hako.Core.Errors;
using Hako.Core.Units;
using Hako.Core.Validation;
using Hako.Daemon.Operations;
using Hako.Daemon.Resources;
using Hako.Linux.Interop;
using Hako.Linux.Procfs;

namespace Hako.Daemon.Containers;

public sealed partial class ContainerService
{

    private static readonly TimeSpan? TestCreateDelay =
        int.TryParse(Environment.GetEnvironmentVariable("HAKO_TEST_CREATE_DELAY_MS"), out var ms) ? TimeSpan.FromMilliseconds(ms) : null;

    /// <summary>
    /// Checks a create request completely before anything is allocated, reporting every problem at once,
    /// then reserves the name and address with a row in state Creating.
    /// </summary>
    public (ContainerRecord Record, IReadOnlyList<string> Warnings) Admit(CreateContainerRequest req)
    {
        CheckNotEvacuated($"create of {req.Name}");
        var errors = new List<string>();
        var warnings = new List<string>();
        if (Names.CheckName(req.Name) is { } nameError)
        {
            errors.Add(nameError);
        }

        if (string.IsNullOrWhiteSpace(req.Template))
        {
            errors.Add("A template is required; see hako template list (e.g. --template busybox)");
        }
        else if (templates.Get(req.Template) is null)
        {
            errors.Add($"Template '{req.Template}' does not exist; see hako template list, or build one with: hako template build busybox");
        }

        var overrides = PlanCodec.FromRequest(req.Memory, req.Swap, req.Cpus, req.CpuLimit, req.CpuUnits, req.Processes, req.Disk, req.Resources);
        var resolved = Resolve(errors, warnings, req.Plan, overrides, req.Resources?.CpuMask);
        var hostname = req.Hostname ?? req.Name;
        if (Names.CheckHostname(hostname) is { } hostError)
        {
            errors.Add(hostError);
        }

        CheckNameservers(errors, req.Nameservers);
        var limits = resolved?.Limits ?? new ResourceLimits();
        if (resolved is not null)
        {
            CheckNodeFits(errors, limits, null);
        }

        ContainerRecord? record = null;
        lock (_allocation)
        {
            var all = store.ListContainers();
            if (errors.Count == 0 && all.Any(c => c.Name == req.Name))
            {
                throw new HakoException(ErrorCode.AlreadyExists, $"Container {req.Name} already exists; pick another name or destroy it first");
            }

            var taken = all.Where(c => c.Ip is not null).Select(c => c.Ip!).ToHashSet();
            string? ip = null;
            var network = req.Network ?? "bridge";
            if (network is not ("bridge" or "none"))
            {
                errors.Add($"Network '{req.Network}' is unknown; use 'bridge' (default) or 'none'");
            }
            else if (network == "none")
            {
                if (req.Ip is not null)
                {
                    errors.Add("--ip needs a network; drop --network none or --ip");
                }
            }
            else if (req.Ip is not null)
            {
                if (_subnet.CheckRequested(req.Ip, taken) is { } ipError)
                {
                    errors.Add(ipError);
                }
                else
                {
                    ip = System.Net.IPAddress.Parse(req.Ip).ToString();
                }
            }
            else if ((ip = _subnet.Allocate(taken)) is null)
            {
                errors.Add($"The node's subnet {_subnet} has no free address left; pass --ip or grow --subnet");
            }

            if (errors.Count > 0)
            {
                throw new HakoException(ErrorCode.InvalidArgument,
                    errors.Count == 1 ? errors[0] : $"{errors.Count} problems with the request: {string.Join("; ", errors)}", errors);
            }

            CheckSwitches(options, req.Privileged, limits.DiskBytes is null, $"Container {req.Name}");
            Admit(all, req.Name, req.Plan, resolved!.Value.Plan, exists: false);

            record = new ContainerRecord
            {
                Name = req.Name,
                Status = RecordStatus.Creating,
                Template = req.Template,
                Hostname = hostname,
                Ip = ip,
                Nameservers = req.Nameservers ?? [],
                Limits = limits,
                PlanName = req.Plan,
                Overrides = overrides,
                OnBoot = req.OnBoot,
                Privileged = req.Privileged,
                DesiredState = "stopped",
                CreatedAt = time.GetUtcNow(),
            };
            if (!store.TryInsertContainer(record))
            {
                throw new HakoException(ErrorCode.AlreadyExists, $"Container {req.Name} or address {ip} was taken meanwhile; try again");
            }
        }

        return (record, warnings);
    }

    /// <summary>
    /// Makes the container's storage, files and LXC config for an admitted row. Every step registers
    /// its undo; on failure everything is removed, the row included, so nothing half-made remains.
    /// </summary>
    public async Task CreateAsync(ContainerRecord record, bool start, Operation op, CancellationToken ct = default)
    {
        var name = record.Name;
        await using (var revert = new Revert(e => Log.UndoStepFailed(log, "create", name, e.Message, e)))
        {
            revert.Add(() => RemoveArtifactsAsync(name));
            revert.Add(() => store.DeleteContainer(name));
            var template = RequireTemplate(record.Template);

            op.Report(10, "creating private area");
            await storage.CreateAsync(name, record.Limits.DiskBytes, RootUid(record) ?? 0, ct);
            op.Report(40, "mounting root");
            await storage.MountAsync(name, await LowerDirAsync(record, ct), ct);
            if (TestCreateDelay is { } delay)
            {
                await Task.Delay(delay, ct); // lets crash tests kill hakod while a create is half done
            }

            op.Report(60, "writing configuration");
            WriteGuestFiles(record);
            lxc.WriteConfig(SpecFor(record, template));
            // The port is filtered before its veth ever exists (the entry is keyed by the veth's name).
            revert.Add(() => filter.RemoveAsync(record));
            await filter.AddAsync(record, ct);
            store.UpdateContainer(record with { Status = RecordStatus.Ready });
            revert.Success();
        }

        Log.ContainerAction(log, name, "created");
        events.Publish(EventType.Created, name, $"from template {record.Template}");
        if (start)
        {
            op.Report(80, "starting");
            await StartCoreAsync(name, ct);
        }
    }

    /// <summary>Removes every artifact a container may have, whatever state it was left in. Idempotent.</summary>
    internal async Task RemoveArtifactsAsync(string name)
    {
        if (File.Exists(paths.ConfigFile(name)) && await lxc.IsRunningAsync(name))
        {
            await lxc.StopAsync(name, force: true, timeoutSeconds: 10);
        }

        await storage.DestroyAsync(name);
        lxc.DeleteContainerDir(name);
        RemoveStaleCgroups(name);
    }

    private static void CheckNameservers(List<string> errors, IReadOnlyList<string>? nameservers)
    {
        foreach (var ns in nameservers ?? [])
        {
            if (!Core.Network.Ipv4Text.IsNameserver(ns))
            {
                errors.Add($"Nameserver '{Names.Printable(ns)}' is not an IP address (four decimal numbers 0-255 without leading zeros, or IPv6); use e.g. --nameserver 192.0.2.53");
            }
        }
    }

    /// <summary>A single container can never be bigger than the node: memory above RAM or a quota above free disk is refused.</summary>
    private void CheckNodeFits(List<string> errors, ResourceLimits limits, ContainerRecord? existing)
    {
        var mem = ProcMeminfo.Read();
        if (limits.MemoryBytes is { } m && m > mem.MemTotalBytes)
        {
            errors.Add($"Memory {Size.Format(m)} is more than this node's RAM ({Size.Format(mem.MemTotalBytes)}); ask for less");
        }

        if (limits.DiskBytes is { } d)
        {
            var already = existing?.Limits.DiskBytes ?? 0;
            var free = Statvfs.Get(paths.Private).AvailableBytes;
            if (d - already > free)
            {
                errors.Add($"Disk quota {Size.Format(d)} is more than the free space under {paths.Private} ({Size.Format(free)}); ask for less or free space");
            }
        }
    }
}
