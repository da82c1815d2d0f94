namespace Hako.Capacity;

/// <summary>A resource the planner reasons about.</summary>
public enum CapacityResource
{
    /// <summary>CPU, in cores (Hako) or in the trace's unit (Bitbrains: MHz).</summary>
    Cpu,
    /// <summary>Memory, in bytes (Hako) or in the trace's unit (Bitbrains: KB).</summary>
    Memory,
}

/// <summary>One number per resource: a capacity, a limit, a guarantee, or an ε.</summary>
public readonly record struct ResourceVector(double Cpu, double Memory)
{
    /// <summary>Every resource the planner knows, in display order.</summary>
    public static IReadOnlyList<CapacityResource> All { get; } = [CapacityResource.Cpu, CapacityResource.Memory];

    public static ResourceVector Zero => default;

    /// <summary>The same value for every resource (e.g. one ε for all).</summary>
    public static ResourceVector Uniform(double value) => new(value, value);

    public double this[CapacityResource resource] => resource switch
    {
        CapacityResource.Cpu => Cpu,
        CapacityResource.Memory => Memory,
        _ => throw new ArgumentOutOfRangeException(nameof(resource), resource, "unknown resource"),
    };

    public ResourceVector With(CapacityResource resource, double value) => resource switch
    {
        CapacityResource.Cpu => this with { Cpu = value },
        CapacityResource.Memory => this with { Memory = value },
        _ => throw new ArgumentOutOfRangeException(nameof(resource), resource, "unknown resource"),
    };
}
