using Hako.Contracts;
using Hako.Core.Containers;
using Hako.Core.Errors;
using Hako.Core.Validation;
using Hako.Daemon.Resources;

namespace Hako.Daemon.Containers;

public sealed partial class ContainerService
{
    /// <summary>Applies a change: validated whole first, persisted, and applied live where the kernel allows.</summary>
    public async Task<(ContainerRecord Record, IReadOnlyList<string> Warnings)> UpdateAsync(string name, UpdateContainerRequest req, CancellationToken ct = default)
    {
        var r = Require(name);
        var errors = new List<string>();
        var warnings = new List<string>();
        var overrides = PlanCodec.Merge(r.Overrides,
            PlanCodec.FromRequest(req.Memory, req.Swap, req.Cpus, req.CpuLimit, req.CpuUnits, req.Processes, req.Disk, req.Resources));
        var cpuMask = req.Resources?.CpuMask is { } mask ? (mask.Length == 0 ? null : mask) : r.Limits.CpuMask;
        var planName = req.Plan ?? r.PlanName;
        var resolved = Resolve(errors, warnings, planName, overrides, cpuMask);
        var limits = resolved?.Limits ?? r.Limits;
        if (req.Hostname is not null && Names.CheckHostname(req.Hostname) is { } hostError)
        {
            errors.Add(hostError);
        }

        CheckNameservers(errors, req.Nameservers);
        if (req.Disk is not null && r.Limits.DiskBytes is null && limits.DiskBytes is not null)
        {
            errors.Add($"Container {name} has an unlimited disk (a plain directory); a quota can only be set at create time");
        }
        else if (r.Limits.DiskBytes is not null && limits.DiskBytes is null)
        {
            errors.Add($"Container {name} has a disk quota ({Core.Units.Size.Format(r.Limits.DiskBytes)}); it cannot be removed, only grown");
        }
        else if (limits.DiskBytes < r.Limits.DiskBytes)
        {
            errors.Add($"Disk quota can only grow online ({Core.Units.Size.Format(r.Limits.DiskBytes)} now); shrinking is not supported");
        }

        CheckNodeFits(errors, limits, r);
        if (errors.Count > 0)
        {
            throw new HakoException(ErrorCode.InvalidArgument, string.Join("; ", errors), errors);
        }

        Admit(store.ListContainers().Where(c => c.Name != name).ToList(), name, planName, resolved!.Value.Plan, exists: true);

        var updated = r with
        {
            Limits = limits,
            Hostname = req.Hostname ?? r.Hostname,
            Nameservers = req.Nameservers ?? r.Nameservers,
            OnBoot = req.OnBoot ?? r.OnBoot,
            PlanName = planName,
            Overrides = overrides,
        };

        var running = IsRunning(name);
        // The disk first: it is the step most likely to be refused, and it undoes itself when it is.
        if (limits.DiskBytes is { } disk && disk != r.Limits.DiskBytes)
        {
            await storage.GrowAsync(name, disk, running, await LowerDirAsync(r, ct), ct);
        }

        if (running)
        {
            // Live: if the kernel refuses (e.g. memory below current use), nothing is persisted.
            cgroups.Apply(CgroupGroup(name), limits, CpusetFor(name, limits));
            cgroups.Apply(CgroupGroup(name), resolved.Value.Plan.EffectiveBeancounters());
            io.Apply(CgroupGroup(name), limits, IoDevice(name));
        }

        store.UpdateContainer(updated);
        WriteConfig(updated);
        if (req.Hostname is not null || req.Nameservers is not null)
        {
            WriteGuestFiles(updated);
            if (running && req.Hostname is not null)
            {
                await SetLiveHostnameAsync(name, updated.Hostname, ct);
            }
        }

        Log.ContainerAction(log, name, "updated");
        return (updated, warnings);
    }

    /// <summary>How long the container's own `hostname` may take (it is the tenant's binary).</summary>
    internal static readonly TimeSpan GuestCommandTimeout = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Runs the container's own `hostname` so the running system takes the new name. The binary is the tenant's:
    /// it runs within the guest limits (10 s, 1M of output); past them it is killed and the set fails with
    /// Conflict, the new name stays saved (files and config) and applies at the next start.
    /// </summary>
    private async Task SetLiveHostnameAsync(string name, string hostname, CancellationToken ct)
    {
        try
        {
            await lxc.ExecAsync(name, ["hostname", hostname], null, null, GuestCommandTimeout, ct, Linux.Processes.OutputLimit.Guest);
        }
        catch (Linux.Processes.ProcessLimitException e)
        {
            var why = e.TimedOut
                ? $"did not finish within {GuestCommandTimeout.TotalSeconds:0} s"
                : $"printed more than {Core.Units.Size.Format(Linux.Processes.OutputLimit.Guest.KillAfter)}";
            throw new HakoException(ErrorCode.Conflict,
                $"The hostname {hostname} is saved but the container's own 'hostname' command {why} and was stopped; it applies at the next start (hako restart {name}), or check /bin/hostname inside", e);
        }
    }
}
