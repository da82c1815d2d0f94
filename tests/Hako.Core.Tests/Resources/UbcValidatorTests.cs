using Hako.Core.Errors;
using Hako.Core.Resources;

namespace Hako.Core.Tests.Resources;

public sealed class UbcValidatorTests
{
    // ve-vps.basic.conf-sample.x86_64: passes every rule (its tcp/othersockbuf gaps are exactly 2.5K × 80).
    private static readonly BeancounterSet Basic = BuiltInPlans.VpsBasic.Beancounters!;

    private static BeancounterSet With(string name, string value, BeancounterSet? set = null) =>
        BeancounterSet.Parse(new Dictionary<string, string> { [name] = value }, set ?? Basic);

    private static UbcFinding Single(BeancounterSet set, string rule)
    {
        var findings = UbcValidator.Validate(set);
        var finding = Assert.Single(findings);
        Assert.Equal(rule, finding.Rule);
        return finding;
    }

    [Fact]
    public void Validate_ClassicSample_FindsNothing() => Assert.Empty(UbcValidator.Validate(Basic));

    [Fact]
    public void Validate_VSwapSample_AllUnlimitedButMemory_FindsNothing() =>
        Assert.Empty(UbcValidator.Validate(BuiltInPlans.VSwap256M.Beancounters!));

    [Fact]
    public void Validate_AllUnlimited_FindsNothing() => Assert.Empty(UbcValidator.Validate(BeancounterSet.Unlimited));

    [Fact]
    public void BarrierAboveLimit_IsAnError()
    {
        var f = Single(With("privvmpages", "40000:38181"), "barrier-le-limit");
        Assert.Equal(UbcSeverity.Error, f.Severity);
        Assert.Equal(UbcResource.PrivVmPages, f.Resource);
        Assert.StartsWith("privvmpages.barrier 40000 pages (", f.Message);
        Assert.Contains("> privvmpages.limit 38181 pages (149.1M); the barrier must not exceed the limit, e.g. --privvmpages 160000K", f.Message);
    }

    [Theory]
    [InlineData("numproc", "65:70")]
    [InlineData("numtcpsock", "80:90")]
    [InlineData("numothersock", "80:90")]
    [InlineData("numfile", "2048:4096")]
    [InlineData("numpty", "16:32")]
    [InlineData("numsiginfo", "256:512")]
    [InlineData("numiptent", "128:256")]
    public void NumCounterWithBarrierBelowLimit_IsAnError(string name, string value)
    {
        var f = Single(With(name, value), "barrier-eq-limit");
        Assert.Equal(UbcSeverity.Error, f.Severity);
        Assert.StartsWith($"{name} barrier ", f.Message);
    }

    [Fact]
    public void NumFlock_MayHaveBarrierBelowLimit_AsInTheClassicSample() =>
        Assert.Equal(new UbcLimit(100, 110), Basic[UbcResource.NumFlock]);

    [Fact]
    public void KmemsizeBelowProcessesAndDcache_IsAnErrorWithTheNumbers()
    {
        var set = BeancounterSet.Parse(new Dictionary<string, string>
        {
            ["kmemsize"] = "2M:3M",
            ["avnumproc"] = "120",
            ["dcachesize"] = "1M:1M",
        }, Basic);

        // (numfile 2048 < 32 × 120 is also reported, as a warning: one call returns every finding.)
        var f = Assert.Single(UbcValidator.Validate(set), x => x.Rule == "kmemsize");
        Assert.Equal(UbcSeverity.Error, f.Severity);
        Assert.Equal("kmemsize.barrier 2M < 40K × avnumproc 120 + dcachesize.limit 1M = 5.7M; raise kmemsize.barrier to at least 5.7M", f.Message);
    }

    [Fact]
    public void Kmemsize_WithoutAvnumproc_UsesHalfOfNumproc()
    {
        var set = With("kmemsize", "2M:3M", Basic.WithAvNumProc(null).With(UbcResource.NumProc, UbcLimit.Both(240)).With(UbcResource.NumFile, UbcLimit.Both(4000)));
        var f = Assert.Single(UbcValidator.Validate(set), x => x.Rule == "kmemsize");
        Assert.Contains("avnumproc 120 (numproc/2)", f.Message);
    }

