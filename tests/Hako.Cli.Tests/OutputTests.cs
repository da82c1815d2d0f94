using Hako.Cli.Output;
using Hako.Contracts;
using static Hako.Cli.Tests.Samples;

namespace Hako.Cli.Tests;

public sealed class OutputTests
{
    [Theory]
    [InlineData(0L, "0")]
    [InlineData(512L, "512")]
    [InlineData(1536L, "1.5K")]
    [InlineData(256L * 1024 * 1024, "256M")]
    [InlineData(12L * 1024 * 1024 + 300 * 1024, "12M")]
    [InlineData(1536L * 1024 * 1024, "1.5G")]
    [InlineData(2L * 1024 * 1024 * 1024, "2G")]
    [InlineData(1024L * 1024 * 1024 - 1, "1G")]
    [InlineData(5L * 1024 * 1024 * 1024 * 1024, "5T")]
    public void Sizes_Format_UsesOneLetterBinaryUnits(long bytes, string expected) =>
        Assert.Equal(expected, Sizes.Format(bytes));

    [Fact]
    public void List_RendersAlignedColumns_SortedByName_WithUsedOverLimit()
    {
        var containers = new[]
        {
            Container("web2", state: "stopped", ip: null) with { Usage = null, Limits = new ResourceLimits { MemoryBytes = 512 * M } },
            Container("db1") with { Limits = new ResourceLimits { MemoryBytes = 1536 * M, DiskBytes = null }, Template = "debian-12" },
            Container("web1"),
        };

        var lines = ContainerViews.RenderList(containers).Split('\n', StringSplitOptions.RemoveEmptyEntries);

        Assert.Equal(
            [
                "NAME  STATE    IPV4       TEMPLATE   MEMORY    DISK",
                "db1   running  10.0.3.11  debian-12  12M/1.5G  5.1M/unlimited",
                "web1  running  10.0.3.11  busybox    12M/256M  5.1M/2G",
                "web2  stopped  -          busybox    -/512M    -/unlimited",
            ],
            lines);
    }

    [Fact]
    public void List_Of200Containers_HasHeaderAndOneLineEach()
    {
        var containers = Enumerable.Range(0, 200).Select(i => Container($"ct{i:000}")).ToList();

        var lines = ContainerViews.RenderList(containers).Split('\n', StringSplitOptions.RemoveEmptyEntries);

        Assert.Equal(201, lines.Length);
        Assert.StartsWith("ct000 ", lines[1], StringComparison.Ordinal);
    }

    [Fact]
    public void Show_ListsUsageLimitsAndLimitEvents()
    {
        var container = Container() with
        {
            Events =
            [
                new LimitEvent { Counter = "memory.failcnt", Count = 17, LastSeen = DateTimeOffset.UnixEpoch.AddDays(20000), Detail = "OOM kill: nginx" },
                new LimitEvent { Counter = "numproc", Count = 3, LastSeen = DateTimeOffset.UnixEpoch.AddDays(19999) },
            ],
        };

        var text = ContainerViews.RenderShow(container);

        Assert.Contains("Memory:       12M used of 256M", text, StringComparison.Ordinal);
        Assert.Contains("Disk:         5.1M used of 2G", text, StringComparison.Ordinal);
        Assert.Contains("Processes:    7 of 512", text, StringComparison.Ordinal);
        Assert.Contains("CPUs:         1, cap 50%, units 1000", text, StringComparison.Ordinal);
        Assert.Contains("no (container root is host uid 100000)", text, StringComparison.Ordinal);
        Assert.Contains("COUNTER         COUNT  LAST SEEN", text, StringComparison.Ordinal);
        Assert.Matches(@"memory\.failcnt  17 +\d{4}-\d\d-\d\d \d\d:\d\d:\d\d  OOM kill: nginx", text);
        Assert.Matches(@"numproc         3 ", text);
    }

