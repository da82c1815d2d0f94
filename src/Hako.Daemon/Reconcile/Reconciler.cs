using Hako.Core.Containers;
using Hako.Daemon.Containers;
using Hako.Daemon.Options;
using Hako.Linux.Mounts;
using Hako.Linux.Network;
using Hako.Linux.Processes;
using Hako.Runtime;
using Hako.Runtime.Lxc;
using Hako.Runtime.Storage;
using Hako.State;

namespace Hako.Daemon.Reconcile;

/// <summary>
/// Runs once when hakod starts, before the API serves: the database is the desired state, and what is
/// really running and mounted is made to match it. Rows left in Creating/Destroying by a crash are rolled
/// back; artifacts with no row (LXC dirs, images, mounts, loop devices) are removed; onboot containers start.
/// Running containers are left running.
/// </summary>
public sealed class Reconciler(
    HakodOptions options, NodePaths paths, IStateStore store, ContainerService containers,
    Network.PortFilterService filter, Migration.MigrationService migrations, ILogger<Reconciler> log)
{
    public async Task RunAsync(CancellationToken ct = default)
    {
        paths.EnsureCreated();
        // Modes first: a data dir made by an older hakod (0711, 0644 db and images) is closed before anything else.
        paths.Secure([.. store.ListContainers().Select(r => (r.Name, containers.RootUid(r)))]);
        var subnet = Core.Network.Ipv4Subnet.Parse(options.Subnet);
        await Bridge.EnsureAsync(options.Bridge, $"{subnet.Gateway}/{subnet.PrefixLength}", ct);
        if (options.Nat)
        {
            await Bridge.EnableNatAsync(subnet.ToString(), options.Bridge, ct);
        }

        foreach (var r in store.ListContainers().Where(r => r.Status != RecordStatus.Ready))
        {
            Log.Repaired(log, $"container {r.Name} was left {r.Status.ToString().ToLowerInvariant()} by an interrupted hakod; removing it");
            await containers.RemoveArtifactsAsync(r.Name);
            store.DeleteContainer(r.Name);
        }

        // Before any container starts: the table is made again from the rows that remain (running containers
        // were filtered all along by the table the last hakod left; the swap is one transaction).
        await filter.InitializeAsync(ct);

        var known = store.ListContainers().Select(r => r.Name).ToHashSet();
        await RemoveOrphansAsync(known);

        // Outgoing migrations a killed hakod left half-done (a frozen container, a switch without an answer).
        await migrations.RepairAfterCrashAsync(ct);

        var booted = HostBootedSinceLastRun();
        foreach (var r in store.ListContainers())
        {
            try
            {
                await ReconcileOneAsync(r, booted, ct);
            }
            catch (Exception e)
            {
                Log.Drift(log, $"container {r.Name}: {e.Message}");
            }
        }

        File.WriteAllText(BootIdFile, CurrentBootId());
    }

    private string BootIdFile => Path.Combine(paths.DataDir, "boot_id");

    private static string CurrentBootId() => File.ReadAllText("/proc/sys/kernel/random/boot_id").Trim();

    /// <summary>onboot means "start when the host boots", as in vzctl: a hakod restart alone is not a boot.</summary>
    private bool HostBootedSinceLastRun() =>
        !File.Exists(BootIdFile) || File.ReadAllText(BootIdFile).Trim() != CurrentBootId();

    private async Task ReconcileOneAsync(ContainerRecord r, bool booted, CancellationToken ct)
    {
        if (containers.IsRunning(r.Name))
        {
            if (containers.IsFrozen(r.Name))
            {
                // Nothing freezes a container but a migration, and none runs before the API serves.
                containers.Thaw(r.Name);
                Log.Repaired(log, $"container {r.Name} was frozen with no migration in progress; thawed");
            }

            // Leave it running; rewrite its config from the database in case it was edited or deleted.
            containers.WriteConfig(r);
            if (r.DesiredState != "running")
            {
                Log.Drift(log, $"container {r.Name} is running but was last asked to stop; leaving it running");
                containers.MarkDesired(r.Name, "running");
            }

            return;
        }

        // After a host reboot the mounts are gone: remount so start and usage work, and rewrite the config.
        await containers.StartPrepareAsync(r.Name, ct);
        if (booted)
        {
            if (r.OnBoot)
            {
                Log.Repaired(log, $"host booted: starting onboot container {r.Name}");
                await containers.StartAsync(r.Name, ct);
            }
            else if (r.DesiredState == "running")
            {
                Log.Drift(log, $"host booted: container {r.Name} is not onboot, so it stays stopped");
                containers.MarkDesired(r.Name, "stopped");
            }
        }
        else if (r.DesiredState == "running")
        {
            Log.Repaired(log, $"container {r.Name} should be running and is not (it crashed or was stopped behind hakod's back); starting it");
            await containers.StartAsync(r.Name, ct);
        }
    }

    private async Task RemoveOrphansAsync(HashSet<string> known)
    {
        var names = new HashSet<string>();
        if (Directory.Exists(paths.Lxc))
        {
            names.UnionWith(Directory.EnumerateDirectories(paths.Lxc).Select(Path.GetFileName)!);
        }

        if (Directory.Exists(paths.Private))
        {
            names.UnionWith(Directory.EnumerateFileSystemEntries(paths.Private)
                .Select(p => Path.GetFileName(p).EndsWith(".img", StringComparison.Ordinal) ? Path.GetFileNameWithoutExtension(p) : Path.GetFileName(p)));
        }

        foreach (var name in names.Where(n => !known.Contains(n)))
        {
            Log.Repaired(log, $"removing orphaned artifacts of '{name}' (no database row)");
            await containers.RemoveArtifactsAsync(name);
        }

        // Mounts under our data dir whose container is unknown (e.g. the dirs were deleted by hand).
        var prefix = paths.DataDir + "/";
        foreach (var m in MountInfo.Read().Where(m => m.MountPoint.StartsWith(prefix, StringComparison.Ordinal)).Reverse())
        {
            var rel = m.MountPoint[prefix.Length..].Split('/');
            var owner = rel.Length >= 2 ? rel[1] : null;
            if (owner is not null && !known.Contains(owner))
            {
                Log.Repaired(log, $"unmounting orphaned {m.MountPoint}");
                await MountTool.UnmountAsync(m.MountPoint);
            }
        }

        // Loop devices left attached to our images by a crash between losetup and mount.
        foreach (var dir in Directory.EnumerateDirectories("/sys/block", "loop*"))
        {
            var backing = Path.Combine(dir, "loop", "backing_file");
            if (!File.Exists(backing))
            {
                continue;
            }

            // backing_file reads "/path/NAME.img" or "/path/NAME.img (deleted)" once the file is gone.
            var file = File.ReadAllText(backing).Trim().Replace(" (deleted)", "", StringComparison.Ordinal);
            var ours = file.StartsWith(paths.Private + "/", StringComparison.Ordinal) && file.EndsWith(".img", StringComparison.Ordinal);
            if (ours && (!known.Contains(Path.GetFileNameWithoutExtension(file)) || !File.Exists(file)))
            {
                Log.Repaired(log, $"detaching orphaned loop device /dev/{Path.GetFileName(dir)} ({file})");
                await ProcessRunner.RunAsync("losetup", ["-d", "/dev/" + Path.GetFileName(dir)]);
            }
        }
    }
}
