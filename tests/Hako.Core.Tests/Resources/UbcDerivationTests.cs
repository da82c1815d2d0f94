using Hako.Core.Resources;

namespace Hako.Core.Tests.Resources;

public sealed class UbcDerivationTests
{
    private const long Mib = 1L << 20;
    private const long Gib = 1L << 30;

    [Theory]
    [InlineData(64L * Mib, 0L, 16)]
    [InlineData(256L * Mib, 512L * Mib, 128)]
    [InlineData(2L * Gib, 1L * Gib, 1024)]
    [InlineData(64L * Gib, 64L * Gib, 32768)]
    [InlineData(128L * Mib, 0L, 100000)]
    public void FromSlm_AnySize_PassesValidationWithoutFindings(long memory, long swap, int processes) =>
        Assert.Empty(UbcValidator.Validate(UbcDerivation.FromSlm(memory, swap, processes)));

    [Fact]
    public void FromSlm_SetsVSwapCountersFromMemorySwapAndProcesses()
    {
        var set = UbcDerivation.FromSlm(256 * Mib, 512 * Mib, 240, guaranteedMemoryBytes: 128 * Mib);
        Assert.Equal(new UbcLimit(0, 65536), set[UbcResource.PhysPages]);
        Assert.Equal(new UbcLimit(0, 131072), set[UbcResource.SwapPages]);
        Assert.Equal(UbcLimit.Both(240), set[UbcResource.NumProc]);
        Assert.Equal(new UbcLimit(32768, UbcLimit.Unlimited), set[UbcResource.VmGuarPages]);
        Assert.Equal(new UbcLimit(32768, UbcLimit.Unlimited), set[UbcResource.OomGuarPages]);
        Assert.True(set[UbcResource.PrivVmPages].IsUnlimited);
        Assert.Equal(UbcLimit.Both(196608), set[UbcResource.ShmPages]);
        Assert.Equal(UbcLimit.Both(16384), set[UbcResource.LockedPages]);
        Assert.Equal(UbcLimit.Both(480), set[UbcResource.NumTcpSock]);
        Assert.Null(set.AvNumProc);
    }

    [Fact]
    public void FromSlm_Unlimited_IsTheVSwapSampleShape()
    {
        var set = UbcDerivation.FromSlm(null, null, null);
        Assert.Equal(new UbcLimit(0, UbcLimit.Unlimited), set[UbcResource.PhysPages]);
        Assert.Equal(new UbcLimit(0, UbcLimit.Unlimited), set[UbcResource.VmGuarPages]);
        Assert.All(set.Entries.Where(e => e.Parameter.Resource is not (UbcResource.PhysPages or UbcResource.SwapPages or UbcResource.VmGuarPages or UbcResource.OomGuarPages)),
            e => Assert.True(e.Value.IsUnlimited, e.Parameter.Name));
        Assert.Empty(UbcValidator.Validate(set));
    }

    [Fact]
    public void FromSlm_MemoryWithoutProcessCount_LeavesPerProcessCountersUnlimited()
    {
        var set = UbcDerivation.FromSlm(512 * Mib, 0, null);
        Assert.Equal(new UbcLimit(0, 131072), set[UbcResource.PhysPages]);
        Assert.Equal(new UbcLimit(0, 0), set[UbcResource.SwapPages]);
        Assert.True(set[UbcResource.KmemSize].IsUnlimited);
        Assert.True(set[UbcResource.NumFile].IsUnlimited);
        Assert.Empty(UbcValidator.Validate(set));
    }
}
