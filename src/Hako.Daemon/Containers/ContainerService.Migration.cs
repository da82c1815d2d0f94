using System.Text.Json;
using Hako.Contracts;
using Hako.Core;
using Hako.Core.Containers;
using Hako.Core.Errors;
using Hako.Core.Resources;
using Hako.Core.Units;
using Hako.Core.Validation;
using Hako.Daemon.Migration;
using Hako.Linux.Interop;
using Hako.Linux.Processes;
using Hako.Linux.Files;
using Hako.Runtime.Archives;
using Hako.Runtime.Migration;

namespace Hako.Daemon.Containers;

/// <summary>
/// The container side of migrations. Target: admit a container offered by another node, receive its private
/// area into a row in state Incoming (invisible to lifecycle actions, rolled back by reconcile after a crash),
/// then commit it. Source: describe, freeze, kill and finally remove the local copy.
/// </summary>
public sealed partial class ContainerService
{
    private static readonly TimeSpan? TestReceiveDelay =
        int.TryParse(Environment.GetEnvironmentVariable("HAKO_TEST_RECEIVE_DELAY_MS"), out var ms) ? TimeSpan.FromMilliseconds(ms) : null;

    private static readonly bool TestFailCommit = Environment.GetEnvironmentVariable("HAKO_TEST_FAIL_COMMIT") == "1";

    /// <summary>node_settings key set while the node is evacuated.</summary>
    public const string EvacuatedSetting = "evacuated";

    public bool Evacuated => store.GetSetting(EvacuatedSetting) is not null;

    /// <summary>hako node evacuate sets it, hako node restore clears it.</summary>
    public void SetEvacuated(bool evacuated) =>
        store.SetSetting(EvacuatedSetting, evacuated ? time.GetUtcNow().ToString("O", System.Globalization.CultureInfo.InvariantCulture) : null);

    /// <summary>Creates and incoming migrations are refused while the operator empties this node.</summary>
    private void CheckNotEvacuated(string what)
    {
        if (Evacuated)
        {
            throw HakoException.Conflict(
                $"Node {options.NodeName} is evacuated and takes no new containers ({what} refused); put it back in service with: hako node restore");
        }
    }

    /// <summary>The container as offered to another node; <paramref name="ip"/> replaces its address (nodes on another subnet).</summary>
    public IncomingContainer DescribeForMigration(ContainerRecord r, string? ip, bool running) => new()
    {
        Name = r.Name,
        SourceNode = options.NodeName,
        Template = r.Template,
        TemplateHash = RequireTemplate(r.Template).ContentHash,
        Hostname = r.Hostname,
        Ip = ip ?? r.Ip,
        Nameservers = r.Nameservers,
        Plan = r.PlanName,
        OverridesJson = JsonSerializer.Serialize(r.Overrides, MigrationJsonContext.Default.PlanFlags),
        CpuMask = r.Limits.CpuMask,
        OnBoot = r.OnBoot,
        Privileged = r.Privileged,
        CreatedAt = r.CreatedAt,
        UsedBytes = PrivateAreaBytes(r.Name),
        Running = running,
    };

    /// <summary>Bytes the container's own data takes: the used blocks of its private area.</summary>
    public long PrivateAreaBytes(string name) =>
        DiskUsage(name) is { } usage ? usage.UsedBytes : DirectoryBytes(paths.Upper(name));

    /// <summary>Apparent bytes below an area without a quota image; never follows the tenant's symlinks (.NET's recursion would).</summary>
    private static long DirectoryBytes(string dir)
    {
        if (!Directory.Exists(dir))
        {
            return 0;
        }

        using var root = RootedDirectory.Open(dir);
        return root.FileBytes();
    }

