using System.Globalization;
using Hako.Contracts;
using Hako.Core.Errors;
using Hako.Core.Units;
using Hako.Core.Validation;

namespace Hako.Core.Resources;

public enum PlanKind
{
    /// <summary>Limits equal guarantees; never oversold.</summary>
    Guaranteed,

    /// <summary>Limits may exceed guarantees and may be oversold up to the node's overcommit ratio.</summary>
    BestEffort,
}

public enum MemoryMode
{
    /// <summary>One memory size plus swap; Hako derives the beancounters (<see cref="UbcDerivation"/>).</summary>
    Slm,

    /// <summary>The full beancounter set, as written.</summary>
    Ubc,
}

/// <summary>What a plan reserves on the node. Zero means nothing reserved.</summary>
public sealed record PlanGuarantees
{
    public long MemoryBytes { get; init; }
    public double Cpus { get; init; }
    public long DiskBytes { get; init; }
}

/// <summary>A plan's ceilings; null means unlimited.</summary>
public sealed record PlanLimits
{
    public long? MemoryBytes { get; init; }
    public long? SwapBytes { get; init; }
    public int? Cpus { get; init; }
    /// <summary>Percent of one CPU (200 = two CPUs).</summary>
    public int? CpuLimitPercent { get; init; }
    /// <summary>Weight, vzctl range 8..500000.</summary>
    public int CpuUnits { get; init; } = Plan.DefaultCpuUnits;
    public int? Processes { get; init; }
    public long? DiskBytes { get; init; }
    /// <summary>I/O weight 0..7 (vzctl --ioprio); null = the default, 4.</summary>
    public int? IoPrio { get; init; }
    public long? IoLimitBytesPerSecond { get; init; }
    public long? IopsLimit { get; init; }

    /// <summary>The CPU ceiling in CPUs: the lower of <see cref="Cpus"/> and <see cref="CpuLimitPercent"/>/100; null = unlimited.</summary>
    public double? EffectiveCpus => (Cpus, CpuLimitPercent) switch
    {
        (null, null) => null,
        ({ } c, null) => c,
        (null, { } p) => p / 100.0,
        ({ } c, { } p) => Math.Min(c, p / 100.0),
    };
}

/// <summary>
/// Flags as the operator typed them (CLI or API); null = not given. <see cref="Plan.Apply"/> merges them over a
/// plan: explicit flags override the plan. Sizes take suffixes and 'unlimited' (<see cref="Size"/>), beancounters
/// vzctl's barrier[:limit] (<see cref="UbcLimit.Parse"/>).
/// </summary>
public sealed record PlanFlags
{
    public string? Description { get; init; }
    public string? Kind { get; init; }
    public string? Mode { get; init; }
    public string? Memory { get; init; }
    public string? Swap { get; init; }
    public string? Cpus { get; init; }
    public string? CpuLimit { get; init; }
    public string? CpuUnits { get; init; }
    public string? Processes { get; init; }
    public string? Disk { get; init; }
    public string? IoPrio { get; init; }
    public string? IoLimit { get; init; }
    public string? IopsLimit { get; init; }
    public string? GuaranteeMemory { get; init; }
    public string? GuaranteeCpus { get; init; }
    public string? GuaranteeDisk { get; init; }
    /// <summary>Beancounter name → barrier[:limit], e.g. kmemsize → 14M:16M; needs mode ubc.</summary>
    public IReadOnlyDictionary<string, string>? Beancounters { get; init; }
}

/// <summary>A named resource set, like OpenVZ's ve-*.conf-sample.</summary>
public sealed record Plan
{
    public const int DefaultCpuUnits = 1000;

    public required string Name { get; init; }
    public string Description { get; init; } = "";
    public PlanKind Kind { get; init; } = PlanKind.BestEffort;
    public MemoryMode Mode { get; init; } = MemoryMode.Slm;
    public PlanGuarantees Guarantees { get; init; } = new();
    public PlanLimits Limits { get; init; } = new();

