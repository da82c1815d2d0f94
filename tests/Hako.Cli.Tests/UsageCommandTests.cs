using System.Text.Json;
using Hako.Contracts;
using static Hako.Cli.Tests.Samples;
using static Hako.Cli.Tests.UsageOutputTests;

namespace Hako.Cli.Tests;

/// <summary>`hako top` and `hako stats` in-process against a fake hakod.</summary>
public sealed class UsageCommandTests
{
    private static readonly NodeInfo Node = new()
    {
        NodeName = "hn1",
        Version = "0.1.0",
        CgroupVersion = "v2",
        Capacity = new NodeResources { MemoryBytes = 8192 * M, Cpus = 4 },
        Committed = new NodeResources(),
        Used = new NodeResources(),
    };

    [Fact]
    public async Task Top_NotATerminal_PrintsOneFrame_SortedAsAsked()
    {
        await using var hakod = await FakeHakod.StartAsync();
        hakod.On("GET", "/v1/node", 200, Node, HakoJsonContext.Default.NodeInfo)
             .On("GET", "/v1/usage", 200, Live(Row("small", memory: M), Row("big", memory: 100 * M)), HakoJsonContext.Default.LiveUsage);

        var run = await new TestCli(hakod.SocketPath).RunAsync("top", "--sort", "memory");

        Assert.Equal(0, run.ExitCode);
        var lines = run.Stdout.Split('\n');
        Assert.Contains("mem 3G/8G", lines[0], StringComparison.Ordinal);
        Assert.Equal("sorted by memory", lines[1]);
        Assert.StartsWith("big ", lines[4], StringComparison.Ordinal);
        Assert.StartsWith("small ", lines[5], StringComparison.Ordinal);
        Assert.DoesNotContain("\e[", run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Top_Json_PrintsLiveUsage()
    {
        await using var hakod = await FakeHakod.StartAsync();
        hakod.On("GET", "/v1/usage", 200, Live(Row("web1", cpu: 0.5)), HakoJsonContext.Default.LiveUsage);

        var run = await new TestCli(hakod.SocketPath).RunAsync("top", "--json");

        Assert.Equal(0, run.ExitCode);
        var usage = JsonSerializer.Deserialize(run.Stdout, HakoJsonContext.Default.LiveUsage)!;
        Assert.Equal(0.5, Assert.Single(usage.Containers).Values["cpu"]);
    }

    [Theory]
    [InlineData(new[] { "top", "--sort", "disk" }, "disk")]
    [InlineData(new[] { "top", "--delay", "0" }, "--delay '0'")]
    [InlineData(new[] { "stats" }, "needs a container name or --node")]
    [InlineData(new[] { "stats", "web1", "--node" }, "not both")]
    [InlineData(new[] { "stats", "web1", "--json", "--csv" }, "pick one")]
    [InlineData(new[] { "stats", "web1", "--resource", "gpu" }, "gpu")]
    [InlineData(new[] { "stats", "web1", "--points", "0" }, "--points must be between 1 and 10000")]
    public async Task BadCommandLines_Exit2_WithTheReason(string[] args, string expected)
    {
        var run = await new TestCli("/nonexistent/hako.sock").RunAsync(args);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains(expected, run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Stats_Json_PassesTheRange_AndPrintsTheHistory()
    {
        await using var hakod = await FakeHakod.StartAsync();
        hakod.On("GET", "/v1/containers/web1/stats", 200, History("raw"), HakoJsonContext.Default.UsageHistory);

        var run = await new TestCli(hakod.SocketPath).RunAsync("stats", "web1", "--since", "2h", "--until", "2026-11-26T10:00:00Z", "--resource", "cpu", "--json");

        Assert.Equal(0, run.ExitCode);
        Assert.Equal("?since=2h&until=2026-11-26T10%3A00%3A00Z&resource=cpu", hakod.Single("GET", "/v1/containers/web1/stats").Query);
        var history = JsonSerializer.Deserialize(run.Stdout, HakoJsonContext.Default.UsageHistory)!;
        Assert.Equal(2, history.Metrics[0].Points.Count);
    }

    [Fact]
    public async Task Stats_Node_Csv_UsesTheNodeRoute()
    {
        await using var hakod = await FakeHakod.StartAsync();
        hakod.On("GET", "/v1/node/stats", 200, History("aggregate") with { Series = "@node" }, HakoJsonContext.Default.UsageHistory);

        var run = await new TestCli(hakod.SocketPath).RunAsync("stats", "--node", "--csv", "--points", "50");

        Assert.Equal(0, run.ExitCode);
        Assert.Equal("?since=1h&points=50", hakod.Single("GET", "/v1/node/stats").Query);
        Assert.StartsWith("time,metric,unit,mean,max,p95\r\n2026-11-26T10:00:00Z,cpu,", run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Stats_Chart_AsksForAboutTwoPointsPerColumn_AndDrawsCpuAndMemory()
    {
        await using var hakod = await FakeHakod.StartAsync();
        hakod.On("GET", "/v1/containers/web1/stats", 200, History("aggregate"), HakoJsonContext.Default.UsageHistory);

        var run = await new TestCli(hakod.SocketPath).Set("COLUMNS", "80").RunAsync("stats", "web1");

        Assert.Equal(0, run.ExitCode);
        Assert.Equal("?since=1h&points=160", hakod.Single("GET", "/v1/containers/web1/stats").Query);
        Assert.Contains("cpu (cores)", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("memory (B)", run.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("io_read_bytes", run.Stdout, StringComparison.Ordinal);
        Assert.All(run.Stdout.Split('\n').Where(l => l.Contains('┤') || l.Contains('│')), l => Assert.Equal(80, l.PadRight(80).Length));
    }

    [Fact]
    public async Task Stats_UnknownContainer_Exits1_WithHakodsMessage()
    {
        await using var hakod = await FakeHakod.StartAsync();
        hakod.OnProblem("GET", "/v1/containers/nope/stats",
            new ProblemInfo { Title = "Not found", Status = 404, Code = "NotFound", Detail = "Container nope does not exist" });

        var run = await new TestCli(hakod.SocketPath).RunAsync("stats", "nope");

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("Container nope does not exist", run.Stderr, StringComparison.Ordinal);
    }
}
