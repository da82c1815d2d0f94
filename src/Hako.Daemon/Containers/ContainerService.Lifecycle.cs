using Hako.Contracts;
using Hako.Core.Containers;
using Hako.Core.Errors;

namespace Hako.Daemon.Containers;

public sealed partial class ContainerService
{
    /// <summary>Counters the monitor keeps per run; "exited" marks a run already reported as ended on its own.</summary>
    private static readonly string[] Counters = ["memory.failcnt", "oom_kill", "pids.max", "exited"];

    public async Task StartAsync(string name, CancellationToken ct = default)
    {
        var r = Require(name);
        if (IsRunning(name))
        {
            return;
        }

        CheckStartAdmission(r);
        await StartCoreAsync(name, ct);
    }

    /// <summary>
    /// Admission at start: the guarantees and best-effort limits of what will then be running must still fit
    /// the node as it is now (its RAM, reserve or ratios may have changed since the container was created).
    /// </summary>
    public void CheckStartAdmission(ContainerRecord r) =>
        Admit([.. store.ListContainers().Where(c => c.Name != r.Name && c.Status == RecordStatus.Ready && IsRunning(c.Name))], r.Name, r.PlanName, Effective(r), exists: true);

    private async Task StartCoreAsync(string name, CancellationToken ct, EventType published = EventType.Started, string? detail = null)
    {
        var r = Require(name);
        // Remount after a host reboot and rewrite the config from the database before every start.
        await storage.MountAsync(name, await LowerDirAsync(r, ct), ct);
        WriteConfig(r);
        // A new start makes new cgroups whose counters start at zero.
        store.SetCounterBaselines([.. Counters.Select(c => (name, c, 0L))]);
        Beancounters.BeancounterService.ResetCounters(store, name);

        RemoveStaleCgroups(name);
        // Never start unfiltered: the entry is normally there already; this also repairs a table deleted by hand.
        await filter.AddAsync(r, ct);
        await lxc.StartAsync(name, ct);
        store.UpdateContainer(r with { DesiredState = "running" });
        Log.ContainerAction(log, name, "started");
        events.Publish(published, name, detail);
    }

    public async Task StopAsync(string name, bool force, int timeoutSeconds, CancellationToken ct = default)
    {
        var r = Require(name);
        await lxc.StopAsync(name, force, timeoutSeconds, ct);
        store.UpdateContainer(r with { DesiredState = "stopped" });
        Log.ContainerAction(log, name, force ? "killed" : "stopped");
        events.Publish(EventType.Stopped, name, StopDetail(force, timeoutSeconds));
    }

    private static string StopDetail(bool force, int timeoutSeconds) => force
        ? "forced: init killed"
        : $"clean: halt signal to init, killed if still running after {timeoutSeconds} s";

    public async Task RestartAsync(string name, bool force, int timeoutSeconds, CancellationToken ct = default)
    {
        Require(name);
        await lxc.StopAsync(name, force, timeoutSeconds, ct);
        await StartCoreAsync(name, ct, EventType.Restarted, "stop " + StopDetail(force, timeoutSeconds));
    }

    /// <summary>Checks a destroy can go ahead before it is accepted: a running container needs --force.</summary>
    public void CheckDestroy(string name, bool force)
    {
        Require(name);
        if (!force && IsRunning(name))
        {
            throw new HakoException(ErrorCode.Conflict,
                $"Container {name} is running; stop it first (hako stop {name}) or use hako destroy --force {name}");
        }
    }

    public async Task DestroyAsync(string name, CancellationToken ct = default)
    {
        var r = Require(name);
        // Mark first: if hakod dies halfway, reconcile finishes the destroy instead of leaving a husk.
        store.UpdateContainer(r with { Status = RecordStatus.Destroying });
        var wasRunning = IsRunning(name);
        await RemoveArtifactsAsync(name);
        await filter.RemoveAsync(r);
        if (wasRunning)
        {
            events.Publish(EventType.Stopped, name, "forced: init killed to destroy the container");
        }

        store.DeleteContainer(name);
        Log.ContainerAction(log, name, "destroyed");
        events.Publish(EventType.Destroyed, name);
    }

    /// <summary>The buffered exec's bounds: output held whole up to this much (stdout + stderr), and a time limit.</summary>
    public const long BufferedExecMaxOutput = 4L << 20;
    public static readonly TimeSpan BufferedExecTimeout = TimeSpan.FromMinutes(10);

    /// <summary>The buffered form (one JSON answer): capped in output and time; the streaming form has neither cap.</summary>
    public async Task<ExecResult> ExecAsync(string name, ExecRequest req, CancellationToken ct = default)
    {
        RequireRunning(name);
        try
        {
            var r = await lxc.ExecAsync(name, req.Command, req.Stdin, req.Environment, BufferedExecTimeout, ct,
                new Linux.Processes.OutputLimit((int)BufferedExecMaxOutput, 0, BufferedExecMaxOutput));
            return new ExecResult { ExitCode = r.ExitCode, Stdout = r.Stdout, Stderr = r.Stderr };
        }
        catch (Linux.Processes.ProcessLimitException e)
        {
            throw e.TimedOut
                ? new HakoException(ErrorCode.Conflict,
                    $"The command in {name} did not finish within {BufferedExecTimeout.TotalMinutes:0} minutes and was stopped; long commands need the streaming form (POST /v1/containers/{name}/exec/stream, which hako exec uses)", e)
                : HakoException.Invalid(
                    $"The command's output exceeded {Core.Units.Size.Format(BufferedExecMaxOutput)}, the most the buffered form holds, and the command was stopped; use the streaming form (POST /v1/containers/{name}/exec/stream, which hako exec uses)");
        }
    }

    /// <summary>
    /// The streaming form: output goes to <paramref name="write"/> as it comes, at the reader's pace; no output
    /// or time cap (the command is killed when the client goes away). Returns the exit code.
    /// </summary>
    public Task<int> ExecStreamAsync(string name, ExecRequest req,
        Func<int, ReadOnlyMemory<byte>, CancellationToken, ValueTask> write, CancellationToken ct)
    {
        var psi = PrepareExecStream(name, req);
        return Linux.Processes.ProcessStreamer.RunAsync(psi, req.Stdin, write, ct);
    }

    /// <summary>Every refusal of a streamed exec, before its response starts (so it is still a problem+json).</summary>
    public System.Diagnostics.ProcessStartInfo PrepareExecStream(string name, ExecRequest req)
    {
        RequireRunning(name);
        return lxc.AttachStartInfo(name, req.Command, req.Environment);
    }

    private void RequireRunning(string name)
    {
        Require(name);
        if (!IsRunning(name))
        {
            throw new HakoException(ErrorCode.NotRunning, $"Container {name} is not running; start it with: hako start {name}");
        }
    }

    /// <summary>Remounts the private area and root overlay and rewrites the config, without starting.</summary>
    internal async Task StartPrepareAsync(string name, CancellationToken ct)
    {
        var r = Require(name);
        await storage.MountAsync(name, await LowerDirAsync(r, ct), ct);
        WriteConfig(r);
    }

    internal void MarkDesired(string name, string state)
    {
        var r = Require(name);
        store.UpdateContainer(r with { DesiredState = state });
    }
}
