using System.Runtime.CompilerServices;

namespace Hako.Capacity;

/// <summary>
/// What the planner knows about one node at one moment: its capacity, its containers with
/// their guarantees, limits and usage history, and the plans on sale. Pure data: the daemon
/// builds it from the usage store; the backtest builds it from a trace.
/// </summary>
/// <remarks>
/// Every container's series covers the same buckets: bucket i is the interval
/// [<see cref="Start"/> + i·<see cref="BucketLength"/>, + BucketLength). The gatherer aligns the
/// samples, carries the last value over gaps, and writes 0 for buckets before a container
/// existed (it demanded nothing then). Units: CPU in cores, memory in bytes (any consistent
/// unit works: the backtest uses the trace's MHz and KB).
/// </remarks>
public sealed record NodeSnapshot
{
    /// <summary>Usable capacity of the node per resource (cores, bytes).</summary>
    public required ResourceVector Capacity { get; init; }

    public required IReadOnlyList<ContainerUsage> Containers { get; init; }

    /// <summary>The plans on sale, by name; headroom and admission look plans up here.</summary>
    public IReadOnlyList<PlanSpec> Plans { get; init; } = [];

    /// <summary>Start of bucket 0.</summary>
    public DateTimeOffset Start { get; init; }

    /// <summary>Length of one bucket; Hako's usage store records 5-minute buckets.</summary>
    public TimeSpan BucketLength { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Number of buckets (the length of every series; 0 with no containers).</summary>
    public int BucketCount => Containers.Count == 0 ? 0 : Containers[0].Cpu.Length;

    public PlanSpec? FindPlan(string name)
    {
        foreach (var plan in Plans)
        {
            if (string.Equals(plan.Name, name, StringComparison.Ordinal))
            {
                return plan;
            }
        }
        return null;
    }

    /// <summary>Every problem with this snapshot at once; empty when it is usable.</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        foreach (var r in ResourceVector.All)
        {
            if (!(Capacity[r] > 0) || double.IsInfinity(Capacity[r]))
            {
                problems.Add($"Node capacity for {r} is {Capacity[r]}; it must be a positive finite number.");
            }
        }
        var length = BucketCount;
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var c in Containers)
        {
            if (!names.Add(c.Name))
            {
                problems.Add($"Container '{c.Name}' appears twice in the snapshot.");
            }
            if (c.Cpu.Length != length || c.Memory.Length != length)
            {
                problems.Add($"Container '{c.Name}' has {c.Cpu.Length} CPU and {c.Memory.Length} memory buckets; " +
                    $"every series must have {length} (align samples to buckets first).");
            }
            foreach (var r in ResourceVector.All)
            {
                if (c.Limit[r] < 0 || double.IsNaN(c.Limit[r]) || c.Guarantee[r] < 0 || double.IsNaN(c.Guarantee[r]))
                {
                    problems.Add($"Container '{c.Name}' has a negative or NaN {r} limit or guarantee.");
                }
            }
            if (ContainsNaN(c.Cpu.Span) || ContainsNaN(c.Memory.Span))
            {
                problems.Add($"Container '{c.Name}' has NaN samples; carry the last value over gaps instead.");
            }
        }
        return problems;
    }

    /// <summary>Throws <see cref="ArgumentException"/> listing every problem, if any.</summary>
    public void EnsureValid()
    {
        var problems = Validate();
        if (problems.Count > 0)
        {
            throw new ArgumentException("Invalid capacity snapshot: " + string.Join(" ", problems));
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static bool ContainsNaN(ReadOnlySpan<double> values)
    {
        // NaN is the one value not equal to itself; compare whole vectors at a time.
        var vectors = System.Runtime.InteropServices.MemoryMarshal.Cast<double, System.Numerics.Vector<double>>(values);
        foreach (var v in vectors)
        {
            if (!System.Numerics.Vector.EqualsAll(v, v))
            {
                return true;
            }
        }
        foreach (var v in values[(vectors.Length * System.Numerics.Vector<double>.Count)..])
        {
            if (double.IsNaN(v))
            {
                return true;
            }
        }
        return false;
    }
}

/// <summary>One container's commitments and its usage series.</summary>
public sealed record ContainerUsage
{
    public required string Name { get; init; }

    /// <summary>The plan it was sold under; headroom learns a plan's behaviour from these.</summary>
    public string? Plan { get; init; }

    /// <summary>Reserved amounts (never oversold). Zero for best-effort.</summary>
    public ResourceVector Guarantee { get; init; }

    /// <summary>Limits; a container without a limit should be given the node's capacity.</summary>
    public required ResourceVector Limit { get; init; }

    /// <summary>CPU demand per bucket (cores).</summary>
    public required ReadOnlyMemory<double> Cpu { get; init; }

    /// <summary>Memory demand per bucket (bytes).</summary>
    public required ReadOnlyMemory<double> Memory { get; init; }

    public ReadOnlyMemory<double> Series(CapacityResource resource) => resource switch
    {
        CapacityResource.Cpu => Cpu,
        CapacityResource.Memory => Memory,
        _ => throw new ArgumentOutOfRangeException(nameof(resource), resource, "unknown resource"),
    };
}

/// <summary>A plan on sale: what each container of it is guaranteed and limited to.</summary>
public sealed record PlanSpec
{
    public required string Name { get; init; }
    public ResourceVector Guarantee { get; init; }
    public required ResourceVector Limit { get; init; }

    /// <summary>
    /// Best-effort plans are admitted by the statistical rule at ε; guaranteed plans
    /// (false) by the strict sum of guarantees.
    /// </summary>
    public bool BestEffort { get; init; } = true;
}
