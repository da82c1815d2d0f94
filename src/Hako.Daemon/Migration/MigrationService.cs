using System.Diagnostics;
using Hako.Client;
using Hako.Contracts;
using Hako.Core;
using Hako.Core.Containers;
using Hako.Core.Errors;
using Hako.Daemon.Containers;
using Hako.Daemon.Nodes;
using Hako.Daemon.Options;
using Hako.Runtime;
using Hako.Runtime.Archives;
using Hako.Runtime.Migration;
using Hako.Runtime.Templates;
using Hako.State;

namespace Hako.Daemon.Migration;

/// <summary>
/// Moves a container to another node without shared storage, driven from the source (vzmigrate's order):
/// check the target, send the template if it lacks it, copy the private area while the container runs and
/// repeat with what changed until that is small, freeze, copy the rest, then switch: stop here, start there
/// (CRIU would keep the processes; it is detected, reported, and refused when required). Every step registers
/// its undo: a failure before the switch leaves the container running here and nothing on the target; after
/// the switch the container stays on the target. See docs/migration.md.
/// </summary>
public sealed partial class MigrationService(
    HakodOptions options,
    NodePaths paths,
    ContainerService containers,
    TemplateStore templates,
    NodeRegistry nodes,
    CriuProbe criu,
    Usage.UsageTransfers usage,
    Events.EventLog events,
    MigrationJournal journal,
    ILogger<MigrationService> log)
{
    private static readonly PassPlanner Planner = new();

    /// <summary>The longest the final pass and the switch may take once a live migration has frozen the container.</summary>
    private static readonly TimeSpan MaxDowntime = TimeSpan.FromMinutes(2);

    /// <summary>Checked before the operation is accepted, so a typo is a 4xx and not a failed operation.</summary>
    public void Validate(string name, MigrateRequest req)
    {
        containers.Record(name);
        if (string.Equals(req.Target, options.NodeName, StringComparison.OrdinalIgnoreCase))
        {
            throw HakoException.Invalid($"Container {name} is already on {options.NodeName}; give another node (hako node list)");
        }

        nodes.Require(req.Target);
    }

    /// <summary>Runs the whole migration; <paramref name="onProgress"/> sees every phase, pass and byte count.</summary>
    public async Task<MigrationInfo> MigrateAsync(string name, MigrateRequest req, Action<MigrationInfo> onProgress, CancellationToken ct = default)
    {
        var clock = Stopwatch.StartNew();
        var r = containers.Record(name);
        var peer = nodes.Require(req.Target);
        using var client = NodeRegistry.Client(peer);
        var running = containers.IsRunning(name);
        var mode = !running ? "stopped" : req.Offline ? "offline" : "live";
        var p = new Progress(onProgress, new MigrationInfo
        {
            Container = name, Source = options.NodeName, Target = peer.Name, Mode = mode, Phase = "checking", Ip = req.Ip ?? r.Ip,
        });
        if (!running)
        {
            await containers.StartPrepareAsync(name, ct); // mounts the private area of a stopped container (after a reboot)
        }

        var offer = containers.DescribeForMigration(r, req.Ip, running);

        // 1. Ask the target before touching anything.
        var check = await PeerCall(() => client.CheckIncomingAsync(offer, ct), $"Node {peer.Name} refused container {name}");
        p.Note(await CriuDecisionAsync(name, req, running, peer.Name, check));

        journal.Set(name, peer.Name, "copying", running);
        try
        {
            await MigrateCoreAsync(name, r, peer, client, offer, check, running, mode, p, ct);
        }
        finally
        {
            journal.Clear(name); // done or rolled back; only a killed hakod leaves it for the next start's repair
        }

        Log.Migrated(log, name, peer.Name, p.Info.Passes.Count, p.Info.BytesSent, p.Info.DowntimeMilliseconds ?? 0);
        p.Set(p.Info with { Phase = "done", DurationMilliseconds = clock.Elapsed.TotalMilliseconds });
        return p.Info;
    }

    private async Task MigrateCoreAsync(string name, ContainerRecord r, PeerNode peer, HakoClient client, IncomingContainer offer,
        IncomingCheckResult check, bool running, string mode, Progress p, CancellationToken ct)
    {
        try
        {
            await using (var revert = new Revert(e => Log.UndoFailed(log, e.Message, e)))
            {
                // 2. The template, only when the target lacks it (same name and content hash = same files).
                if (check.NeedTemplate)
                {
                    await SendTemplateAsync(client, r.Template, offer.TemplateHash, p, ct);
                    revert.Add(() => QuietlyAsync(() => client.DeleteTemplateAsync(r.Template, CancellationToken.None)));
                }

                // 3. The target reserves name and address and makes the empty private area (same quota).
                await PeerCall(() => client.PrepareIncomingAsync(offer, ct), $"Node {peer.Name} could not prepare container {name}");
                revert.Add(() => QuietlyAsync(() => client.AbortIncomingAsync(name, CancellationToken.None)));

                var root = paths.Upper(name);
                var downtime = new Stopwatch();
                var steps = new Dictionary<string, double>();
                var lastStep = TimeSpan.Zero;
                void Step(string what)
                {
                    steps[what] = (downtime.Elapsed - lastStep).TotalMilliseconds;
                    lastStep = downtime.Elapsed;
                }

                IReadOnlyDictionary<string, TreeEntry>? sent = null;
                if (mode == "offline")
                {
                    p.Phase("stopping");
                    downtime.Start();
                    await containers.StopAsync(name, force: false, timeoutSeconds: 60, ct);
                    Step("stop");
                    revert.Add(() => containers.RestartAfterFailedMigrationAsync(name));
                }
                else if (mode == "live")
                {
                    // 4. Copy while it runs, then what changed, until the rest is small or stops shrinking.
                    long lastBytes = 0;
                    for (var pass = 1; ; pass++)
                    {
                        var scan = await TreeScan.ScanAsync(root, ct);
                        var plan = TreeDiff.Compute(sent, scan);
                        if (pass > 1 && Planner.ShouldFreeze(pass - 1, plan.Bytes, lastBytes))
                        {
                            break;
                        }

                        var (bytes, packed) = await SendPassAsync(client, name, root, plan, pass, live: true, p, ct);
                        lastBytes = bytes;
                        sent = TreeDiff.Sent(scan, plan, packed);
                    }

                    // 5. Freeze (cgroup freezer): from here the customer sees a pause.
                    p.Phase("freezing");
                    downtime.Start();
                    journal.Set(name, peer.Name, "frozen", running);
                    await containers.FreezeAsync(name, ct);
                    Step("freeze");
                    revert.Add(() => containers.Thaw(name));
                }

                // 6. The last changes, with nothing running that could change them again. A target that hangs
                // must not keep the customer's container frozen: past the deadline everything is undone.
                // (Offline, the final pass is the whole copy and may take as long as it needs.)
                using var frozen = CancellationTokenSource.CreateLinkedTokenSource(ct);
                if (mode == "live")
                {
                    frozen.CancelAfter(MaxDowntime);
                }

                var final = await TreeScan.ScanAsync(root, frozen.Token);
                await SendPassAsync(client, name, root, TreeDiff.Compute(sent, final), p.Info.Passes.Count + 1, live: false, p, frozen.Token);
                Step("final-copy");

                // 7. The switch: end it here, start it there.
                p.Phase("switching");
                // Durable before the kill: after a crash from here on, the next start asks the target whether it
                // took over before running this copy again (docs/migration.md, crash repair).
                journal.Set(name, peer.Name, "switching", running, durable: true);
                if (mode == "live")
                {
                    await containers.KillFrozenAsync(name, frozen.Token);
                    Step("stop");
                    revert.Add(() => containers.RestartAfterFailedMigrationAsync(name));
                    // Registered again so that it runs first: the target must let go of the address before the source takes it back.
                    revert.Add(() => QuietlyAsync(() => client.AbortIncomingAsync(name, CancellationToken.None)));
                }

                await PeerCall(() => client.CommitIncomingAsync(name, new CommitIncomingRequest { Start = running }, frozen.Token),
                    $"Node {peer.Name} could not start container {name}");
                journal.Set(name, peer.Name, "committed", running);
                Step("start");
                downtime.Stop();
                revert.Success();
                p.Set(p.Info with
                {
                    DowntimeMilliseconds = running ? downtime.Elapsed.TotalMilliseconds : null,
                    DowntimeSteps = running ? steps : null,
                });
            }
        }
        catch (OperationCanceledException e) when (!ct.IsCancellationRequested)
        {
            Log.MigrationFailed(log, name, peer.Name, e.Message, e);
            p.Phase("rolled-back");
            throw new HakoException(ErrorCode.Busy,
                $"Node {peer.Name} did not take over {name} within {MaxDowntime.TotalSeconds:0} s of downtime; it was rolled back and runs on {options.NodeName} again. Check {peer.Name} and try again", e);
        }
        catch (Exception e)
        {
            Log.MigrationFailed(log, name, peer.Name, e.Message, e);
            p.Phase("rolled-back");
            throw;
        }

        // After the switch the container lives on the target: nothing below may undo that.
        p.Phase("cleanup");
        await HandOverAsync(r, peer, client, p, ct);
        try
        {
            await containers.RemoveMigratedAsync(name);
        }
        catch (Exception e)
        {
            p.Note($"{name} runs on {peer.Name}, but removing the copy on {options.NodeName} failed ({e.Message}); remove it with: hako destroy --force {name}");
        }
    }

    /// <summary>
    /// What lives beside the container's row moves with it: its usage history goes to the target (which
    /// records its own "migrated" event), and this node records where it went. Runs after the switch, before
    /// the local rows are deleted; the container already runs on the target, so a failure here only costs
    /// history and is reported as a note, never undone.
    /// </summary>
    private async Task HandOverAsync(ContainerRecord record, PeerNode target, HakoClient client, Progress p, CancellationToken ct)
    {
        try
        {
            var handOver = new MigrationHandOver { SourceNode = options.NodeName, History = usage.Export(record.Name) };
            await client.HandOverAsync(record.Name, handOver, ct);
        }
        catch (Exception e) when (e is HakoApiException or HttpRequestException or IOException)
        {
            p.Note($"{record.Name} runs on {target.Name}, but its usage history could not be sent ({e.Message}); it is lost with the source copy");
        }

        events.Publish(EventType.Migrated, record.Name, $"moved to {target.Name}");
    }

    /// <summary>Why the processes are restarted rather than checkpointed; with --criu a refusal instead, before anything is touched.</summary>
    private async Task<string?> CriuDecisionAsync(string name, MigrateRequest req, bool running, string target, IncomingCheckResult check)
    {
        if (!running || req.Offline)
        {
            if (req.RequireCriu)
            {
                throw HakoException.Invalid(
                    $"--criu keeps the processes of a running container across an online migration; {name} is {(running ? "migrated --offline" : "stopped")}");
            }

            return null; // nothing runs during the copy, so there is no state to keep
        }

        var local = await criu.StatusAsync();
        var why = !local.Usable ? $"CRIU unavailable on {options.NodeName}: {local.Problem}"
            : !check.CriuUsable ? $"CRIU unavailable on {target}: {check.CriuProblem}"
            : "CRIU passes its check on both nodes, but checkpoint/restore is not implemented in this Hako version";
        if (req.RequireCriu)
        {
            throw new HakoException(ErrorCode.Unsupported, $"{why}. Nothing was changed; migrate without --criu to move {name} with a restart on the target");
        }

        return $"{why}; moved stateless (container restarted on the target)";
    }

    private async Task SendTemplateAsync(HakoClient client, string template, string hash, Progress p, CancellationToken ct)
    {
        p.Phase("template");
        await using var tar = templates.Send(template);
        var counting = new CountingStream(tar.Output, n => p.Set(p.Info with { TemplateBytes = n }, throttle: true));
        await SendArchiveAsync(tar, () => client.SendTemplateAsync(template, hash, counting, ct), $"Sending template {template} failed");
        p.Set(p.Info with { TemplateSent = true, TemplateBytes = counting.Count, BytesSent = p.Info.BytesSent + counting.Count });
    }

    /// <summary>
    /// One pass: deletions first (a path may come back as another type), then the changed entries as one archive.
    /// Returns the bytes sent and what was packed (a live pass skips what vanished or moved under a symlink).
    /// </summary>
    private static async Task<(long Bytes, PackResult? Packed)> SendPassAsync(HakoClient client, string name, string root, SyncPlan plan, int pass, bool live,
        Progress p, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        p.Set(p.Info with
        {
            Phase = live ? "copying" : "final-copy", Pass = pass, PassBytes = plan.Bytes,
            // The first pass sends everything: that is what a full copy of the container's own data costs.
            ContainerBytes = pass == 1 ? plan.Bytes : p.Info.ContainerBytes,
        });
        if (plan.Delete.Count > 0)
        {
            await PeerCall(() => client.DeletePathsAsync(name, new DeletePathsRequest { Paths = plan.Delete }, ct), $"Pass {pass} (deletions) failed");
        }

        long bytes = 0;
        PackResult? packed = null;
        if (plan.Send.Count > 0)
        {
            var before = p.Info.BytesSent;
            await using var tar = PackStream.Start(root, plan.Send, live);
            var counting = new CountingStream(tar.Output, n => p.Set(p.Info with { BytesSent = before + n }, throttle: true));
            packed = await SendArchiveAsync(tar, () => client.SendFilesAsync(name, counting, ct), $"Pass {pass} failed");
            bytes = counting.Count;
            p.Set(p.Info with { BytesSent = before + bytes });
        }

        p.Set(p.Info with
        {
            Passes = [.. p.Info.Passes, new MigrationPass
            {
                Number = pass, Bytes = bytes, Entries = plan.Send.Count, Deleted = plan.Delete.Count, Live = live,
                Milliseconds = clock.Elapsed.TotalMilliseconds,
            }],
        });
        return (bytes, packed);
    }

    /// <summary>Sends an archive while it is packed; a packing error wins over the broken upload it causes.</summary>
    private static async Task<PackResult> SendArchiveAsync(PackStream tar, Func<Task> send, string context)
    {
        try
        {
            await PeerCall(send, context);
        }
        catch (Exception)
        {
            // The upload breaks as soon as the packer fails, possibly before its task is marked faulted.
            var pack = tar.CompleteAsync();
            if (await Task.WhenAny(pack, Task.Delay(TimeSpan.FromSeconds(5))) == pack && pack.IsFaulted)
            {
                await pack; // throws the packing error, which says what happened
            }

            throw;
        }

        return await tar.CompleteAsync();
    }

    /// <summary>Runs a call to the peer; its error answer (or its silence) becomes this node's error with context.</summary>
    private static async Task<T> PeerCall<T>(Func<Task<T>> call, string context)
    {
        try
        {
            return await call();
        }
        catch (HakoApiException e)
        {
            throw PeerErrors.From(e, context);
        }
        catch (IOException e)
        {
            throw new HakoException(ErrorCode.Internal, $"{context}: the connection broke ({e.Message})", e);
        }
    }

    private static Task PeerCall(Func<Task> call, string context) => PeerCall(async () => { await call(); return 0; }, context);

    /// <summary>An undo step that talks to a peer which may be gone: its failure must not stop the other undos.</summary>
    private async Task QuietlyAsync(Func<Task> call)
    {
        try
        {
            await call();
        }
        catch (Exception e)
        {
            // The target cleans up at its next start (its Incoming row is rolled back by reconcile).
            Log.UndoFailed(log, e.Message, e);
        }
    }

    /// <summary>The migration's live state: every change goes to the operation (throttled for per-read byte counts).</summary>
    private sealed class Progress(Action<MigrationInfo> publish, MigrationInfo initial)
    {
        private long _lastPublish;

        public MigrationInfo Info { get; private set; } = initial;

        public void Set(MigrationInfo info, bool throttle = false)
        {
            Info = info;
            var now = Environment.TickCount64;
            if (!throttle || now - _lastPublish >= 100)
            {
                _lastPublish = now;
                publish(info);
            }
        }

        public void Phase(string phase) => Set(Info with { Phase = phase });

        public void Note(string? note)
        {
            if (note is not null)
            {
                Set(Info with { Notes = [.. Info.Notes, note] });
            }
        }
    }
}