    /// <summary>
    /// The beancounters in ubc mode (the source of truth there: <see cref="PlanLimits.MemoryBytes"/>, SwapBytes and
    /// Processes are kept equal to what they allow, see <see cref="SyncFromBeancounters"/>); null in slm mode.
    /// </summary>
    public BeancounterSet? Beancounters { get; init; }

    /// <summary>Plan names follow container names: a DNS label (<c>basic</c>, <c>vswap-256m</c>).</summary>
    public static string? CheckName(string? name) => Names.CheckName(name, "Plan name");

    /// <summary>The beancounters a container on this plan gets: as written in ubc mode, derived in slm mode.</summary>
    public BeancounterSet EffectiveBeancounters() =>
        Beancounters ?? UbcDerivation.FromSlm(Limits.MemoryBytes, Limits.SwapBytes, Limits.Processes, Guarantees.MemoryBytes);

    /// <summary>The SLM face the cgroup drivers apply.</summary>
    public ResourceLimits ToResourceLimits() => new()
    {
        MemoryBytes = Limits.MemoryBytes,
        SwapBytes = Limits.SwapBytes,
        Cpus = Limits.Cpus,
        CpuLimitPercent = Limits.CpuLimitPercent,
        CpuUnits = Limits.CpuUnits,
        Processes = Limits.Processes,
        DiskBytes = Limits.DiskBytes,
    };

    /// <summary>What admission counts: the plan's guarantees and its limits (null = unlimited).</summary>
    public Commitment ToCommitment(string containerName) => new(containerName, Kind,
        new ResourceAmounts(Guarantees.MemoryBytes, Guarantees.Cpus, Guarantees.DiskBytes),
        new ResourceCeilings(Limits.MemoryBytes, Limits.EffectiveCpus, Limits.DiskBytes));

    /// <summary>
    /// In ubc mode, sets the SLM-face limits from the beancounters: memory = the lower of physpages.limit and
    /// privvmpages.limit (classic UBC bounds memory with privvmpages, VSwap with physpages), swap =
    /// swappages.limit, processes = numproc.limit. Unlimited stays null. No-op in slm mode.
    /// </summary>
    public Plan SyncFromBeancounters()
    {
        if (Mode != MemoryMode.Ubc || Beancounters is not { } set)
        {
            return this;
        }

        var memPages = Math.Min(set[UbcResource.PhysPages].Limit, set[UbcResource.PrivVmPages].Limit);
        return this with
        {
            Limits = Limits with
            {
                MemoryBytes = PagesToBytes(memPages),
                SwapBytes = PagesToBytes(set[UbcResource.SwapPages].Limit),
                Processes = set[UbcResource.NumProc].Limit is var n && n <= int.MaxValue ? (int)n : null,
            },
        };
    }

