using Hako.Client;
using Hako.Contracts;
using Hako.Core.Errors;
using Hako.Daemon.Nodes;

namespace Hako.Daemon.Migration;

public sealed partial class MigrationService
{
    /// <summary>
    /// Source side, at start before the API serves: finishes what a killed hakod left of its outgoing migrations
    /// (<see cref="MigrationJournal"/>). No migration runs at this point, so a frozen container is always thawed.
    /// Before <c>switching</c> the target cannot own the container (it commits only when the source asks, after
    /// the kill): thaw, start it again if it ran, tell the target to drop its copy. From <c>switching</c> on the
    /// target is asked: it runs it → this copy is removed; it does not → this copy runs again; no answer → this
    /// copy is left stopped and the journal kept, so the next start asks again (never run twice).
    /// </summary>
    public async Task RepairAfterCrashAsync(CancellationToken ct = default)
    {
        foreach (var (name, entry) in journal.List())
        {
            try
            {
                await RepairOneAsync(name, entry, ct);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                Log.Drift(log, $"migration of {name} to {entry.Target} was interrupted by a crash and could not be repaired: {e.Message}");
            }
        }
    }

    private async Task RepairOneAsync(string name, MigrationJournal.Entry entry, CancellationToken ct)
    {
        try
        {
            containers.Record(name);
        }
        catch (HakoException e) when (e.Code == ErrorCode.NotFound)
        {
            journal.Clear(name); // already removed after the switch
            return;
        }

        if (containers.IsFrozen(name))
        {
            // Thawed, a container whose kill was queued (switching) ends now; one frozen for the final pass runs on.
            containers.Thaw(name);
            Log.Repaired(log, $"container {name} was left frozen by a migration to {entry.Target} that hakod did not finish; thawed");
        }

        bool? targetOwnsIt = entry.Phase switch
        {
            "committed" => true,
            "switching" => await TargetCommittedAsync(name, entry.Target, ct),
            _ => false,
        };
        if (targetOwnsIt is null)
        {
            Log.Drift(log, $"container {name}: a migration to {entry.Target} was interrupted during the switch and {entry.Target} could not be asked whether it took over; " +
                $"this copy stays as it is and the next start asks again. If {entry.Target} runs it: hako destroy --force {name} here; if not: hako start {name}");
            return;
        }

        if (targetOwnsIt == true)
        {
            Log.Repaired(log, $"container {name} runs on {entry.Target} (the migration committed before hakod died); removing the copy here");
            await containers.RemoveMigratedAsync(name);
            journal.Clear(name);
            return;
        }

        await AbortOnTargetAsync(name, entry.Target, ct);
        await WaitUntilStoppedIfKilledAsync(name, ct);
        if (entry.WasRunning && !containers.IsRunning(name))
        {
            await containers.StartAsync(name, ct);
        }

        containers.MarkDesired(name, entry.WasRunning ? "running" : "stopped");
        Log.Repaired(log, $"container {name}: migration to {entry.Target} interrupted ({entry.Phase}) by a crash; it stays on {options.NodeName}{(entry.WasRunning ? " and runs" : "")}");
        journal.Clear(name);
    }

    /// <summary>True: the target has it committed (a ready container); false: it does not; null: no answer.</summary>
    private async Task<bool?> TargetCommittedAsync(string name, string target, CancellationToken ct)
    {
        if (nodes.List().FirstOrDefault(n => n.Name == target) is not { } peer)
        {
            return null;
        }

        using var client = NodeRegistry.Client(peer);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(10));
        try
        {
            await client.GetContainerAsync(name, timeout.Token);
            return true; // only ready containers are shown; an incoming row answers 404
        }
        catch (HakoApiException e) when (e.Status == 404)
        {
            return false;
        }
        catch (Exception e) when (e is HakoApiException or HttpRequestException or IOException or OperationCanceledException && !ct.IsCancellationRequested)
        {
            return null;
        }
    }

    private async Task AbortOnTargetAsync(string name, string target, CancellationToken ct)
    {
        if (nodes.List().FirstOrDefault(n => n.Name == target) is not { } peer)
        {
            return;
        }

        using var client = NodeRegistry.Client(peer);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(10));
        // Quietly: an unreachable target releases its incoming row itself when the lease runs out.
        await QuietlyAsync(() => client.AbortIncomingAsync(name, timeout.Token));
    }

    /// <summary>A container thawed with its kill queued takes a moment to go; starting it before that would fail.</summary>
    private async Task WaitUntilStoppedIfKilledAsync(string name, CancellationToken ct)
    {
        for (var i = 0; i < 100 && containers.IsRunning(name) && containers.Record(name).DesiredState == "stopped"; i++)
        {
            await Task.Delay(50, ct);
        }
    }
}
