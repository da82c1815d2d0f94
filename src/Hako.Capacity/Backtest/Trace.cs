namespace Hako.Capacity.Backtest;

/// <summary>
/// Usage of many tenants aligned to common buckets: what a backtest replays. Series hold
/// demand per bucket (0 while the tenant is absent) and what the tenant was provisioned.
/// </summary>
public sealed class Trace
{
    public Trace(DateTimeOffset start, TimeSpan bucketLength, int bucketCount, IReadOnlyList<TenantTrace> tenants)
    {
        ArgumentNullException.ThrowIfNull(tenants);
        foreach (var t in tenants)
        {
            if (t.Cpu.Length != bucketCount || t.Memory.Length != bucketCount ||
                t.CpuProvisioned.Length != bucketCount || t.MemoryProvisioned.Length != bucketCount)
            {
                throw new ArgumentException($"Tenant '{t.Id}' does not have {bucketCount} buckets in every series.", nameof(tenants));
            }
        }
        Start = start;
        BucketLength = bucketLength;
        BucketCount = bucketCount;
        Tenants = tenants;
    }

    public DateTimeOffset Start { get; }
    public TimeSpan BucketLength { get; }
    public int BucketCount { get; }
    public IReadOnlyList<TenantTrace> Tenants { get; }

    public int BucketsPerDay => (int)Math.Round(TimeSpan.FromDays(1) / BucketLength);
}

/// <summary>One tenant's demand and provisioned size per bucket.</summary>
public sealed record TenantTrace(string Id, double[] Cpu, double[] CpuProvisioned, double[] Memory, double[] MemoryProvisioned)
{
    public double[] Usage(CapacityResource r) => r == CapacityResource.Cpu ? Cpu : Memory;
    public double[] Provisioned(CapacityResource r) => r == CapacityResource.Cpu ? CpuProvisioned : MemoryProvisioned;
}

/// <summary>Turns (time, value) samples of one tenant into aligned buckets.</summary>
internal sealed class BucketAligner(long originSeconds, int bucketSeconds, int bucketCount)
{
    private readonly double[][] _values = NewArrays(bucketCount);
    private readonly bool[] _seen = new bool[bucketCount];

    public int BucketOf(long timestampSeconds) => (int)Math.Floor((timestampSeconds - originSeconds) / (double)bucketSeconds);

    /// <summary>Records a sample; a later sample in the same bucket wins.</summary>
    public void Set(long timestampSeconds, double cpu, double cpuProvisioned, double memory, double memoryProvisioned)
    {
        var b = BucketOf(timestampSeconds);
        if (b < 0 || b >= bucketCount)
        {
            return;
        }
        _values[0][b] = cpu;
        _values[1][b] = cpuProvisioned;
        _values[2][b] = memory;
        _values[3][b] = memoryProvisioned;
        _seen[b] = true;
    }

    /// <summary>
    /// Carries the last sample over gaps (a sampler that missed a beat did not see the tenant
    /// leave); buckets before the first sample stay 0 (the tenant did not exist yet).
    /// </summary>
    public TenantTrace Build(string id)
    {
        var last = -1;
        for (var b = 0; b < bucketCount; b++)
        {
            if (_seen[b])
            {
                last = b;
            }
            else if (last >= 0)
            {
                for (var s = 0; s < 4; s++)
                {
                    _values[s][b] = _values[s][last];
                }
            }
        }
        return new TenantTrace(id, _values[0], _values[1], _values[2], _values[3]);
    }

    private static double[][] NewArrays(int n) => [new double[n], new double[n], new double[n], new double[n]];
}
