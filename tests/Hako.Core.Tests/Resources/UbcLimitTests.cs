using Hako.Core.Errors;
using Hako.Core.Resources;

namespace Hako.Core.Tests.Resources;

public sealed class UbcLimitTests
{
    private static UbcParameter P(UbcResource r) => UbcParameters.Get(r);

    [Fact]
    public void All_HasEveryDesignParameterOnceWithUnitAndGroup()
    {
        string[] names = ["numproc", "numtcpsock", "numothersock", "vmguarpages", "kmemsize", "tcpsndbuf", "tcprcvbuf",
            "othersockbuf", "dgramrcvbuf", "oomguarpages", "privvmpages", "lockedpages", "shmpages", "physpages",
            "swappages", "numfile", "numflock", "numpty", "numsiginfo", "dcachesize", "numiptent"];
        Assert.Equal(names, UbcParameters.All.Select(p => p.Name));
        Assert.All(UbcParameters.All, p => Assert.Equal(p, UbcParameters.Get(p.Resource)));
        Assert.All(UbcParameters.All.Where(p => p.Name.StartsWith("num", StringComparison.Ordinal)), p => Assert.Equal(UbcUnit.Items, p.Unit));
        Assert.All(UbcParameters.All.Where(p => p.Name.EndsWith("pages", StringComparison.Ordinal)), p => Assert.Equal(UbcUnit.Pages, p.Unit));
        Assert.All(UbcParameters.All.Where(p => p.Name.EndsWith("size", StringComparison.Ordinal) || p.Name.EndsWith("buf", StringComparison.Ordinal)),
            p => Assert.Equal(UbcUnit.Bytes, p.Unit));
        Assert.Equal(UbcGroup.Primary, P(UbcResource.VmGuarPages).Group);
        Assert.Equal(UbcGroup.Secondary, P(UbcResource.PrivVmPages).Group);
        Assert.Equal(UbcGroup.Auxiliary, P(UbcResource.NumIptEnt).Group);
        Assert.Equal(UbcParameters.All.Count, UbcParameters.KernelOrder.Distinct().Count());
    }

    [Theory]
    [InlineData(UbcResource.KmemSize, "14M:16M", 14680064L, 16777216L)]
    [InlineData(UbcResource.KmemSize, "5242880:5592405", 5242880L, 5592405L)]
    [InlineData(UbcResource.KmemSize, "2g", 2147483648L, 2147483648L)]
    [InlineData(UbcResource.KmemSize, "10P", 40960L, 40960L)]
    [InlineData(UbcResource.NumProc, "240:240", 240L, 240L)]
    [InlineData(UbcResource.NumFile, "9312", 9312L, 9312L)]
    [InlineData(UbcResource.PhysPages, "0:256M", 0L, 65536L)]
    [InlineData(UbcResource.PrivVmPages, "64M:70M", 16384L, 17920L)]
    [InlineData(UbcResource.PrivVmPages, "35000:38181", 35000L, 38181L)]
    [InlineData(UbcResource.PrivVmPages, "6K", 2L, 2L)]
    [InlineData(UbcResource.LockedPages, "32P", 32L, 32L)]
    [InlineData(UbcResource.NumProc, "unlimited", long.MaxValue, long.MaxValue)]
    [InlineData(UbcResource.VmGuarPages, "6144:unlimited", 6144L, long.MaxValue)]
    [InlineData(UbcResource.VmGuarPages, "6144:9223372036854775807", 6144L, long.MaxValue)]
    public void Parse_VzctlSyntax_GivesBarrierAndLimitInTheParametersUnit(UbcResource r, string text, long barrier, long limit) =>
        Assert.Equal(new UbcLimit(barrier, limit), UbcLimit.Parse(P(r), text));

    [Fact]
    public void Parse_BadValue_NamesTheFlagAndShowsWhatToWrite()
    {
        var e = Assert.Throws<HakoException>(() => UbcLimit.Parse(P(UbcResource.KmemSize), "14Q:16M"));
        Assert.Equal("--kmemsize '14Q:16M' is not barrier[:limit]; use e.g. 14M:16M", e.Message);
    }

    [Theory]
    [InlineData(UbcResource.KmemSize, "")]
    [InlineData(UbcResource.KmemSize, "1:2:3")]
    [InlineData(UbcResource.KmemSize, "-1")]
    [InlineData(UbcResource.KmemSize, "1.5M")]
    [InlineData(UbcResource.KmemSize, "M")]
    [InlineData(UbcResource.KmemSize, "99999999999999T")]
    [InlineData(UbcResource.KmemSize, "9223372036854775808")]
    [InlineData(UbcResource.PhysPages, "0:")]
    public void Parse_Garbage_Throws(UbcResource r, string text) =>
        Assert.Throws<HakoException>(() => UbcLimit.Parse(P(r), text));

    [Fact]
    public void Parse_SuffixOnItemCounter_SaysCountsTakeNoSuffix()
    {
        var e = Assert.Throws<HakoException>(() => UbcLimit.Parse(P(UbcResource.NumProc), "240K"));
        Assert.Equal("--numproc '240K' is not barrier[:limit]; numproc counts items, so it takes no size suffix; use e.g. 240:240", e.Message);
    }

    [Theory]
    [InlineData(UbcResource.KmemSize, "14M:16M")]
    [InlineData(UbcResource.PhysPages, "0:256M")]
    [InlineData(UbcResource.NumProc, "240")]
    [InlineData(UbcResource.KmemSize, "5592405")]
    [InlineData(UbcResource.PrivVmPages, "unlimited")]
    [InlineData(UbcResource.VmGuarPages, "24M:unlimited")]
    public void ToVzctl_RoundTrips(UbcResource r, string text)
    {
        var value = UbcLimit.Parse(P(r), text);
        Assert.Equal(text, value.ToVzctl(P(r).Unit));
        Assert.Equal(value, UbcLimit.Parse(P(r), value.ToVzctl(P(r).Unit)));
    }

    [Fact]
    public void SetParse_ReportsEveryBadSettingAtOnce()
    {
        var e = Assert.Throws<HakoException>(() => BeancounterSet.Parse(new Dictionary<string, string>
        {
            ["kmemsize"] = "14Q:16M",
            ["numproc"] = "240:240",
            ["nosuch"] = "1",
            ["--numfile"] = "lots",
        }));
        Assert.Equal(3, e.Errors!.Count);
        Assert.Contains(e.Errors, m => m.StartsWith("--kmemsize", StringComparison.Ordinal));
        Assert.Contains(e.Errors, m => m.StartsWith("'nosuch' is not a beancounter", StringComparison.Ordinal));
        Assert.Contains(e.Errors, m => m.StartsWith("--numfile 'lots'", StringComparison.Ordinal));
    }

    [Fact]
    public void SetParse_SetsNamedParametersAndLeavesTheRestUnlimited()
    {
        var set = BeancounterSet.Parse(new Dictionary<string, string> { ["--numproc"] = "240", ["KMEMSIZE"] = "14M:16M", ["avnumproc"] = "100:100" });
        Assert.Equal(UbcLimit.Both(240), set[UbcResource.NumProc]);
        Assert.Equal(new UbcLimit(14 << 20, 16 << 20), set[UbcResource.KmemSize]);
        Assert.Equal(100, set.AvNumProc);
        Assert.True(set[UbcResource.NumFile].IsUnlimited);
        Assert.Equal(set, BeancounterSet.Parse(set.ToVzctl(), BeancounterSet.Unlimited.WithAvNumProc(100)));
    }
}