    [Fact]
    public void Show_WithoutEvents_SaysNoLimitWasHit()
    {
        Assert.Contains("Limit events: none", ContainerViews.RenderShow(Container()), StringComparison.Ordinal);
    }

    [Fact]
    public void Diff_ReportsOnlyChangedSettings()
    {
        var before = Container();
        var after = before with { Limits = before.Limits with { MemoryBytes = 512 * M, CpuLimitPercent = null }, OnBoot = true };

        Assert.Equal(["memory: 256M -> 512M", "cpulimit: 50% -> none", "onboot: no -> yes"], ContainerViews.Diff(before, after));
    }

    [Fact]
    public void Node_ShowsCapacityCommittedAndUsed()
    {
        var node = new NodeInfo
        {
            NodeName = "hn1",
            Version = "0.1.0",
            CgroupVersion = "v1",
            Capacity = new NodeResources { MemoryBytes = 24L * 1024 * M, SwapBytes = 0, Cpus = 2, DiskBytes = 252L * 1024 * M },
            Committed = new NodeResources { MemoryBytes = 36L * 1024 * M, Cpus = 3, DiskBytes = 20L * 1024 * M },
            Used = new NodeResources { MemoryBytes = 6L * 1024 * M, Cpus = 0.5, DiskBytes = 1024 * M },
            Containers = 12,
            RunningContainers = 5,
            Bridge = "hakobr0",
            Subnet = "10.0.3.0/24",
        };

        var text = NodeViews.RenderNode(node);

        Assert.Contains("memory    24G       36G (150%)  6G (25%)", text, StringComparison.Ordinal);
        Assert.Contains("cpus      2         3 (150%)    0.5 (25%)  1.5", text, StringComparison.Ordinal);
        Assert.Matches(@"Containers: +12 \(5 running\)", text);
        Assert.Matches(@"Privileged: +refused", text);
        Assert.Matches(@"Unlimited disk: +refused", text);
        Assert.Contains("hakobr0 10.0.3.0/24", text, StringComparison.Ordinal);
        Assert.Matches(@"Anti-spoof: +-", text);
    }

    [Theory]
    [InlineData(true, true, "on: 12 ports filtered (5 up), 7 frames dropped, table bridge hako-n1")]
    [InlineData(true, false, "on, but table bridge hako-n1 is missing from the kernel")]
    [InlineData(false, false, "off (--no-antispoof)")]
    public void Node_SaysWhetherAntiSpoofingIsOnAndHowManyPortsItFilters(bool enabled, bool present, string expected)
    {
        var node = new NodeInfo
        {
            NodeName = "n1",
            Version = "0.1.0",
            CgroupVersion = "v1",
            Capacity = new NodeResources(),
            Committed = new NodeResources(),
            Used = new NodeResources(),
            AntiSpoof = new AntiSpoofInfo { Enabled = enabled, Table = enabled ? "bridge hako-n1" : null, TablePresent = present, Ports = 12, PortsUp = 5, Dropped = 7 },
        };

        // The key column is as wide as the longest key: match the value after "Anti-spoof:" and any padding.
        Assert.Matches(@"Anti-spoof: +" + System.Text.RegularExpressions.Regex.Escape(expected), NodeViews.RenderNode(node));
    }

