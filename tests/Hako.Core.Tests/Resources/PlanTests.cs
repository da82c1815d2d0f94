using Hako.Contracts;
using Hako.Core.Errors;
using Hako.Core.Resources;

namespace Hako.Core.Tests.Resources;

public sealed class PlanTests
{
    private const long Mib = 1L << 20;
    private const long Gib = 1L << 30;

    [Fact]
    public void BuiltInPlans_AreValidWithoutWarnings()
    {
        Assert.Equal(["small", "medium", "large", "vps-basic", "vswap-256m"], BuiltInPlans.All.Select(p => p.Name));
        Assert.All(BuiltInPlans.All, p =>
        {
            var (errors, warnings) = p.Check();
            Assert.Empty(errors);
            Assert.Empty(warnings);
        });
    }

    [Fact]
    public void VpsBasic_MatchesTheOpenVzSampleValueForValue()
    {
        // The UBC lines of vzctl's etc/conf/ve-vps.basic.conf-sample.x86_64, verbatim.
        const string sample = """
            AVNUMPROC="40:40"
            NUMPROC="65:65"
            NUMTCPSOCK="80:80"
            NUMOTHERSOCK="80:80"
            VMGUARPAGES="6144:9223372036854775807"
            KMEMSIZE="5242880:5592405"
            TCPSNDBUF="319488:524288"
            TCPRCVBUF="319488:524288"
            OTHERSOCKBUF="132096:336896"
            DGRAMRCVBUF="132096:132096"
            OOMGUARPAGES="6144:9223372036854775807"
            LOCKEDPAGES="32:32"
            SHMPAGES="8192:8192"
            PRIVVMPAGES="35000:38181"
            NUMFILE="2048:2048"
            NUMFLOCK="100:110"
            NUMPTY="16:16"
            NUMSIGINFO="256:256"
            DCACHESIZE="1048576:1097728"
            PHYSPAGES="0:9223372036854775807"
            NUMIPTENT="128:128"
            """;
        var settings = sample.Split('\n').Select(l => l.Split('=')).ToDictionary(kv => kv[0], kv => kv[1].Trim('"'));
        var plan = BuiltInPlans.VpsBasic;
        Assert.Equal(BeancounterSet.Parse(settings), plan.Beancounters);
        Assert.Equal(MemoryMode.Ubc, plan.Mode);
        Assert.Equal(38181 * 4096L, plan.Limits.MemoryBytes);
        Assert.Equal(65, plan.Limits.Processes);
        Assert.Null(plan.Limits.SwapBytes);
        Assert.Equal(6144 * 4096L, plan.Guarantees.MemoryBytes);
        Assert.Equal(1153434 * 1024L, plan.Limits.DiskBytes);
    }

    [Fact]
    public void VSwap256M_IsPhyspages256MSwappages512MRestUnlimited()
    {
        var plan = BuiltInPlans.VSwap256M;
        var set = plan.Beancounters!;
        Assert.Equal(new UbcLimit(0, 65536), set[UbcResource.PhysPages]);
        Assert.Equal(new UbcLimit(0, 131072), set[UbcResource.SwapPages]);
        Assert.Equal(19, set.Entries.Count(e => e.Value.IsUnlimited));
        Assert.Equal(256 * Mib, plan.Limits.MemoryBytes);
        Assert.Equal(512 * Mib, plan.Limits.SwapBytes);
        Assert.Equal("0:256M", set.ToVzctl()["physpages"]);
    }

    [Fact]
    public void SlmPlan_EffectiveBeancountersAreDerived_AndPassValidation()
    {
        var set = BuiltInPlans.Medium.EffectiveBeancounters();
        Assert.Equal(new UbcLimit(0, 2 * Gib / 4096), set[UbcResource.PhysPages]);
        Assert.Empty(UbcValidator.Validate(set));
    }

    [Fact]
    public void Apply_ExplicitFlagsOverrideThePlan()
    {
        var plan = BuiltInPlans.Small.Apply(new PlanFlags { Memory = "1G", CpuLimit = "50%", Processes = "unlimited", Disk = "20G" });
        Assert.Equal(1 * Gib, plan.Limits.MemoryBytes);
        Assert.Equal(512 * Mib, plan.Limits.SwapBytes); // from the plan
        Assert.Equal(50, plan.Limits.CpuLimitPercent);
        Assert.Null(plan.Limits.Processes);
        Assert.Equal(20 * Gib, plan.Limits.DiskBytes);
        Assert.Equal(256 * Mib, plan.Guarantees.MemoryBytes); // best-effort: guarantees stay
        Assert.Empty(plan.Check().Errors);
        Assert.Equal(1 * Gib, plan.ToResourceLimits().MemoryBytes);
    }

    [Fact]
    public void Apply_OnAGuaranteedPlan_GuaranteesFollowLimits()
    {
        var plan = BuiltInPlans.Large.Apply(new PlanFlags { Memory = "6G", CpuLimit = "150" });
        Assert.Equal(6 * Gib, plan.Guarantees.MemoryBytes);
        Assert.Equal(1.5, plan.Guarantees.Cpus);
        Assert.Empty(plan.Check().Errors);
    }

