using Hako.Contracts;
using Hako.Core.Errors;
using Hako.Linux.Processes;

namespace Hako.Runtime.Lxc;

public sealed partial class LxcDriver
{
    public async Task StartAsync(string name, CancellationToken ct = default)
    {
        var r = await ProcessRunner.RunAsync("lxc-start", ["-P", LxcPath, "-n", name], timeout: TimeSpan.FromSeconds(60), ct: ct);
        if (!r.Ok)
        {
            throw new HakoException(ErrorCode.Internal,
                $"Container {name} failed to start: {LastLogLines(name)}{r.Stderr.Trim()}");
        }
    }

    /// <summary>Clean shutdown through init (the template's halt signal), then kill after the timeout; or kill at once.</summary>
    public async Task StopAsync(string name, bool force, int timeoutSeconds, CancellationToken ct = default)
    {
        if (force && await KillAsync(name, ct))
        {
            return;
        }

        string[] args = force
            ? ["-P", LxcPath, "-n", name, "-k"]
            : ["-P", LxcPath, "-n", name, "-t", timeoutSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture)];
        var r = await ProcessRunner.RunAsync("lxc-stop", args, timeout: TimeSpan.FromSeconds(timeoutSeconds + 30), ct: ct);
        // lxc-stop exits 2 when the container was not running: that is the state we want.
        if (!r.Ok && r.ExitCode != 2 && await IsRunningAsync(name, ct))
        {
            throw new HakoException(ErrorCode.Internal, $"Container {name} did not stop: {r.Stderr.Trim()}");
        }
    }

    /// <summary>
    /// SIGKILL to the container's init ends its whole pid namespace; LXC's monitor then tears down the
    /// rest within milliseconds. (`lxc-stop -k` does the same but spends a fixed second waiting.)
    /// False when there was nothing to kill or LXC did not report it stopped in time.
    /// </summary>
    private async Task<bool> KillAsync(string name, CancellationToken ct)
    {
        if (await GetInitPidAsync(name, ct) is not { } pid)
        {
            return !await IsRunningAsync(name, ct);
        }

        Linux.Interop.Signals.Kill(pid, Linux.Interop.Signals.SigKill);
        for (var i = 0; i < 400; i++)
        {
            if (await GetStateAsync(name, ct) == "STOPPED")
            {
                return true;
            }

            await Task.Delay(5, ct);
        }

        return false;
    }

    public async Task<bool> IsRunningAsync(string name, CancellationToken ct = default) =>
        (await GetStateAsync(name, ct)) is "RUNNING" or "STARTING" or "STOPPING" or "FREEZING" or "FROZEN" or "THAWED";

    public async Task<string> GetStateAsync(string name, CancellationToken ct = default)
    {
        if (!File.Exists(paths.ConfigFile(name)))
        {
            return "STOPPED";
        }

        var r = await ProcessRunner.RunAsync("lxc-info", ["-P", LxcPath, "-n", name, "-s", "-H"], ct: ct);
        return r.Ok ? r.Stdout.Trim() : "STOPPED";
    }

    public async Task<int?> GetInitPidAsync(string name, CancellationToken ct = default)
    {
        var r = await ProcessRunner.RunAsync("lxc-info", ["-P", LxcPath, "-n", name, "-p", "-H"], ct: ct);
        return r.Ok && int.TryParse(r.Stdout.Trim(), out var pid) ? pid : null;
    }

    private string LastLogLines(string name)
    {
        var log = LogFile(name);
        if (!File.Exists(log))
        {
            return "";
        }

        var errors = File.ReadLines(log).Where(l => l.Contains(" ERROR ", StringComparison.Ordinal)).TakeLast(3).ToList();
        return errors.Count == 0 ? "" : string.Join(" | ", errors) + " ";
    }
}