    [Fact]
    public void Show_ListsPlanModeKindGuaranteesIoAndBeancounters()
    {
        var container = Container() with
        {
            Plan = "basic",
            Mode = "ubc",
            Kind = "guaranteed",
            Guarantees = new ResourceGuarantees { MemoryBytes = 128 * M, Cpus = 0.5, DiskBytes = 1024 * M },
            Limits = Container().Limits with { IoPrio = 6, IoLimitBytesPerSecond = 10 * M, IopsLimit = 500, CpuMask = "0-1" },
            Usage = Container().Usage! with { IoReadBytes = 1536 * M, IoWriteBytes = 500 * M, IoReadOps = 3400, IoWriteOps = 1200 },
            Beancounters = new Dictionary<string, string> { ["numfile"] = "9312", ["numproc"] = "240:240" },
            Warnings = ["[numfile] numfile 9312 < 32 x avnumproc"],
        };

        var text = ContainerViews.RenderShow(container);

        Assert.Contains("Plan:         basic\n", text, StringComparison.Ordinal);
        Assert.Contains("Mode:         ubc (full beancounter set)\n", text, StringComparison.Ordinal);
        Assert.Contains("Kind:         guaranteed\n", text, StringComparison.Ordinal);
        Assert.Contains("Guarantees:   memory 128M, cpus 0.5, disk 1G\n", text, StringComparison.Ordinal);
        Assert.Contains("CPUs:         1, cap 50%, units 1000, mask 0-1\n", text, StringComparison.Ordinal);
        Assert.Contains("I/O limits:   prio 6, bandwidth 10M/s, iops 500 ops/s\n", text, StringComparison.Ordinal);
        Assert.Contains("I/O usage:    read 1.5G in 3400 ops, written 500M in 1200 ops\n", text, StringComparison.Ordinal);
        Assert.Contains("Validation warnings (last create/set):\n  [numfile] numfile 9312 < 32 x avnumproc\n", text, StringComparison.Ordinal);
        Assert.Contains("PARAMETER  BARRIER:LIMIT\nnumproc    240:240\nnumfile    9312\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Show_SlmMode_HasNoBeancounterList_AndDefaultIo()
    {
        var container = Container() with { Beancounters = new Dictionary<string, string> { ["numproc"] = "512:512" } };

        var text = ContainerViews.RenderShow(container);

        Assert.Contains("Mode:         slm (memory + swap; other counters derived)\n", text, StringComparison.Ordinal);
        Assert.Contains("Guarantees:   none\n", text, StringComparison.Ordinal);
        Assert.Contains("I/O limits:   prio 4 (default), bandwidth unlimited, iops unlimited\n", text, StringComparison.Ordinal);
        Assert.Contains("I/O usage:    -\n", text, StringComparison.Ordinal);
        Assert.DoesNotContain("BARRIER:LIMIT", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Node_WithReserveGuaranteesAndRatios_ShowsAdmissionColumns()
    {
        const long G = 1024 * M;
        var node = new NodeInfo
        {
            NodeName = "hn1",
            Version = "0.1.0",
            CgroupVersion = "v2",
            Capacity = new NodeResources { MemoryBytes = 24 * G, SwapBytes = 4 * G, Cpus = 2, DiskBytes = 252 * G },
            Reserve = new NodeResources { MemoryBytes = 4 * G, SwapBytes = 0, Cpus = 0.5, DiskBytes = 12 * G },
            CommittedGuarantees = new NodeResources { MemoryBytes = 10 * G, Cpus = 1, DiskBytes = 60 * G },
            Committed = new NodeResources { MemoryBytes = 30 * G, Cpus = 3, DiskBytes = 120 * G },
            OvercommitRatios = new OvercommitInfo { Memory = 2, Cpu = 4, Disk = 1 },
            Used = new NodeResources { MemoryBytes = 6 * G, Cpus = 0.5, DiskBytes = 1 * G },
        };

        var lines = NodeViews.RenderNode(node).Split('\n');

        Assert.Contains("RESOURCE  CAPACITY  RESERVE  GUARANTEED  COMMITTED   RATIO  USED       FREE", lines);
        Assert.Contains("memory    24G       4G       10G (50%)   30G (150%)  2x     6G (25%)   18G", lines);
        Assert.Contains("cpus      2         0.5      1 (67%)     3 (200%)    4x     0.5 (25%)  1.5", lines);
        Assert.Contains("disk      252G      12G      60G (25%)   120G (50%)  1x     1G (0%)    251G", lines);
        Assert.Contains("COMMITTED: sum of limits, may reach RATIO x (CAPACITY - RESERVE).", lines);
    }
}