    /// <summary>
    /// Every problem with this plan at once (name, ranges, guarantees vs limits, kind, mode, beancounter errors),
    /// and the beancounter warnings separately.
    /// </summary>
    public (IReadOnlyList<string> Errors, IReadOnlyList<string> Warnings) Check()
    {
        var errors = new List<string>();
        var warnings = new List<string>();
        if (CheckName(Name) is { } nameError)
        {
            errors.Add(nameError);
        }

        var l = Limits;
        if (l.CpuUnits is < 8 or > 500000)
        {
            errors.Add($"--cpuunits {l.CpuUnits} is out of range; use 8..500000, e.g. {DefaultCpuUnits}");
        }

        Positive(errors, "--cpus", l.Cpus, "2");
        Positive(errors, "--cpulimit", l.CpuLimitPercent, "50 (percent of one CPU)");
        Positive(errors, "--processes", l.Processes, "512");
        Positive(errors, "--memory", l.MemoryBytes, "512M");
        Positive(errors, "--disk", l.DiskBytes, "10G");
        Positive(errors, "--iolimit", l.IoLimitBytesPerSecond, "10M");
        Positive(errors, "--iopslimit", l.IopsLimit, "500");
        if (l.SwapBytes < 0)
        {
            errors.Add($"--swap {l.SwapBytes} is negative; use 0 for none, e.g. 512M");
        }

        if (l.IoPrio is < 0 or > 7)
        {
            errors.Add($"--ioprio {l.IoPrio} is out of range; use 0..7, e.g. 4");
        }

        var g = Guarantees;
        if (g.MemoryBytes < 0 || g.Cpus < 0 || double.IsNaN(g.Cpus) || g.DiskBytes < 0)
        {
            errors.Add("Guarantees cannot be negative; use 0 for none");
        }

        GuaranteeWithinLimit(errors, "memory", g.MemoryBytes, l.MemoryBytes, Size.Format);
        GuaranteeWithinLimit(errors, "cpu", g.Cpus, l.EffectiveCpus, Cpus);
        GuaranteeWithinLimit(errors, "disk", g.DiskBytes, l.DiskBytes, Size.Format);

        if (Kind == PlanKind.Guaranteed)
        {
            // Never oversold: what is promised must be a finite amount, reserved whole.
            if (l.MemoryBytes is not { } m || g.MemoryBytes != m)
            {
                errors.Add($"Plan '{Name}' is guaranteed, so its memory guarantee must equal a finite memory limit (now {Size.Format(g.MemoryBytes)} of {Size.Format(l.MemoryBytes)}); set --memory, or use --kind best-effort");
            }

            if (l.EffectiveCpus is not { } c || Math.Abs(g.Cpus - c) > 1e-9)
            {
                errors.Add($"Plan '{Name}' is guaranteed, so its CPU guarantee must equal a finite CPU limit (now {Cpus(g.Cpus)} of {Cpus(l.EffectiveCpus)}); set --cpus or --cpulimit, or use --kind best-effort");
            }

            if (l.DiskBytes is not { } d || g.DiskBytes != d)
            {
                errors.Add($"Plan '{Name}' is guaranteed, so its disk guarantee must equal a finite disk limit (now {Size.Format(g.DiskBytes)} of {Size.Format(l.DiskBytes)}); set --disk, or use --kind best-effort");
            }
        }

        if (Mode == MemoryMode.Slm && Beancounters is not null)
        {
            errors.Add($"Plan '{Name}' is in slm mode but carries beancounters; use --mode ubc to set them");
        }

        var set = Mode == MemoryMode.Ubc ? Beancounters : EffectiveBeancounters();
        if (Mode == MemoryMode.Ubc && set is null)
        {
            errors.Add($"Plan '{Name}' is in ubc mode but has no beancounters; give them (e.g. --numproc 240 --kmemsize 14M:16M) or use --mode slm");
        }
        else if (set is not null)
        {
            foreach (var f in UbcValidator.Validate(set))
            {
                (f.Severity == UbcSeverity.Error ? errors : warnings).Add(f.Message);
            }
        }

        return (errors, warnings);
    }

    /// <summary>Throws when <see cref="Check"/> finds errors (all of them, in one exception); returns the warnings.</summary>
    /// <exception cref="HakoException">InvalidArgument.</exception>
    public IReadOnlyList<string> ThrowIfInvalid()
    {
        var (errors, warnings) = Check();
        if (errors.Count > 0)
        {
            throw new HakoException(ErrorCode.InvalidArgument,
                errors.Count == 1 ? errors[0] : $"Plan '{Name}' has {errors.Count} problems: {string.Join("; ", errors)}", errors);
        }

        return warnings;
    }