    [Fact]
    public void Apply_UbcPlan_MemoryFlagSetsPhyspagesAndBeancounterFlagsWin()
    {
        var plan = BuiltInPlans.VSwap256M.Apply(new PlanFlags
        {
            Memory = "512M",
            Processes = "240",
            Beancounters = new Dictionary<string, string> { ["swappages"] = "0:1G", ["kmemsize"] = "unlimited" },
        });
        var set = plan.Beancounters!;
        Assert.Equal(new UbcLimit(0, 131072), set[UbcResource.PhysPages]);
        Assert.Equal(new UbcLimit(0, 262144), set[UbcResource.SwapPages]);
        Assert.Equal(UbcLimit.Both(240), set[UbcResource.NumProc]);
        Assert.Equal(512 * Mib, plan.Limits.MemoryBytes);
        Assert.Equal(1 * Gib, plan.Limits.SwapBytes);
        Assert.Equal(240, plan.Limits.Processes);
    }

    [Fact]
    public void Apply_SwitchingSlmToUbc_StartsFromTheDerivedSet()
    {
        var plan = BuiltInPlans.Small.Apply(new PlanFlags { Mode = "ubc", Beancounters = new Dictionary<string, string> { ["numiptent"] = "500" } });
        Assert.Equal(MemoryMode.Ubc, plan.Mode);
        Assert.Equal(UbcLimit.Both(500), plan.Beancounters![UbcResource.NumIptEnt]);
        Assert.Equal(new UbcLimit(0, 131072), plan.Beancounters[UbcResource.PhysPages]);
        Assert.Empty(plan.Check().Errors);
    }

    [Fact]
    public void Apply_BadFlags_AreReportedAllAtOnce()
    {
        var e = Assert.Throws<HakoException>(() => BuiltInPlans.Small.Apply(new PlanFlags
        {
            Memory = "5X",
            Cpus = "two",
            Kind = "cheap",
            CpuUnits = "unlimited",
            Beancounters = new Dictionary<string, string> { ["kmemsize"] = "14M:16M" },
        }));
        Assert.Equal(ErrorCode.InvalidArgument, e.Code);
        Assert.Equal(5, e.Errors!.Count);
        Assert.Contains("--cpuunits 'unlimited' is not a weight; use 8..500000, e.g. 1000", e.Errors);
        Assert.Contains("--memory '5X' is not a size; use e.g. 512M, 10G or 'unlimited'", e.Errors);
        Assert.Contains(e.Errors, m => m.StartsWith("--kmemsize need ubc mode", StringComparison.Ordinal));
    }

    [Fact]
    public void Apply_UbcFlagThatBreaksARule_FailsCheckWithTheRule()
    {
        var plan = BuiltInPlans.VpsBasic.Apply(new PlanFlags { Beancounters = new Dictionary<string, string> { ["kmemsize"] = "1M:2M" } });
        var (errors, _) = plan.Check();
        Assert.Contains(errors, m => m.StartsWith("kmemsize.barrier 1M < 40K × avnumproc 40", StringComparison.Ordinal));
        Assert.Throws<HakoException>(() => plan.ThrowIfInvalid());
    }

    [Theory]
    [InlineData("Basic")]
    [InlineData("vps.basic")]
    [InlineData("-x")]
    [InlineData("")]
    public void Check_BadName_IsAnError(string name)
    {
        var (errors, _) = (BuiltInPlans.Small with { Name = name }).Check();
        Assert.Contains(errors, m => m.StartsWith("Plan name", StringComparison.Ordinal));
    }

    [Fact]
    public void Check_ReportsEveryProblemAtOnce()
    {
        var plan = BuiltInPlans.Large with
        {
            Name = "big",
            Guarantees = new() { MemoryBytes = 8 * Gib, Cpus = 2, DiskBytes = 80 * Gib },
            Limits = BuiltInPlans.Large.Limits with { CpuUnits = 1, IoPrio = 9, DiskBytes = null },
        };
        var (errors, _) = plan.Check();
        Assert.Contains(errors, m => m.StartsWith("--cpuunits 1 is out of range", StringComparison.Ordinal));
        Assert.Contains(errors, m => m.StartsWith("--ioprio 9 is out of range", StringComparison.Ordinal));
        Assert.Contains(errors, m => m.StartsWith("The memory guarantee 8G exceeds the memory limit 4G", StringComparison.Ordinal));
        Assert.Contains(errors, m => m.StartsWith("Plan 'big' is guaranteed, so its memory guarantee", StringComparison.Ordinal));
        Assert.Contains(errors, m => m.StartsWith("Plan 'big' is guaranteed, so its disk guarantee must equal a finite disk limit (now 80G of unlimited)", StringComparison.Ordinal));
    }
}
