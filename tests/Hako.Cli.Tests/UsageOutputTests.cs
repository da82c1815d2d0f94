using Hako.Cli.Commands;
using Hako.Cli.Output;
using Hako.Contracts;
using static Hako.Cli.Tests.Samples;

namespace Hako.Cli.Tests;

/// <summary>`hako top` and `hako stats` output: units, sorting, the frame, the braille chart, CSV.</summary>
public sealed class UsageOutputTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 26, 10, 0, 0, TimeSpan.Zero);

    internal static UsageRow Row(string name, double cpu = 0, double memory = 0, double io = 0, double net = 0) => new()
    {
        Name = name,
        Values = new Dictionary<string, double>
        {
            ["cpu"] = cpu, ["memory"] = memory, ["swap"] = 0, ["disk"] = 5 * M, ["io_read_bytes"] = io, ["io_write_bytes"] = io / 2,
            ["net_rx_bytes"] = net, ["net_tx_bytes"] = 0, ["processes"] = 7,
        },
        Limits = new Dictionary<string, double> { ["cpu"] = 2, ["memory"] = 256 * M, ["disk"] = 2048 * M },
        Totals = new Dictionary<string, double> { ["cpu"] = 12.5, ["oom_kills"] = 1, ["limit_hits"] = 17 },
    };

    internal static LiveUsage Live(params UsageRow[] containers) => new()
    {
        Time = T0,
        IntervalSeconds = 1,
        Cpus = 4,
        Node = new UsageRow { Name = "@node", Values = new Dictionary<string, double> { ["cpu"] = 1, ["memory"] = 3072 * M, ["load1"] = 0.42 } },
        Containers = containers,
    };

    [Theory]
    [InlineData(0.5, "cores", "0.5 cores")]
    [InlineData(1.256, "cores", "1.26 cores")]
    [InlineData(1536.0 * 1024 * 1024, "B", "1.5G")]
    [InlineData(12.0 * 1024 * 1024, "B/s", "12M/s")]
    [InlineData(0.2, "B/s", "0")]
    [InlineData(1234.0, "ops/s", "1.2k ops/s")]
    [InlineData(0.5, "/s", "0.5 /s")]
    [InlineData(17.0, "", "17")]
    [InlineData(34_000_000.0, "pkt/s", "34M pkt/s")]
    public void UsageUnits_Format_ScalesToTheUnit(double value, string unit, string expected) =>
        Assert.Equal(expected, UsageUnits.Format(value, unit));

    [Theory]
    [InlineData(0.0, "0.0%")]
    [InlineData(0.523, "52.3%")]
    [InlineData(2.5, "250%")]
    public void CpuPercent_IsCoresTimes100_LikeTop(double cores, string expected) =>
        Assert.Equal(expected, UsageUnits.CpuPercent(cores));

    [Theory]
    [InlineData("cpu", new[] { "b", "c", "a" })]
    [InlineData("memory", new[] { "a", "c", "b" })]
    [InlineData("io", new[] { "c", "a", "b" })]
    [InlineData("net", new[] { "c", "b", "a" })]
    public void Sort_PutsLargestFirst_ByTheChosenResource(string sort, string[] expected)
    {
        UsageRow[] rows = [Row("a", cpu: 0.1, memory: 300, io: 20, net: 1), Row("b", cpu: 0.9, memory: 100, io: 10, net: 5), Row("c", cpu: 0.5, memory: 200, io: 30, net: 9)];

        Assert.Equal(expected, TopView.Sort(rows, TopView.ParseSort(sort)).Select(r => r.Name));
    }

    [Fact]
    public void Sort_Ties_KeepNameOrder()
    {
        Assert.Equal(["a", "b", "c"], TopView.Sort([Row("c"), Row("a"), Row("b")], TopSort.Cpu).Select(r => r.Name));
    }

    [Theory]
    [InlineData('m', ConsoleKey.M, "cpu", "memory")]
    [InlineData('i', ConsoleKey.I, "cpu", "io")]
    [InlineData('n', ConsoleKey.N, "cpu", "net")]
    [InlineData('c', ConsoleKey.C, "net", "cpu")]
    [InlineData('\0', ConsoleKey.RightArrow, "net", "cpu")]
    [InlineData('\0', ConsoleKey.LeftArrow, "cpu", "net")]
    public void Keys_ChangeTheSort(char c, ConsoleKey key, string current, string expected) =>
        Assert.Equal(TopView.ParseSort(expected), TopView.SortForKey(new ConsoleKeyInfo(c, key, false, false, false), TopView.ParseSort(current)));

    [Fact]
    public void Keys_QEscapeAndCtrlC_Quit_OtherKeysDoNot()
    {
        Assert.True(TopView.IsQuit(new ConsoleKeyInfo('q', ConsoleKey.Q, false, false, false)));
        Assert.True(TopView.IsQuit(new ConsoleKeyInfo('\e', ConsoleKey.Escape, false, false, false)));
        Assert.True(TopView.IsQuit(new ConsoleKeyInfo('\x03', ConsoleKey.C, false, false, true)));
        Assert.False(TopView.IsQuit(new ConsoleKeyInfo('c', ConsoleKey.C, false, false, false)));
        Assert.Null(TopView.SortForKey(new ConsoleKeyInfo('\x03', ConsoleKey.C, false, false, true), TopSort.Memory));
    }

    [Theory]
    [InlineData("2s", 2000)]
    [InlineData("500ms", 500)]
    [InlineData("1m", 60000)]
    [InlineData("1.5", 1500)]
    public void Delay_ParsesUnits(string text, int milliseconds) =>
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), TopCommand.ParseDelay(text));

    [Theory]
    [InlineData("10ms")]
    [InlineData("fast")]
    [InlineData("-2s")]
    public void Delay_RefusesTooShortOrNotATime(string text) => Assert.Null(TopCommand.ParseDelay(text));

    [Fact]
    public void TopFrame_HasNodeLine_AndOneRowPerContainer_WithLimitsAndTotals()
    {
        var lines = TopView.Render(Live(Row("web1", cpu: 0.523, memory: 128 * M, io: 2 * M, net: 1024)), 8192 * M, TopSort.Cpu);

        Assert.Matches(@"^hako top - \d\d:\d\d:\d\d  cpu 25% of 4 cpus  load 0.42  mem 3G/8G  containers 1 running$", lines[0]);
        Assert.Equal("sorted by cpu", lines[1]);
        Assert.Equal(
            [
                "NAME  CPU%   CPULIM  MEM/LIMIT  MEM%  SWAP  DISK/LIMIT  IO R/W B/s  NET RX/TX B/s  PROCS  OOM/HITS",
                "web1  52.3%  200%    128M/256M  50%   0     5M/2G       2M/1M       1K/0           7      1/17",
            ],
            lines.Skip(3));
    }

    [Fact]
    public void TopFrame_CutToTheWindow_KeepsTheLegendOnTheLastLine()
    {
        var containers = Enumerable.Range(0, 50).Select(i => Row($"ct{i:00}", cpu: i / 100.0)).ToArray();

        var lines = TopView.Render(Live(containers), null, TopSort.Cpu, width: 40, height: 10, legend: true);

        Assert.Equal(10, lines.Count);
        Assert.All(lines, l => Assert.True(l.Length <= 40, l));
        Assert.StartsWith("ct49", lines[4], StringComparison.Ordinal);
        Assert.Equal(TopView.KeyLegend[..40], lines[^1]);
        Assert.Contains("mem 3G/?", TopView.Render(Live(), null, TopSort.Cpu)[0], StringComparison.Ordinal);
    }

    [Fact]
    public void TopFrame_TinyWindow_DoesNotThrow()
    {
        var lines = TopView.Render(Live(Row("web1")), null, TopSort.Cpu, width: 1, height: 1, legend: true);

        Assert.Single(lines);
    }

    [Fact]
    public void TopFrame_NoContainers_SaysSo()
    {
        Assert.Contains("(no running containers)", TopView.Render(Live(), null, TopSort.Memory));
    }

    [Theory]
    [InlineData(0.7, false, 1)]
    [InlineData(1.0, false, 1)]
    [InlineData(1.3, false, 2)]
    [InlineData(2.1, false, 2.5)]
    [InlineData(37, false, 50)]
    [InlineData(9.1, false, 10)]
    [InlineData(300.0 * 1024 * 1024, true, 512.0 * 1024 * 1024)]
    [InlineData(636.0 * 1024, true, 1024.0 * 1024)]
    [InlineData(1.2 * 1024 * 1024 * 1024, true, 2.0 * 1024 * 1024 * 1024)]
    public void Chart_RoundsTheScaleUp(double value, bool binary, double expected) =>
        Assert.Equal(expected, TerminalChart.RoundUp(value, binary), 6);

    [Fact]
    public void Chart_Ramp_DrawsARisingLine_WithLabelsAndTimeAxis()
    {
        var points = Enumerable.Range(0, 11).Select(i => Point(T0.AddMinutes(i), i / 10.0)).ToList();

        var lines = TerminalChart.Render(points, showMax: false, T0, T0.AddMinutes(10), TimeSpan.FromMinutes(2.5), "cores",
            new ChartLayout(40, 4, TimeZoneInfo.Utc, Color: false));

        Assert.Equal(6, lines.Count);
        Assert.StartsWith("1 ┤", lines[0], StringComparison.Ordinal);
        Assert.StartsWith("0 ┤", lines[3], StringComparison.Ordinal);
        Assert.Equal("  └" + "┬" + new string('─', 11) + "┬" + new string('─', 11) + "┬" + new string('─', 12), lines[4]);
        Assert.Equal("   10:00:00    10:03:20    10:06:40", lines[5]);
        // Rising: the first column's dots sit in the bottom row, the last column's in the top row.
        Assert.NotEqual(' ', lines[3][3]);
        Assert.Equal(' ', lines[0][3]);
        Assert.NotEqual(' ', lines[0][^1]);
        Assert.All(lines.Take(4), l => Assert.All(l[3..], ch => Assert.True(ch == ' ' || ch is >= '\u2800' and <= '\u28FF', l)));
    }

    [Fact]
    public void Chart_FlatZero_AndEmpty_DoNotThrow()
    {
        var layout = new ChartLayout(30, 3, TimeZoneInfo.Utc, Color: false);
        var flat = TerminalChart.Render([Point(T0, 0), Point(T0.AddSeconds(10), 0)], false, T0, T0.AddSeconds(10), TimeSpan.FromSeconds(25), "B", layout);
        var empty = TerminalChart.Render([], true, T0, T0.AddSeconds(10), TimeSpan.FromSeconds(25), "B", layout);

        Assert.Equal(5, flat.Count);
        Assert.Equal(5, empty.Count);
        Assert.Equal(0, TerminalChart.Range([], false, "B").Bottom);
    }

    [Fact]
    public void Chart_Gap_LeavesTheLineBroken()
    {
        // Two bursts an hour apart with nothing between: no dots in the middle of the chart.
        List<MetricPoint> points = [Point(T0, 1), Point(T0.AddMinutes(1), 1), Point(T0.AddMinutes(59), 1), Point(T0.AddMinutes(60), 1)];

        var lines = TerminalChart.Render(points, false, T0, T0.AddMinutes(60), TimeSpan.FromMinutes(2.5), "cores",
            new ChartLayout(62, 2, TimeZoneInfo.Utc, Color: false));

        // 60 plot columns for 60 minutes: columns 5..55 (after the 3-character label and axis) stay blank.
        Assert.All(lines.Take(2), l => Assert.Equal("", l.PadRight(62)[8..58].Trim()));
        Assert.NotEqual("", lines[0].Trim());
    }

    [Fact]
    public void Chart_MaxDots_AreDimmedOnATerminal()
    {
        List<MetricPoint> points = [new(T0, 0.1, 1, 0.9), new(T0.AddMinutes(5), 0.1, 1, 0.9)];

        var lines = TerminalChart.Render(points, true, T0, T0.AddMinutes(5), TimeSpan.FromMinutes(12.5), "cores",
            new ChartLayout(40, 4, TimeZoneInfo.Utc, Color: true));

        Assert.Contains("\e[2m", lines[0], StringComparison.Ordinal);
        Assert.DoesNotContain("\e[2m", lines[3], StringComparison.Ordinal);
    }

    [Fact]
    public void Summary_MinMeanMaxP95_OverThePoints()
    {
        var points = Enumerable.Range(1, 100).Select(i => Point(T0.AddSeconds(i), i)).ToList();

        Assert.Equal(new MetricSummary(1, 50.5, 100, 95), StatsView.Summarize(points));
        Assert.Null(StatsView.Summarize([]));
    }

    [Fact]
    public void Stats_Chart_ShowsEachChosenMetric_WithTitleAndSummary()
    {
        var history = History("aggregate");

        var text = StatsView.Render(history, ["cpu", "memory"], new ChartLayout(60, 5, TimeZoneInfo.Utc, Color: false));

        Assert.StartsWith("web1: 2026-11-26 10:00:00 to 2026-11-26 11:00:00, 5m buckets (mean line, max dots)\n", text, StringComparison.Ordinal);
        Assert.Contains("\ncpu (cores)\n", text, StringComparison.Ordinal);
        Assert.Contains("\nmemory (B)\n", text, StringComparison.Ordinal);
        Assert.DoesNotContain("io_read_bytes", text, StringComparison.Ordinal);
        Assert.Contains("min 0.5 cores  mean 0.75 cores  max 2 cores  p95 1.5 cores", text, StringComparison.Ordinal);
        Assert.Contains("min 100M  mean 150M  max 300M  p95 250M", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Stats_Chart_WithoutPoints_SaysNothingWasRecorded()
    {
        var text = StatsView.Render(History("raw") with { Metrics = [] }, null, new ChartLayout(60, 5, TimeZoneInfo.Utc, false));

        Assert.Contains("a sample every 5m", text, StringComparison.Ordinal);
        Assert.Contains("No usage recorded in this range", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Csv_IsRfc4180_WithIsoUtcTimesAndInvariantNumbers()
    {
        var csv = StatsView.Csv(History("aggregate"));

        var rows = csv.Split("\r\n");
        Assert.Equal("time,metric,unit,mean,max,p95", rows[0]);
        Assert.Equal("2026-11-26T10:00:00Z,cpu,cores,0.5,1,0.75", rows[1]);
        Assert.Equal("2026-11-26T10:05:00Z,cpu,cores,1,2,1.5", rows[2]);
        Assert.Equal("2026-11-26T10:00:00Z,memory,B,104857600,209715200,157286400", rows[3]);
        Assert.Equal("2026-11-26T10:00:00Z,io_read_bytes,B/s,1.25,1.25,1.25", rows[5]);
        Assert.Equal("", rows[^1]);
        Assert.Equal(7, rows.Length);
    }

    [Theory]
    [InlineData("cores", "cores")]
    [InlineData("a,b", "\"a,b\"")]
    [InlineData("say \"hi\"", "\"say \"\"hi\"\"\"")]
    [InlineData("two\nlines", "\"two\nlines\"")]
    public void Csv_QuotesFieldsThatNeedIt(string value, string expected) => Assert.Equal(expected, StatsView.CsvField(value));

    [Theory]
    [InlineData(300, "5m")]
    [InlineData(10, "10s")]
    [InlineData(7200, "2h")]
    [InlineData(1.5, "1.5s")]
    public void Resolution_IsShort(double seconds, string expected) => Assert.Equal(expected, StatsView.Resolution(seconds));

    internal static UsageHistory History(string source) => new()
    {
        Series = "web1",
        From = T0,
        To = T0.AddHours(1),
        Source = source,
        ResolutionSeconds = 300,
        Metrics =
        [
            new MetricSeries { Metric = "cpu", Unit = "cores", Kind = "counter", Points = [new(T0, 0.5, 1, 0.75), new(T0.AddMinutes(5), 1, 2, 1.5)] },
            new MetricSeries { Metric = "memory", Unit = "B", Kind = "gauge", Points = [new(T0, 100 * M, 200 * M, 150 * M), new(T0.AddMinutes(5), 200 * M, 300 * M, 250 * M)] },
            new MetricSeries { Metric = "io_read_bytes", Unit = "B/s", Kind = "counter", Points = [new(T0, 1.25, 1.25, 1.25)] },
        ],
    };

    private static MetricPoint Point(DateTimeOffset time, double value) => new(time, value, value, value);
}
