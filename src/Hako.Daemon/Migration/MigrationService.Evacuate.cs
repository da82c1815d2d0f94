using Hako.Contracts;
using Hako.Core.Errors;
using Hako.Daemon.Nodes;
using Hako.State;

namespace Hako.Daemon.Migration;

public sealed partial class MigrationService
{
    /// <summary>Checked before the operation is accepted: the targets exist and are other nodes.</summary>
    public IReadOnlyList<PeerNode> EvacuationTargets(EvacuateRequest req)
    {
        var targets = req.Targets.Count > 0 ? req.Targets.Select(nodes.Require).ToList() : [.. nodes.List()];
        if (targets.Count == 0)
        {
            throw HakoException.Conflict($"No node to move the containers of {options.NodeName} to; register one with: hako node add NAME URL --token TOKEN");
        }

        return targets;
    }

    /// <summary>
    /// Empties this node (hako node evacuate): marks it evacuated first so nothing new lands here, then migrates
    /// each container to a target that admits it, spreading them (least used target first). A container no
    /// target takes stays here, running as before, and is listed as failed with the targets' reasons.
    /// </summary>
    public async Task<EvacuationInfo> EvacuateAsync(EvacuateRequest req, IReadOnlyList<PeerNode> targets,
        Action<EvacuationInfo> onProgress, Func<string, IDisposable> lockContainer, CancellationToken ct = default)
    {
        containers.SetEvacuated(true);
        var names = containers.List().Where(c => c.State is "running" or "stopped").Select(c => c.Name).ToList();
        var items = names.Select(n => new EvacuationItem { Container = n, Status = "pending" }).ToList();
        var summary = new EvacuationInfo { Node = options.NodeName, Containers = items };
        var placed = targets.ToDictionary(t => t.Name, _ => 0);
        onProgress(summary);
        for (var i = 0; i < items.Count; i++)
        {
            var name = items[i].Container;
            var reasons = new List<string>();
            IDisposable lease;
            try
            {
                lease = lockContainer(name);
            }
            catch (HakoException e)
            {
                items[i] = items[i] with { Status = "failed", Error = e.Message };
                continue;
            }

            using (lease)
            {
                foreach (var target in targets.OrderBy(t => placed[t.Name]))
                {
                    items[i] = items[i] with { Status = "moving", Target = target.Name };
                    onProgress(summary with { Containers = [.. items] });
                    try
                    {
                        var report = await MigrateAsync(name, new MigrateRequest { Target = target.Name, Offline = req.Offline }, _ => { }, ct);
                        items[i] = items[i] with { Status = "moved", DowntimeMilliseconds = report.DowntimeMilliseconds, BytesSent = report.BytesSent, Error = null };
                        placed[target.Name]++;
                        break;
                    }
                    catch (HakoException e)
                    {
                        // Refused or failed and rolled back: the container still runs here; try the next target.
                        reasons.Add($"{target.Name}: {e.Message}");
                        items[i] = items[i] with { Status = "failed", Target = null, Error = string.Join(" | ", reasons) };
                    }
                }
            }

            Log.Evacuated(log, options.NodeName, name, items[i].Status == "moved" ? $"moved to {items[i].Target}" : $"stays: {items[i].Error}");
            onProgress(summary with { Containers = [.. items] });
        }

        return summary with { Containers = [.. items] };
    }
}