    [Fact]
    public void Kmemsize_WithUnlimitedProcesses_IsAnError()
    {
        var f = Assert.Single(UbcValidator.Validate(With("numproc", "unlimited", Basic.WithAvNumProc(null))), x => x.Rule == "kmemsize");
        Assert.Equal(UbcSeverity.Error, f.Severity);
        Assert.Contains("avnumproc unlimited (numproc/2) + dcachesize.limit 1M = unlimited; set numproc", f.Message);
    }

    [Fact]
    public void TcpsndbufGapBelowSockets_IsAnError()
    {
        var f = Single(With("tcpsndbuf", "319488:400000"), "tcpsndbuf");
        Assert.Equal(UbcSeverity.Error, f.Severity);
        Assert.Equal("tcpsndbuf.limit − barrier 78.6K < 2.5K × numtcpsock 80 = 200K; raise tcpsndbuf.limit to at least 512K", f.Message);
    }

    [Fact]
    public void OthersockbufGapBelowSockets_IsAnError()
    {
        var f = Single(With("othersockbuf", "132096:200000"), "othersockbuf");
        Assert.Equal(UbcSeverity.Error, f.Severity);
        Assert.Contains("2.5K × numothersock 80 = 200K", f.Message);
    }

    [Fact]
    public void TcprcvbufGapBelowSockets_IsAWarning()
    {
        var f = Single(With("tcprcvbuf", "319488:319488"), "tcprcvbuf");
        Assert.Equal(UbcSeverity.Warning, f.Severity);
    }

    [Fact]
    public void BufferWithUnlimitedLimit_HasRoomForAnySocketCount() =>
        Assert.Empty(UbcValidator.Validate(With("tcpsndbuf", "319488:unlimited")));

    [Fact]
    public void DcacheBelowFiles_IsAWarning()
    {
        var f = Single(With("dcachesize", "500000:600000"), "dcachesize");
        Assert.Equal(UbcSeverity.Warning, f.Severity);
        Assert.Equal("dcachesize.limit 585.9K < 384 × numfile 2048 = 768K; raise dcachesize.limit to at least 768K", f.Message);
    }

    [Fact]
    public void NumfileBelowProcessesOrSockets_IsAWarning()
    {
        var f = Single(With("numfile", "1000"), "numfile");
        Assert.Equal(UbcSeverity.Warning, f.Severity);
        Assert.Equal("numfile 1000 < max(32 × avnumproc 40 = 1280, numtcpsock 80 + numothersock 80 + numpty 16 = 176) = 1280; raise numfile to at least 1280", f.Message);
    }

    [Fact]
    public void PrivvmpagesBelowVmguarpages_IsAWarning()
    {
        var f = Single(With("vmguarpages", "36000:unlimited"), "privvmpages");
        Assert.Equal(UbcSeverity.Warning, f.Severity);
        Assert.StartsWith("privvmpages.barrier 35000 pages (136.7M) < vmguarpages.barrier 36000 pages (140.6M)", f.Message);
    }

    [Fact]
    public void Validate_ReportsEveryFindingAtOnce_AndThrowIfErrorsListsOnlyErrors()
    {
        var set = BeancounterSet.Parse(new Dictionary<string, string>
        {
            ["kmemsize"] = "1M",
            ["tcpsndbuf"] = "1M:1M",
            ["numproc"] = "65:100",
            ["numfile"] = "100",
        }, Basic);
        var findings = UbcValidator.Validate(set);
        Assert.Equal(["barrier-eq-limit", "kmemsize", "tcpsndbuf", "numfile"], findings.Select(f => f.Rule));
        var e = Assert.Throws<HakoException>(() => UbcValidator.ThrowIfErrors(findings));
        Assert.Equal(3, e.Errors!.Count);
    }
}