    /// <summary>
    /// Merges explicit flags over this plan; explicit flags win. In ubc mode --memory, --swap and --processes set
    /// physpages 0:memory, swappages 0:swap and numproc, then beancounter flags apply (so an explicit
    /// --physpages beats --memory), and the SLM-face limits are re-read from the beancounters. Switching an slm
    /// plan to ubc starts from its derived beancounters. On a guaranteed plan each guarantee follows its limit
    /// unless a guarantee flag is given. Parse errors are reported all at once; call <see cref="Check"/> on the result
    /// for consistency.
    /// </summary>
    /// <exception cref="HakoException">InvalidArgument, one entry per bad flag.</exception>
    public Plan Apply(PlanFlags flags)
    {
        ArgumentNullException.ThrowIfNull(flags);
        var errors = new List<string>();
        var kind = flags.Kind is null ? Kind : ParseKind(errors, flags.Kind);
        var mode = flags.Mode is null ? Mode : ParseMode(errors, flags.Mode);

        var l = Limits;
        l = l with
        {
            MemoryBytes = flags.Memory is null ? l.MemoryBytes : ParseSize(errors, "--memory", flags.Memory),
            SwapBytes = flags.Swap is null ? l.SwapBytes : ParseSize(errors, "--swap", flags.Swap),
            Cpus = flags.Cpus is null ? l.Cpus : ParseInt(errors, "--cpus", flags.Cpus, "2"),
            CpuLimitPercent = flags.CpuLimit is null ? l.CpuLimitPercent : ParseInt(errors, "--cpulimit", flags.CpuLimit.TrimEnd('%'), "50 (percent of one CPU)"),
            CpuUnits = flags.CpuUnits is null ? l.CpuUnits : ParseCpuUnits(errors, flags.CpuUnits),
            Processes = flags.Processes is null ? l.Processes : ParseInt(errors, "--processes", flags.Processes, "512"),
            DiskBytes = flags.Disk is null ? l.DiskBytes : ParseSize(errors, "--disk", flags.Disk),
            IoPrio = flags.IoPrio is null ? l.IoPrio : ParseInt(errors, "--ioprio", flags.IoPrio, "4"),
            IoLimitBytesPerSecond = flags.IoLimit is null ? l.IoLimitBytesPerSecond : ParseSize(errors, "--iolimit", flags.IoLimit),
            IopsLimit = flags.IopsLimit is null ? l.IopsLimit : ParseInt(errors, "--iopslimit", flags.IopsLimit, "500"),
        };

        var g = Guarantees with
        {
            MemoryBytes = flags.GuaranteeMemory is null ? Guarantees.MemoryBytes : ParseSize(errors, "--guarantee-memory", flags.GuaranteeMemory) ?? 0,
            Cpus = flags.GuaranteeCpus is null ? Guarantees.Cpus : ParseCpus(errors, flags.GuaranteeCpus),
            DiskBytes = flags.GuaranteeDisk is null ? Guarantees.DiskBytes : ParseSize(errors, "--guarantee-disk", flags.GuaranteeDisk) ?? 0,
        };

        BeancounterSet? set = null;
        if (mode == MemoryMode.Ubc)
        {
            set = Beancounters ?? UbcDerivation.FromSlm(Limits.MemoryBytes, Limits.SwapBytes, Limits.Processes, Guarantees.MemoryBytes);
            if (flags.Memory is not null)
            {
                set = set.With(UbcResource.PhysPages, new UbcLimit(0, UbcDerivation.Pages(l.MemoryBytes)));
            }

            if (flags.Swap is not null)
            {
                set = set.With(UbcResource.SwapPages, new UbcLimit(0, UbcDerivation.Pages(l.SwapBytes)));
            }

            if (flags.Processes is not null)
            {
                set = set.With(UbcResource.NumProc, UbcLimit.Both(l.Processes ?? UbcLimit.Unlimited));
            }

            if (flags.Beancounters is { Count: > 0 } ubc)
            {
                try
                {
                    set = BeancounterSet.Parse(ubc, set);
                }
                catch (HakoException e)
                {
                    errors.AddRange(e.Errors ?? [e.Message]);
                }
            }
        }
        else if (flags.Beancounters is { Count: > 0 } ubc)
        {
            errors.Add($"{string.Join(", ", ubc.Keys.Select(k => "--" + k.TrimStart('-')))} need ubc mode, and plan '{Name}' is slm; add --mode ubc, or use --memory/--swap/--processes");
        }

        if (errors.Count > 0)
        {
            throw new HakoException(ErrorCode.InvalidArgument,
                errors.Count == 1 ? errors[0] : $"{errors.Count} flags are invalid: {string.Join("; ", errors)}", errors);
        }

        var merged = (this with
        {
            Description = flags.Description ?? Description,
            Kind = kind,
            Mode = mode,
            Limits = l,
            Beancounters = set,
        }).SyncFromBeancounters();

        if (kind == PlanKind.Guaranteed)
        {
            var ml = merged.Limits;
            g = g with
            {
                MemoryBytes = flags.GuaranteeMemory is null && ml.MemoryBytes is { } m ? m : g.MemoryBytes,
                Cpus = flags.GuaranteeCpus is null && ml.EffectiveCpus is { } c ? c : g.Cpus,
                DiskBytes = flags.GuaranteeDisk is null && ml.DiskBytes is { } d ? d : g.DiskBytes,
            };
        }

        return merged with { Guarantees = g };
    }

