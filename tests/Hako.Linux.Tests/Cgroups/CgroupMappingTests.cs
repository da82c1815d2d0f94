using Hako.Contracts;
using Hako.Core.Errors;
using Hako.Linux.Cgroups;

namespace Hako.Linux.Tests.Cgroups;

public sealed class CgroupMappingTests
{
    [Theory]
    [InlineData(1000, 1024)]
    [InlineData(500, 512)]
    [InlineData(1, 2)] // kernel minimum
    [InlineData(500_000, 262_144)] // kernel maximum
    public void CpuShares_ScalesCpuUnitsTo1024(int units, long shares) => Assert.Equal(shares, CgroupMapping.CpuShares(units));

    [Theory]
    [InlineData(1000, 100)]
    [InlineData(500, 50)]
    [InlineData(8, 1)]
    [InlineData(1, 1)]
    [InlineData(100_000, 10_000)]
    [InlineData(500_000, 10_000)]
    public void CpuWeight_MapsDefaultToDefault(int units, long weight) => Assert.Equal(weight, CgroupMapping.CpuWeight(units));

    [Fact]
    public void CpuWeight_IsMonotone()
    {
        for (var units = 1; units < 200_000; units += 7)
        {
            Assert.True(CgroupMapping.CpuWeight(units + 7) >= CgroupMapping.CpuWeight(units));
        }
    }

    [Theory]
    [InlineData(50, null, 50_000L)]
    [InlineData(200, null, 200_000L)]
    [InlineData(null, 2, 200_000L)]
    [InlineData(300, 2, 200_000L)]
    [InlineData(50, 2, 50_000L)]
    [InlineData(null, null, null)]
    [InlineData(0, null, 1000L)] // kernel minimum quota is 1 ms
    public void CfsQuota_IsPercentOfPeriodCappedByCpuCount(int? percent, int? cpus, long? quota) =>
        Assert.Equal(quota, CgroupMapping.CfsQuotaUs(new ResourceLimits { CpuLimitPercent = percent, Cpus = cpus }));

    [Theory]
    [InlineData(512L, 256L, 768L)]
    [InlineData(512L, 0L, 512L)]
    [InlineData(512L, null, null)]
    [InlineData(null, 256L, null)]
    public void Memsw_IsMemoryPlusSwap(long? memory, long? swap, long? memsw) =>
        Assert.Equal(memsw, CgroupMapping.MemswBytes(new ResourceLimits { MemoryBytes = memory, SwapBytes = swap }));

    [Fact]
    public void Memsw_ThatOverflows_IsInvalid() =>
        Assert.Throws<HakoException>(() => CgroupMapping.MemswBytes(new ResourceLimits { MemoryBytes = long.MaxValue, SwapBytes = 1 }));

    [Theory]
    [InlineData(100L, null, false)] // limiting a fresh group: memory first (memsw is unlimited)
    [InlineData(null, 100L, true)] // back to unlimited: memsw first
    [InlineData(200L, 100L, true)] // raising above current memsw
    [InlineData(50L, 100L, false)] // lowering
    [InlineData(100L, 100L, false)]
    [InlineData(null, null, false)]
    public void WriteMemswFirst_KeepsMemoryAtMostMemsw(long? newMemory, long? currentMemsw, bool memswFirst) =>
        Assert.Equal(memswFirst, CgroupMapping.WriteMemswFirst(newMemory, currentMemsw));

    [Theory]
    [InlineData("")]
    [InlineData("/hako-node1/web1")]
    [InlineData("hako-node1/../../etc")]
    [InlineData("hako-node1//web1")]
    public void ValidateGroup_RejectsPathsThatLeaveTheHierarchy(string group) =>
        Assert.Throws<HakoException>(() => CgroupMapping.ValidateGroup(group));
}
