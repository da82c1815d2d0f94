using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;
using Hako.Contracts;
using Hako.Integration.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Hako.Integration.Tests.Usage;

/// <summary>
/// The built `hako` binary against a real hakod sampling every second: `hako top` in a real terminal
/// (tmux), keys and all, and `hako stats` as JSON, CSV and charts.
/// </summary>
public sealed class TopStatsCliTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const string Tmux = "/usr/bin/tmux";
    private readonly HakodNode _node = new();
    private string? _skip;
    private string? _tmuxSocket;

    public async Task InitializeAsync()
    {
        if (!HakodNode.CanRun(out var reason))
        {
            _skip = reason;
            return;
        }

        // History fills in seconds instead of minutes: raw samples for 10 s, then 2 s buckets.
        _node.ExtraArgs.AddRange(["--sample-interval", "1s", "--history-bucket", "2s", "--history-raw", "10s"]);
        await _node.StartAsync();
        await _node.BuildBusyboxAsync();
        await _node.CreateAsync(new CreateContainerRequest { Name = "busy1", Template = "busybox", Disk = "256M", Start = true });
        // A busy loop in the background, its output detached so exec returns at once.
        await _node.ExecAsync("busy1", "sh", "-c", "while :; do :; done >/dev/null 2>&1 </dev/null & exit 0");
    }

    public async Task DisposeAsync()
    {
        if (_tmuxSocket is not null)
        {
            await RunAsync(Tmux, ["-L", _tmuxSocket, "kill-server"]);
        }

        if (_skip is null)
        {
            await _node.DisposeAsync();
        }
    }

    [SkippableFact]
    public async Task Top_InTmux_ShowsBusyContainer_SortsOnKeys_AndQuitsToMainScreenWithExit0()
    {
        Skip.If(_skip is not null, _skip);
        if (!File.Exists(Tmux))
        {
            output.WriteLine("skipped: tmux is not installed (./test.sh installs it)");
            Skip.If(true, "tmux is not installed (./test.sh installs it)");
        }

        // A tmux server of our own (-L), so parallel tests and a user's tmux never meet.
        _tmuxSocket = "hako-" + _node.Tag;
        var exitFile = await StartTopAsync("top");

        var busy = new Regex(@"^busy1\s+(\d+(\.\d)?)%", RegexOptions.Multiline);
        var screen = await WaitForScreenAsync("top", s => busy.Match(s) is { Success: true } m && double.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) > 0);
        Assert.Contains("sorted by cpu", screen, StringComparison.Ordinal);
        Assert.Contains("q quit", screen, StringComparison.Ordinal);
        Assert.Equal("1", await TmuxAsync("display-message", "-p", "-t", "top", "#{alternate_on}"));

        await TmuxAsync("send-keys", "-t", "top", "m");
        await WaitForScreenAsync("top", s => s.Contains("sorted by memory", StringComparison.Ordinal));
        await TmuxAsync("send-keys", "-t", "top", "c");
        await WaitForScreenAsync("top", s => s.Contains("sorted by cpu", StringComparison.Ordinal));

        // A smaller window: rows and lines are cut to fit, the legend stays on the last line, nothing crashes.
        await TmuxAsync("resize-window", "-t", "top", "-x", "60", "-y", "4");
        screen = await WaitForScreenAsync("top", s => s.Split('\n').Length == 4 && s.Split('\n')[^1].StartsWith("sort: c cpu", StringComparison.Ordinal));
        Assert.All(screen.Split('\n'), l => Assert.True(l.Length <= 60, l));
        Assert.Equal("1", await TmuxAsync("display-message", "-p", "-t", "top", "#{alternate_on}"));

        await TmuxAsync("send-keys", "-t", "top", "q");
        await AssertEndedCleanlyAsync("top", exitFile);

        // Ctrl-C is read as a key while top runs: the same clean exit.
        var interrupted = await StartTopAsync("top-ctrl-c");
        await WaitForScreenAsync("top-ctrl-c", s => s.Contains("busy1", StringComparison.Ordinal));
        await TmuxAsync("send-keys", "-t", "top-ctrl-c", "C-c");
        await AssertEndedCleanlyAsync("top-ctrl-c", interrupted);
    }

    /// <summary>`hako top` in a new 200×50 tmux session; the shell then writes its exit code to the returned file and stays, so the screen can be checked.</summary>
    private async Task<string> StartTopAsync(string session)
    {
        var exitFile = Path.Combine(_node.DataDir, session + ".exit");
        var command = $"{string.Join(' ', Paths.Cli.Select(a => $"'{a}'"))} top --socket '{_node.Socket}' --delay 1s; echo EXIT=$? > '{exitFile}'; sleep 300";
        var started = await RunAsync(Tmux, ["-L", _tmuxSocket!, "new-session", "-d", "-s", session, "-x", "200", "-y", "50", command]);
        Assert.True(started.ExitCode == 0, "tmux new-session: " + started.Output);
        return exitFile;
    }

    /// <summary>hako top exited 0 and left the terminal on the main screen with the cursor shown.</summary>
    private async Task AssertEndedCleanlyAsync(string session, string exitFile)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!File.Exists(exitFile) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }

        Assert.True(File.Exists(exitFile), "hako top did not end:\n" + await TmuxAsync("capture-pane", "-p", "-t", session));
        Assert.Equal("EXIT=0", (await File.ReadAllTextAsync(exitFile)).Trim());
        Assert.Equal("0", await TmuxAsync("display-message", "-p", "-t", session, "#{alternate_on}"));
        Assert.Equal("1", await TmuxAsync("display-message", "-p", "-t", session, "#{cursor_flag}"));
    }

    [SkippableFact]
    public async Task Stats_PrintsJsonCsvAndChart_WithCpuPoints()
    {
        Skip.If(_skip is not null, _skip);
        var json = await WaitForCpuHistoryAsync();
        var history = JsonSerializer.Deserialize(json, HakoJsonContext.Default.UsageHistory)!;
        Assert.Equal("busy1", history.Series);
        var cpu = Assert.Single(history.Metrics, m => m.Metric == "cpu");
        Assert.Equal("cores", cpu.Unit);
        Assert.Contains(cpu.Points, p => p.Mean > 0);

        var csv = await HakoAsync("stats", "busy1", "--since", "1m", "--csv");
        Assert.Equal(0, csv.ExitCode);
        var rows = csv.Output.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("time,metric,unit,mean,max,p95", rows[0]);
        Assert.Contains(rows, r => Regex.IsMatch(r, @"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ,cpu,cores,[0-9.E+-]+,[0-9.E+-]+,[0-9.E+-]+$"));

        var chart = await HakoAsync("stats", "busy1", "--since", "1m");
        output.WriteLine(chart.Output);
        Assert.Equal(0, chart.ExitCode);
        Assert.Contains("cpu (cores)", chart.Output, StringComparison.Ordinal);
        Assert.Contains("memory (B)", chart.Output, StringComparison.Ordinal);
        Assert.Contains("└", chart.Output, StringComparison.Ordinal);
        Assert.Matches(@"[\u2801-\u28FF]", chart.Output);
        Assert.Matches(@"min \S+ cores  mean \S+ cores  max \S+ cores  p95 \S+ cores", chart.Output);

        var node = await HakoAsync("stats", "--node", "--since", "1m", "--resource", "load");
        Assert.Equal(0, node.ExitCode);
        Assert.Contains("load1", node.Output, StringComparison.Ordinal);
    }

    /// <summary>`hako stats busy1 --json` once the busy loop shows in the recorded CPU (a few samples in).</summary>
    private async Task<string> WaitForCpuHistoryAsync()
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            var run = await HakoAsync("stats", "busy1", "--since", "1m", "--json");
            Assert.True(run.ExitCode == 0, run.Output);
            var history = JsonSerializer.Deserialize(run.Output, HakoJsonContext.Default.UsageHistory)!;
            if (history.Metrics.Any(m => m.Metric == "cpu" && m.Points.Count >= 3 && m.Points.Any(p => p.Mean > 0)) || DateTime.UtcNow > deadline)
            {
                return run.Output;
            }

            await Task.Delay(500);
        }
    }

    private async Task<string> WaitForScreenAsync(string session, Func<string, bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        var screen = "";
        while (DateTime.UtcNow < deadline)
        {
            screen = await TmuxAsync("capture-pane", "-p", "-t", session);
            if (condition(screen))
            {
                return screen;
            }

            await Task.Delay(250);
        }

        Assert.Fail("hako top never showed what was expected; the screen was:\n" + screen + "\nhakod:\n" + _node.Log);
        return screen;
    }

    private async Task<string> TmuxAsync(params string[] args)
    {
        var run = await RunAsync(Tmux, ["-L", _tmuxSocket!, .. args]);
        Assert.True(run.ExitCode == 0, $"tmux {string.Join(' ', args)}: {run.Output}");
        return run.Output.TrimEnd('\n');
    }

    private Task<(int ExitCode, string Output)> HakoAsync(params string[] args) =>
        RunAsync(Paths.Cli[0], [.. Paths.Cli[1..], .. args, "--socket", _node.Socket], ("COLUMNS", "120"));

    /// <summary>Runs a program (arguments as a list) and returns its exit code and stdout (stderr appended when it fails).</summary>
    private static async Task<(int ExitCode, string Output)> RunAsync(string program, string[] args, params (string Name, string Value)[] environment)
    {
        var psi = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        foreach (var (name, value) in environment)
        {
            psi.Environment[name] = value;
        }

        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        return (process.ExitCode, process.ExitCode == 0 ? await stdout : await stdout + await stderr);
    }
}
