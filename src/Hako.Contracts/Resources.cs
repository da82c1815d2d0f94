namespace Hako.Contracts;

/// <summary>A named resource set, like OpenVZ's ve-*.conf-sample files.</summary>
public sealed record PlanInfo
{
    public required string Name { get; init; }
    public string Description { get; init; } = "";
    /// <summary>guaranteed or best-effort.</summary>
    public required string Kind { get; init; }
    /// <summary>slm or ubc.</summary>
    public required string Mode { get; init; }
    public required ResourceGuarantees Guarantees { get; init; }
    public required ResourceLimits Limits { get; init; }
    public IReadOnlyDictionary<string, string>? Beancounters { get; init; }
    public bool BuiltIn { get; init; }
    public IReadOnlyList<string> Containers { get; init; } = [];
}

/// <summary>POST /v1/plans: a new plan from a base plan (or the defaults) plus settings.</summary>
public sealed record CreatePlanRequest
{
    public required string Name { get; init; }
    public string? Base { get; init; }
    public string? Description { get; init; }
    public string? Memory { get; init; }
    public string? Swap { get; init; }
    public int? Cpus { get; init; }
    public string? CpuLimit { get; init; }
    public int? CpuUnits { get; init; }
    public int? Processes { get; init; }
    public string? Disk { get; init; }
    public ResourceSettings? Resources { get; init; }
}

/// <summary>POST /v1/plans/split: a plan that gives N equal containers this node's resources (vzsplit).</summary>
public sealed record SplitPlanRequest
{
    public required int Count { get; init; }
    public string? Name { get; init; }
    /// <summary>Also save it as a plan (default true).</summary>
    public bool Save { get; init; } = true;
}

/// <summary>One row of /proc/user_beancounters, plus how Hako gets the number.</summary>
public sealed record BeancounterRowInfo
{
    public required string Resource { get; init; }
    public long Held { get; init; }
    public long MaxHeld { get; init; }
    public long Barrier { get; init; }
    public long Limit { get; init; }
    public long FailCnt { get; init; }
    /// <summary>enforced, accounted or unavailable (on this kernel).</summary>
    public required string Enforcement { get; init; }
}

public sealed record BeancounterReport
{
    public required string Container { get; init; }
    public required IReadOnlyList<BeancounterRowInfo> Rows { get; init; }
    /// <summary>The rows in /proc/user_beancounters layout (Version 2.5).</summary>
    public required string Text { get; init; }
}

public sealed record ValidationFinding
{
    public required string Rule { get; init; }
    /// <summary>error or warning.</summary>
    public required string Severity { get; init; }
    public required string Message { get; init; }
}

public sealed record ValidationReport
{
    public required string Container { get; init; }
    public required IReadOnlyList<ValidationFinding> Findings { get; init; }
    public bool Valid => !Findings.Any(f => f.Severity == "error");
}