    /// <summary>
    /// Target side: would this node take the container? Every problem is reported at once, before anything is
    /// made. With <paramref name="reserve"/> the name and address are then held by a row in state Incoming.
    /// </summary>
    public (ContainerRecord Record, bool NeedTemplate, IReadOnlyList<string> Warnings) AdmitIncoming(IncomingContainer c, bool reserve)
    {
        // Everything a peer sends that reaches a path, a config file or a command line is checked first (400).
        var invalid = new List<string>();
        foreach (var error in new[]
                 {
                     Names.CheckName(c.Name), Names.CheckName(c.Template, "Template name"), Names.CheckName(c.SourceNode, "Source node name"),
                     Names.CheckHostname(c.Hostname), c.Plan is null ? null : Names.CheckName(c.Plan, "Plan name"),
                 })
        {
            if (error is not null)
            {
                invalid.Add(error);
            }
        }

        CheckNameservers(invalid, c.Nameservers);
        if (invalid.Count > 0)
        {
            throw new HakoException(ErrorCode.InvalidArgument, $"The container sent for migration is invalid: {string.Join("; ", invalid)}", invalid);
        }

        CheckNotEvacuated($"migration of {c.Name} from {c.SourceNode}");
        var errors = new List<string>();
        var warnings = new List<string>();

        var needTemplate = false;
        var template = templates.Get(c.Template);
        if (template is null)
        {
            needTemplate = true;
        }
        else if (template.ContentHash != c.TemplateHash)
        {
            errors.Add($"Template '{c.Template}' on node {options.NodeName} has other content ({template.ContentHash}) than on {c.SourceNode} ({c.TemplateHash}); " +
                "rename or rebuild one of them so the same name means the same files");
        }

        PlanFlags overrides;
        try
        {
            overrides = JsonSerializer.Deserialize(c.OverridesJson, MigrationJsonContext.Default.PlanFlags) ?? new PlanFlags();
        }
        catch (JsonException e)
        {
            throw HakoException.Invalid($"The container's settings sent by {c.SourceNode} are unreadable ({e.Message}); are both nodes on the same Hako version?");
        }

        var resolved = Resolve(errors, warnings, c.Plan, overrides, c.CpuMask);
        var limits = resolved?.Limits ?? new ResourceLimits();
        if (resolved is not null)
        {
            CheckNodeFits(errors, limits, null);
            CheckSwitches(options, c.Privileged, limits.DiskBytes is null, $"Container {c.Name} from {c.SourceNode}");
        }

        if (limits.DiskBytes is null && c.UsedBytes > Statvfs.Get(paths.Private).AvailableBytes)
        {
            errors.Add($"The container's {Size.Format(c.UsedBytes)} of data is more than the free space under {paths.Private} on node {options.NodeName}; free space first");
        }

        lock (_allocation)
        {
            var all = store.ListContainers();
            if (all.Any(r => r.Name == c.Name))
            {
                errors.Add($"A container named {c.Name} already exists on node {options.NodeName}; destroy or rename it first");
            }

            if (c.Ip is not null && _subnet.CheckRequested(c.Ip, all.Where(r => r.Ip is not null).Select(r => r.Ip!).ToHashSet()) is { } ipError)
            {
                errors.Add($"Node {options.NodeName}: {ipError}; give the container a free address of {_subnet} with: hako migrate {c.Name} {options.NodeName} --ip ADDRESS");
            }

            if (errors.Count > 0)
            {
                throw new HakoException(ErrorCode.Conflict,
                    $"Node {options.NodeName} cannot take container {c.Name}: {string.Join("; ", errors)}", errors);
            }

            // A stopped container's limits only count for the running-set part of admission once it starts.
            Admit(all, c.Name, c.Plan, resolved!.Value.Plan, exists: false);
            var record = new ContainerRecord
            {
                Name = c.Name,
                Status = RecordStatus.Incoming,
                Template = c.Template,
                Hostname = c.Hostname,
                Ip = c.Ip,
                Nameservers = c.Nameservers,
                Limits = limits,
                PlanName = c.Plan,
                Overrides = overrides,
                OnBoot = c.OnBoot,
                Privileged = c.Privileged,
                DesiredState = "stopped",
                CreatedAt = c.CreatedAt,
            };
            if (reserve && !store.TryInsertContainer(record))
            {
                throw new HakoException(ErrorCode.AlreadyExists, $"Container {c.Name} or address {c.Ip} was taken on node {options.NodeName} meanwhile; try again");
            }

            return (record, needTemplate, warnings);
        }
    }

    /// <summary>Target side: gives back a reservation that was never used (no artifacts were made for it).</summary>
    public void AbortReservation(string name)
    {
        if (store.GetContainer(name) is { Status: RecordStatus.Incoming })
        {
            store.DeleteContainer(name);
        }
    }

    /// <summary>Target side: the empty private area (same quota) for a reserved Incoming row. Failure removes it all, row included.</summary>
    public async Task PrepareIncomingAsync(ContainerRecord record, CancellationToken ct = default)
    {
        using var lease = leases.Hold(record.Name);
        await using var revert = new Revert(e => Log.UndoStepFailed(log, "incoming migration", record.Name, e.Message, e));
        revert.Add(() => RemoveArtifactsAsync(record.Name));
        revert.Add(() => store.DeleteContainer(record.Name));
        RequireTemplate(record.Template);
        // Only the area: the root overlay is mounted at commit, since writing into a mounted overlay's upper dir is undefined.
        await storage.CreateAsync(record.Name, record.Limits.DiskBytes, RootUid(record) ?? 0, ct);
        revert.Success();
    }

