namespace Hako.Runtime.Migration;

/// <summary>
/// When to stop copying while the container runs and freeze it (vzmigrate's and ploop's iterative copy):
/// the first pass sends everything; each further pass sends what changed meanwhile. Freeze once what is left
/// is small enough to copy within the downtime budget, once it stops shrinking (the container writes as fast
/// as we copy, so more passes gain nothing), or after <see cref="MaxLivePasses"/>.
/// </summary>
public sealed record PassPlanner
{
    /// <summary>Pending bytes at or below this are copied while frozen (about 10-40 ms on a local disk).</summary>
    public long SmallEnoughBytes { get; init; } = 2L << 20;

    /// <summary>A pass that would send more than this share of the previous one does not converge.</summary>
    public double ShrinkRatio { get; init; } = 0.8;

    public int MaxLivePasses { get; init; } = 5;

    /// <summary>True when the container should be frozen now, with <paramref name="pendingBytes"/> left for the final pass.</summary>
    /// <param name="livePassesDone">Passes already sent while the container ran (at least one).</param>
    /// <param name="lastPassBytes">Bytes of the last live pass.</param>
    public bool ShouldFreeze(int livePassesDone, long pendingBytes, long lastPassBytes) =>
        livePassesDone >= MaxLivePasses
        || pendingBytes <= SmallEnoughBytes
        || (livePassesDone >= 2 && pendingBytes > lastPassBytes * ShrinkRatio);
}
