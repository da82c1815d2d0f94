using Hako.Contracts;
using Hako.Core.Errors;
using Hako.Core.Resources;

namespace Hako.Core.Tests.Resources;

public sealed class PlanSplitTests
{
    private const long Gib = 1L << 30;

    // The test machine of DESIGN.md §5: 24 GiB, 2 cores; 4G swap, 200G disk, 1G + a quarter core kept for the host.
    private static readonly ResourceAmounts Reserve = new(1 * Gib, 0.25, 10 * Gib);

    private static Plan Split(int n) => PlanSplit.Split(24 * Gib, 4 * Gib, 2, 200 * Gib, Reserve, n);

    [Theory]
    [InlineData(1)]
    [InlineData(10)]
    [InlineData(100)]
    public void Split_Result_PassesValidationWithNoErrors(int n)
    {
        var plan = Split(n);
        var (errors, warnings) = plan.Check();
        Assert.Empty(errors);
        Assert.Empty(warnings);
        Assert.Empty(UbcValidator.Validate(plan.Beancounters!));
        Assert.Equal(PlanKind.Guaranteed, plan.Kind);
        Assert.Equal($"split-{n}", plan.Name);
    }

    [Fact]
    public void Split_DividesRamPlusSwapMinusReserveByN()
    {
        var plan = Split(10);
        var memoryAndSwap = plan.Limits.MemoryBytes!.Value + plan.Limits.SwapBytes!.Value;
        var expected = (24 * Gib + 4 * Gib - Reserve.MemoryBytes) / 10;
        Assert.InRange(memoryAndSwap, expected - 2 * 4096, expected);
        Assert.Equal((23 * Gib / 10) / 4096, plan.Beancounters![UbcResource.PhysPages].Limit);
        Assert.Equal(17, plan.Limits.CpuLimitPercent); // (2 − 0.25) / 10 = 17.5% → 17%
        Assert.Equal(0.17, plan.Guarantees.Cpus, 6);
        Assert.Equal(19 * Gib, plan.Limits.DiskBytes); // (200G − 10G) / 10
        Assert.Equal(1600, plan.Limits.Processes);
    }

    [Fact]
    public void Split_SumOfTheSplitFitsAdmission()
    {
        const int n = 10;
        var node = new NodeCapacity(new ResourceAmounts(24 * Gib, 2, 200 * Gib), Reserve, OvercommitRatios.None);
        var plan = Split(n);
        var existing = Enumerable.Range(0, n - 1).Select(i => plan.ToCommitment($"ct{i}")).ToList();
        Assert.True(Admission.Check(node, existing, plan.ToCommitment("last")).Accepted);
        existing.Add(plan.ToCommitment("last"));
        Assert.False(Admission.Check(node, existing, plan.ToCommitment("one-more")).Accepted);
    }

    [Fact]
    public void Split_TooManyWays_SaysHowManyFit()
    {
        var e = Assert.Throws<HakoException>(() => Split(5000));
        Assert.Equal(ErrorCode.InsufficientResources, e.Code);
        Assert.Contains(e.Errors!, m => m.Contains("at most 1472 containers of 16M fit", StringComparison.Ordinal));
        Assert.Contains(e.Errors!, m => m.Contains("at most 175 containers fit", StringComparison.Ordinal));
    }

    [Fact]
    public void Split_BadInput_IsInvalid()
    {
        var e = Assert.Throws<HakoException>(() => PlanSplit.Split(24 * Gib, 0, 2, 0, Reserve, 0, "Bad Name"));
        Assert.Equal(ErrorCode.InvalidArgument, e.Code);
        Assert.Equal(2, e.Errors!.Count);
    }
}