    private ContainerRecord RequireIncoming(string name) =>
        store.GetContainer(name) is { Status: RecordStatus.Incoming } r
            ? r
            : throw HakoException.NotFound($"No migration of container {name} is in progress on node {options.NodeName}; start it again from the source");

    /// <summary>
    /// Target side: extracts one pass into the private area (every entry made beneath a handle on the upper dir,
    /// never through a symlink: see <see cref="TreeArchive.ExtractAsync"/>), then syncs that filesystem (syncfs): the source
    /// deletes its copy after the switch, so what was received must be on disk, and a write error of a full
    /// disk only shows there.
    /// </summary>
    public async Task<long> ReceiveFilesAsync(string name, Stream body, long? declaredLength, CancellationToken ct = default)
    {
        using var lease = leases.Hold(name); // first: a lease released meanwhile refuses the call
        var r = RequireIncoming(name);
        var tar = CapPass(r, body, declaredLength);
        if (TestReceiveDelay is { } delay)
        {
            await Task.Delay(delay, ct); // lets failure tests kill this node or fill its disk in the middle of a copy
        }

        var upper = paths.Upper(name);
        long bytes;
        using (var root = RootedDirectory.Open(upper))
        {
            bytes = (await TreeArchive.ExtractAsync(tar, root, ExtractPolicy.Migration, ct)).Bytes;
        }

        var sync = await ProcessRunner.RunAsync("sync", ["-f", upper], ct: ct);
        if (!sync.Ok)
        {
            throw new HakoException(ErrorCode.InsufficientResources,
                $"Writing container {name}'s files to disk failed on node {options.NodeName} ({sync.Stderr.Trim()}); is its disk full?");
        }

        return bytes;
    }

    /// <summary>Room for tar headers (512 bytes to a few K per entry), directories and xattrs on top of a pass's file bytes.</summary>
    private static long PassMetadataAllowance(long? quota) => (quota ?? 0) / 4 + (256L << 20);

    /// <summary>Kept free on the host filesystem whatever a pass sends.</summary>
    private const long PassFreeSpaceMargin = 64L << 20;

    /// <summary>
    /// A pass's body, held to what the container can hold (its quota plus metadata; an unlimited one to the free
    /// space) and to the host's free space under the private areas, checked before anything is written.
    /// </summary>
    private Linux.Files.CappedReadStream CapPass(ContainerRecord r, Stream body, long? declaredLength)
    {
        var free = Math.Max(0, Statvfs.Get(paths.Private).AvailableBytes - PassFreeSpaceMargin);
        long? cap = r.Limits.DiskBytes is { } quota ? quota + PassMetadataAllowance(quota) : null;
        if (declaredLength is { } declared)
        {
            if (cap is { } c && declared > c)
            {
                throw HakoException.Invalid(
                    $"A pass of {Size.Format(declared)} for container {r.Name} is more than its {Size.Format(r.Limits.DiskBytes)} quota plus metadata ({Size.Format(c)}); nothing was written");
            }

            if (declared > free)
            {
                throw new HakoException(ErrorCode.InsufficientResources,
                    $"A pass of {Size.Format(declared)} for container {r.Name} is more than the {Size.Format(free)} free under {paths.Private} on node {options.NodeName} (keeping {Size.Format(PassFreeSpaceMargin)}); free space first");
            }
        }

        return cap is { } limit && limit <= free
            ? new Linux.Files.CappedReadStream(body, limit, l => HakoException.Invalid(
                $"A pass for container {r.Name} passed {Size.Format(l)}, its {Size.Format(r.Limits.DiskBytes)} quota plus metadata; it was stopped"))
            : new Linux.Files.CappedReadStream(body, free, l => new HakoException(ErrorCode.InsufficientResources,
                $"A pass for container {r.Name} passed {Size.Format(l)}, all the free space under {paths.Private} on node {options.NodeName} (keeping {Size.Format(PassFreeSpaceMargin)}); it was stopped; free space first"));
    }

    /// <summary>Target side: removes what the source deleted since the last pass, never following a symlink out of the area.</summary>
    public int DeletePaths(string name, IReadOnlyList<string> relativePaths)
    {
        using var lease = leases.Hold(name); // first: a lease released meanwhile refuses the call
        RequireIncoming(name);
        var removed = 0;
        using var root = RootedDirectory.Open(paths.Upper(name));
        foreach (var rel in relativePaths)
        {
            if (!RootedDirectory.IsPlainRelative(rel))
            {
                throw HakoException.Invalid($"Path '{rel}' to delete is not a plain relative path");
            }

            // Below a symlink it cannot be in the area (the source replaced a directory meanwhile): nothing to do.
            if (root.Remove(rel))
            {
                removed++;
            }
        }

        return removed;
    }

