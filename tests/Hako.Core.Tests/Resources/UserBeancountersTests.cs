using Hako.Core.Errors;
using Hako.Core.Resources;

namespace Hako.Core.Tests.Resources;

public sealed class UserBeancountersTests
{
    // A container's own /proc/user_beancounters on an OpenVZ 2.6.32 (042stab) node, as published in a
    // shadowsocks deployment guide (container 1005). The "dummy" rows are the kernel's unused slots.
    private const string RealSample = """
        Version: 2.5
               uid  resource                     held              maxheld              barrier                limit              failcnt
             1005:  kmemsize                  6499239             34332672             50331648             50331648                    0
                    lockedpages                     0                    0                12288                12288                    0
                    privvmpages                 20185                89959  9223372036854775807  9223372036854775807                    0
                    shmpages                      654                  670  9223372036854775807  9223372036854775807                    0
                    dummy                           0                    0  9223372036854775807  9223372036854775807                    0
                    numproc                        26                  102  9223372036854775807  9223372036854775807                    0
                    physpages                   12181                24887                    0                24576                  536
                    vmguarpages                     0                    0  9223372036854775807  9223372036854775807                    0
                    oomguarpages                 7054                30538  9223372036854775807  9223372036854775807                  473
                    numtcpsock                     52                 1500                 1500                 2000             21583239
                    numflock                        1                    5  9223372036854775807  9223372036854775807                    0
                    numpty                          1                   16  9223372036854775807  9223372036854775807                    0
                    numsiginfo                      0                   63  9223372036854775807  9223372036854775807                    0
                    tcpsndbuf                 7497680             29165536            104857600            209715200                    0
                    tcprcvbuf                18891984             88633288            104857600            209715200                    0
                    othersockbuf                39304               386848  9223372036854775807  9223372036854775807                    0
                    dgramrcvbuf                     0               166480  9223372036854775807  9223372036854775807                    0
                    numothersock                   27                   37                 1500                 2000                    0
                    dcachesize                2293779             25165824             25165824             25165824                    0
                    numfile                       362                 1910  9223372036854775807  9223372036854775807                    0
                    dummy                           0                    0  9223372036854775807  9223372036854775807                    0
                    dummy                           0                    0  9223372036854775807  9223372036854775807                    0
                    dummy                           0                    0  9223372036854775807  9223372036854775807                    0
                    numiptent                      30                   30  9223372036854775807  9223372036854775807                    0

        """;

    private static string WithoutDummies(string text) =>
        string.Concat(text.Split('\n').Where(l => !l.TrimStart().StartsWith("dummy", StringComparison.Ordinal) && l.Length > 0).Select(l => l + "\n"));

    [Fact]
    public void Parse_RealKernelOutput_ReadsEveryRowButDummies()
    {
        var table = Assert.Single(UserBeancounters.Parse(RealSample));
        Assert.Equal("1005", table.Id);
        Assert.Equal(20, table.Rows.Count);
        Assert.Equal(new BeancounterRow("physpages", 12181, 24887, 0, 24576, 536), table.Rows.Single(r => r.Resource == "physpages"));
        Assert.Equal(21583239, table.Rows.Single(r => r.Resource == "numtcpsock").FailCnt);
        Assert.Equal(UbcLimit.Unlimited, table.Rows.Single(r => r.Resource == "numproc").Limit);
    }

    [Fact]
    public void Render_MatchesTheKernelsLayoutColumnForColumn()
    {
        var table = Assert.Single(UserBeancounters.Parse(RealSample));
        Assert.Equal(WithoutDummies(RealSample), UserBeancounters.Render(table));
    }

    [Fact]
    public void Render_FromSet_IdOnFirstRowOnly_KernelOrder_RoundTrips()
    {
        var set = BuiltInPlans.VpsBasic.Beancounters!;
        var usage = new Dictionary<UbcResource, BeancounterUsage> { [UbcResource.NumProc] = new(20, 26, 3) };
        var text = UserBeancounters.Render(UserBeancounters.FromSet("101", set, usage));
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("Version: 2.5", lines[0]);
        Assert.Equal("       uid  resource                     held              maxheld              barrier                limit              failcnt", lines[1]);
        Assert.Equal("      101:  kmemsize                        0                    0              5242880              5592405                    0", lines[2]);
        Assert.Equal("            lockedpages                     0                    0                   32                   32                    0", lines[3]);
        Assert.Equal("            numproc                        20                   26                   65                   65                    3", lines[6]);
        Assert.Equal(2 + UbcParameters.All.Count, lines.Length);
        Assert.Single(lines, l => l.Contains(':', StringComparison.Ordinal) && !l.StartsWith("Version", StringComparison.Ordinal));

        var back = Assert.Single(UserBeancounters.Parse(text));
        Assert.Equal("101", back.Id);
        Assert.Equal(set.WithAvNumProc(null), UserBeancounters.ToSet(back));
        Assert.Equal(text, UserBeancounters.Render(back));
    }

    [Fact]
    public void Parse_HostViewWithSeveralContainers_SplitsThem()
    {
        var text = UserBeancounters.Render(
        [
            UserBeancounters.FromSet("101", BuiltInPlans.VpsBasic.Beancounters!),
            UserBeancounters.FromSet("102", BuiltInPlans.VSwap256M.Beancounters!),
        ]);
        var tables = UserBeancounters.Parse(text);
        Assert.Equal(["101", "102"], tables.Select(t => t.Id));
        Assert.Equal(BuiltInPlans.VSwap256M.Beancounters, UserBeancounters.ToSet(tables[1]));
    }

    [Theory]
    [InlineData("uid resource held maxheld barrier limit failcnt\n", "line 1")]
    [InlineData("Version: 2.5\nsomething else\n", "line 2")]
    [InlineData("Version: 2.5\nuid resource held maxheld barrier limit failcnt\n  kmemsize 1 2 3 4 5\n", "container id")]
    [InlineData("Version: 2.5\nuid resource held maxheld barrier limit failcnt\n101: kmemsize 1 2 x 4 5\n", "'x' is not a counter value")]
    [InlineData("Version: 2.5\nuid resource held maxheld barrier limit failcnt\n101: kmemsize 1 2 3 4 5\n numproc 1 2 3\n", "line 4")]
    public void Parse_Malformed_NamesTheLine(string text, string expected)
    {
        var e = Assert.Throws<HakoException>(() => UserBeancounters.Parse(text));
        Assert.Contains(expected, e.Message);
    }
}
