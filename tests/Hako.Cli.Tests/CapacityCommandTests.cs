using System.Text.Json;
using Hako.Contracts;

namespace Hako.Cli.Tests;

public sealed class CapacityCommandTests
{
    private static CapacityInfo Sample() => new()
    {
        Time = DateTimeOffset.UnixEpoch,
        Epsilon = 0.01,
        Rule = "max(combined-gaussian,peak)",
        Containers = 3,
        Buckets = 576,
        HistoryHours = 48,
        HistoryFrom = DateTimeOffset.UnixEpoch,
        Admission = "statistical",
        AdmissionDetail = "48 h of usage history (at least 1d)",
        Resources =
        [
            new CapacityResourceInfo
            {
                Resource = "cpu", Unit = "cores", Capacity = 2, Guaranteed = 0, Committed = 6, ObservedPeak = 0.9, Predicted = 1.1,
                OverloadProbability = 0.0001, Headroom = 0.9, Checked = false, MoreOfPlan = 0,
            },
            new CapacityResourceInfo
            {
                Resource = "memory", Unit = "B", Capacity = 23L << 30, Guaranteed = 0, Committed = 18L << 30, ObservedPeak = 19L << 30,
                Predicted = 21L << 30, OverloadProbability = 0.003, Headroom = 2L << 30, Checked = true, MoreOfPlan = 0,
            },
        ],
        Plan = new CapacityPlanHeadroom
        {
            Plan = "big", More = 0, LimitingResource = "memory", Source = "plan-history", SampleContainers = 3,
            SourceDetail = "new containers replay the recorded usage of the plan's 3 existing container(s) here",
        },
    };

    [Fact]
    public async Task Capacity_Json_SendsEpsilonAndPlan_AndPrintsTheWireAnswer()
    {
        await using var hakod = await FakeHakod.StartAsync();
        hakod.On("GET", "/v1/capacity", 200, Sample(), HakoJsonContext.Default.CapacityInfo);

        var run = await new TestCli(hakod.SocketPath).RunAsync("capacity", "--epsilon", "0.001", "--plan", "big", "--json");

        Assert.Equal(0, run.ExitCode);
        Assert.Equal("?epsilon=0.001&plan=big", hakod.Single("GET", "/v1/capacity").Query);
        var parsed = JsonSerializer.Deserialize(run.Stdout, HakoJsonContext.Default.CapacityInfo)!;
        Assert.Equal("statistical", parsed.Admission);
        Assert.Equal(0, parsed.Plan!.More);
    }

    [Fact]
    public async Task Capacity_PrintsOneRowPerResource_AndKMoreOfThePlan()
    {
        await using var hakod = await FakeHakod.StartAsync();
        hakod.On("GET", "/v1/capacity", 200, Sample(), HakoJsonContext.Default.CapacityInfo);

        var run = await new TestCli(hakod.SocketPath).RunAsync("capacity", "--plan", "big");

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("PREDICTED@1%", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("MORE big", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("memory", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("cpu *", run.Stdout, StringComparison.Ordinal); // not held to ε
        Assert.Contains("0.3%", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("0 more containers of plan big fit at ε = 1% (limited by memory)", run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Capacity_Png_SavesTheChartHakodDrew()
    {
        await using var hakod = await FakeHakod.StartAsync();
        hakod.On("GET", "/v1/capacity", 200, Sample(), HakoJsonContext.Default.CapacityInfo);
        hakod.On("GET", "/v1/capacity/chart", 200, "PNG-BYTES", "image/png");
        var file = Path.Combine(Path.GetTempPath(), $"hako-cap-{Environment.ProcessId}.png");
        try
        {
            var run = await new TestCli(hakod.SocketPath).RunAsync("capacity", "--png", file, "--resource", "cpu");

            Assert.Equal(0, run.ExitCode);
            Assert.Equal("?resource=cpu", hakod.Single("GET", "/v1/capacity/chart").Query);
            Assert.Equal("PNG-BYTES", await File.ReadAllTextAsync(file));
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task Capacity_BadEpsilon_IsAUsageError()
    {
        var run = await new TestCli("/nonexistent.sock").RunAsync("capacity", "--epsilon", "2");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("strictly between 0 and 1", run.Stderr, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task Backtest_OnTheBitbrainsTrace_RunsInProcess_AndIsTheSameUnderASeed()
    {
        var trace = Bitbrains();
        Skip.If(trace is null, "the shared Bitbrains trace is not next to the repository");
        string[] args = ["capacity", "backtest", "--trace", trace!, "--format", "bitbrains", "--per-node", "8", "--train-days", "14",
            "--epsilon", "0.01", "--sets", "5", "--seed", "7", "--rules", "independent-gaussian;default"];

        var first = await new TestCli("/nonexistent.sock").RunAsync([.. args, "--json"]);
        var second = await new TestCli("/nonexistent.sock").RunAsync([.. args, "--json"]);
        var text = await new TestCli("/nonexistent.sock").RunAsync(args);

        Assert.Equal(0, first.ExitCode);
        Assert.Equal(first.Stdout, second.Stdout);
        var parsed = JsonSerializer.Deserialize(first.Stdout, HakoJsonContext.Default.CapacityBacktestInfo)!;
        Assert.Equal(46, parsed.Tenants);
        Assert.Equal(4, parsed.Rows.Count); // 2 rules × cpu, memory
        Assert.All(parsed.Rows, r => Assert.InRange(r.Capacity, 0.01, 1));
        var memoryDefault = parsed.Rows.Single(r => r.Resource == "memory" && r.Rule == "max(combined-gaussian,peak)");
        var memoryIndependent = parsed.Rows.Single(r => r.Resource == "memory" && r.Rule == "independent-gaussian");
        Assert.True(memoryDefault.Capacity > memoryIndependent.Capacity, "the default asks for more than the independent Gaussian");
        Assert.Equal(0, text.ExitCode);
        Assert.Contains("independent-gaussian", text.Stdout, StringComparison.Ordinal);
        Assert.Contains("46 tenants", text.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Backtest_BadFormat_IsAUsageError()
    {
        var run = await new TestCli("/nonexistent.sock").RunAsync("capacity", "backtest", "--trace", "/tmp", "--format", "swf",
            "--per-node", "8", "--train-days", "14", "--epsilon", "0.01");

        Assert.Equal(2, run.ExitCode);
    }

    private static string? Bitbrains()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Hako.sln")))
        {
            dir = dir.Parent;
        }

        var trace = dir is null ? null : Path.GetFullPath(Path.Combine(dir.FullName, "..", "shared", "data", "bitbrains-rnd-2013-7"));
        return trace is not null && Directory.Exists(trace) ? trace : null;
    }
}