    /// <summary>
    /// Target side, the switch: mounts the root overlay on the received area, rewrites the guest files and
    /// the LXC config from the record, makes the row Ready and starts it if asked. A failed start puts the
    /// row back to Incoming so the source's abort removes it.
    /// </summary>
    public async Task<ContainerInfo> CommitIncomingAsync(string name, bool start, CancellationToken ct = default)
    {
        using var lease = leases.Hold(name);
        var r = RequireIncoming(name);
        await storage.MountAsync(name, await LowerDirAsync(r, ct), ct);
        WriteGuestFiles(r);
        lxc.WriteConfig(SpecFor(r, RequireTemplate(r.Template)));
        // Filtered here with the address it has on this node (a --ip renumbering included).
        await filter.AddAsync(r, ct);
        if (TestFailCommit)
        {
            // Lets tests fail the switch itself, after the source has stopped its copy.
            throw new HakoException(ErrorCode.Internal, $"Commit of {name} refused for a test (HAKO_TEST_FAIL_COMMIT)");
        }

        // Durable before the answer: the source deletes its copy once it hears this commit succeeded, so a power
        // loss here must not revert the row to Incoming (and the next start roll the only copy back).
        store.UpdateContainerDurable(r with { Status = RecordStatus.Ready });
        if (start)
        {
            try
            {
                await StartCoreAsync(name, ct);
            }
            catch
            {
                await lxc.StopAsync(name, force: true, timeoutSeconds: 10, CancellationToken.None);
                store.UpdateContainer(r);
                throw;
            }
        }

        leases.Forget(name);
        Log.ContainerAction(log, name, $"migrated in{(start ? " and started" : "")}");
        return await ShowAsync(name, ct);
    }

    /// <summary>Target side: drops a half-received container. Idempotent; a committed container is never touched.</summary>
    public async Task AbortIncomingAsync(string name)
    {
        var r = store.GetContainer(name);
        if (r is null)
        {
            return;
        }

        if (r.Status != RecordStatus.Incoming)
        {
            throw HakoException.Conflict($"Container {name} was already committed on node {options.NodeName}; it stays here");
        }

        await RemoveArtifactsAsync(name);
        await filter.RemoveAsync(r);
        store.DeleteContainer(name);
        leases.Forget(name);
        Log.ContainerAction(log, name, "incoming migration aborted");
    }

    /// <summary>Source side: freezes every process of the container (cgroup freezer) and waits until all are frozen.</summary>
    public Task FreezeAsync(string name, CancellationToken ct = default) =>
        cgroups.FreezeAsync(CgroupGroup(name), TimeSpan.FromSeconds(10), ct);

    public void Thaw(string name) => cgroups.Thaw(CgroupGroup(name));

    /// <summary>Whether the container's cgroup is frozen (or freezing).</summary>
    public bool IsFrozen(string name) => cgroups.IsFrozen(CgroupGroup(name));

    /// <summary>
    /// Source side: ends a frozen container without letting it run again. SIGKILL is queued for every process
    /// while frozen, then the group is thawed: each task leaves the freezer straight into the fatal signal, so no
    /// instruction of the container runs after the final copy (killing only init would let the rest run briefly).
    /// </summary>
    public async Task KillFrozenAsync(string name, CancellationToken ct = default)
    {
        var group = CgroupGroup(name);
        foreach (var pid in cgroups.ProcessesRecursive(group))
        {
            Linux.Interop.Signals.Kill(pid, Linux.Interop.Signals.SigKill);
        }

        cgroups.Thaw(group);
        // Once the last process is gone its network namespace and veth are too, so the address is free for the
        // target: no need to wait for LXC's monitor (lxc-stop -k would add a fixed second of downtime).
        for (var i = 0; i < 2000 && IsRunning(name); i++)
        {
            await Task.Delay(5, ct);
        }

        if (IsRunning(name))
        {
            await lxc.StopAsync(name, force: true, timeoutSeconds: 10, ct);
        }

        store.UpdateContainer(Require(name) with { DesiredState = "stopped" });
    }

    /// <summary>Source side: starts the container again after a failed migration (the undo of a stop or kill).</summary>
    public Task RestartAfterFailedMigrationAsync(string name, CancellationToken ct = default) => StartCoreAsync(name, ct);

    /// <summary>Source side, after the target runs the container: removes the local copy, row included.</summary>
    public async Task RemoveMigratedAsync(string name)
    {
        var r = Require(name);
        store.UpdateContainer(r with { Status = RecordStatus.Destroying });
        await RemoveArtifactsAsync(name);
        await filter.RemoveAsync(r);
        store.DeleteContainer(name);
        Log.ContainerAction(log, name, "removed after migration");
    }
}