    private static long? PagesToBytes(long pages) =>
        pages == UbcLimit.Unlimited || pages > long.MaxValue / UbcParameters.PageSize ? null : pages * UbcParameters.PageSize;

    private static string Cpus(double? cpus) =>
        cpus is { } c ? c.ToString("0.##", CultureInfo.InvariantCulture) + (c == 1 ? " CPU" : " CPUs") : Size.Unlimited;

    private static void Positive<T>(List<string> errors, string flag, T? value, string example)
        where T : struct, IComparable<T>
    {
        if (value is { } v && v.CompareTo(default) <= 0)
        {
            errors.Add($"{flag} {v} must be positive; use e.g. {example}, or 'unlimited'");
        }
    }

    private static void GuaranteeWithinLimit<T>(List<string> errors, string what, T guarantee, T? limit, Func<T?, string> format)
        where T : struct, IComparable<T>
    {
        if (limit is { } l && guarantee.CompareTo(l) > 0)
        {
            errors.Add($"The {what} guarantee {format(guarantee)} exceeds the {what} limit {format(l)}; a plan cannot reserve more than it allows");
        }
    }

    private static string Cpus(double cpus) => Cpus((double?)cpus);

    private static void GuaranteeWithinLimit(List<string> errors, string what, double guarantee, double? limit, Func<double?, string> format)
    {
        if (limit is { } l && guarantee > l + 1e-9)
        {
            errors.Add($"The {what} guarantee {format(guarantee)} exceeds the {what} limit {format(l)}; a plan cannot reserve more than it allows");
        }
    }

    private static PlanKind ParseKind(List<string> errors, string text)
    {
        switch (text.Trim().ToLowerInvariant())
        {
            case "guaranteed": return PlanKind.Guaranteed;
            case "best-effort" or "besteffort": return PlanKind.BestEffort;
            default:
                errors.Add($"--kind '{text}' is not a plan kind; use guaranteed or best-effort");
                return PlanKind.BestEffort;
        }
    }

    private static MemoryMode ParseMode(List<string> errors, string text)
    {
        switch (text.Trim().ToLowerInvariant())
        {
            case "slm": return MemoryMode.Slm;
            case "ubc": return MemoryMode.Ubc;
            default:
                errors.Add($"--mode '{text}' is not a memory mode; use slm or ubc");
                return MemoryMode.Slm;
        }
    }

    private static long? ParseSize(List<string> errors, string flag, string text)
    {
        if (Size.TryParse(text, out var bytes))
        {
            return bytes;
        }

        errors.Add(Size.Error(text, flag));
        return null;
    }

    private static int? ParseInt(List<string> errors, string flag, string text, string example)
    {
        var s = text.Trim();
        if (s.Equals(Size.Unlimited, StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        if (int.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
        {
            return value;
        }

        errors.Add($"{flag} '{text}' is not a whole number; use e.g. {example}");
        return null;
    }

    // A weight has no "unlimited": that would be an error, not the default.
    private static int ParseCpuUnits(List<string> errors, string text)
    {
        if (int.TryParse(text.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var units))
        {
            return units;
        }

        errors.Add($"--cpuunits '{text}' is not a weight; use 8..500000, e.g. {DefaultCpuUnits}");
        return DefaultCpuUnits;
    }

    private static double ParseCpus(List<string> errors, string text)
    {
        if (double.TryParse(text.Trim(), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var cpus))
        {
            return cpus;
        }

        errors.Add($"--guarantee-cpus '{text}' is not a CPU count; use e.g. 0.5 or 2");
        return 0;
    }
}
