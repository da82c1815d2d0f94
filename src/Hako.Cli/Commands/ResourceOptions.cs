using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using Hako.Cli.Output;
using Hako.Contracts;

namespace Hako.Cli.Commands;

/// <summary>
/// The resource options shared by create, set and plan create; values go to the API as typed (hakod
/// validates them), except the ranges vzctl itself fixes (cpuunits, ioprio), which fail here with exit 2.
/// </summary>
internal sealed class ResourceOptions
{
    public ResourceOptions(bool withPlan)
    {
        Plan = withPlan ? new Option<string?>("--plan") { Description = "Plan the settings start from (see hako plan list); explicit options override it", HelpName = "NAME" } : null;
        CpuUnits.Validators.Add(result => CheckRange(result, "--cpuunits", 8, 500_000));
        IoPrio.Validators.Add(result => CheckRange(result, "--ioprio", 0, 7));
        Mode.AcceptOnlyFromAmong("slm", "ubc");
        Kind.AcceptOnlyFromAmong("guaranteed", "best-effort");
        BeancounterOptions = Beancounters.All
            .Select(p => new Option<string?>("--" + p.Name)
            {
                Description = $"Beancounter {p.Name} ({p.Meaning}; {p.Unit}): barrier[:limit], suffixes K/M/G, or unlimited",
                HelpName = "B[:L]",
            })
            .ToArray();
    }

    public Option<string?>? Plan { get; }
    public Option<string?> Memory { get; } = new("--memory", "-m") { Description = "RAM limit, e.g. 256M, 2G, unlimited", HelpName = "SIZE" };
    public Option<string?> Swap { get; } = new("--swap") { Description = "Swap on top of RAM, e.g. 0 (none), 512M, unlimited", HelpName = "SIZE" };
    public Option<int?> Cpus { get; } = new("--cpus") { Description = "Number of CPUs the container may use", HelpName = "N" };
    public Option<string?> CpuLimit { get; } = new("--cpulimit") { Description = "CPU time cap in percent of one CPU, e.g. 50% or 200", HelpName = "PCT" };
    public Option<int?> CpuUnits { get; } = new("--cpuunits") { Description = "CPU weight relative to other containers, 8..500000 (default 1000)", HelpName = "N" };
    public Option<string?> CpuMask { get; } = new("--cpumask") { Description = "CPUs the container may run on, e.g. 0 or 0-1,3 (default: chosen from --cpus)", HelpName = "LIST" };
    public Option<int?> Processes { get; } = new("--processes") { Description = "Most processes+threads (numproc)", HelpName = "N" };
    public Option<string?> Disk { get; } = new("--disk") { Description = "Disk quota, e.g. 2G, or unlimited (plain directory)", HelpName = "SIZE" };
    public Option<string?> Mode { get; } = new("--mode") { Description = "Memory model: slm (one memory size + swap, the rest derived) or ubc (the full beancounter set)", HelpName = "slm|ubc" };
    public Option<string?> Kind { get; } = new("--kind") { Description = "guaranteed (limits = guarantees, never oversold) or best-effort (limits may be oversold)", HelpName = "guaranteed|best-effort" };
    public Option<string?> GuaranteeMemory { get; } = new("--guarantee-memory") { Description = "Memory reserved for the container, e.g. 128M", HelpName = "SIZE" };
    public Option<string?> GuaranteeCpus { get; } = new("--guarantee-cpus") { Description = "CPUs reserved for the container, e.g. 0.5", HelpName = "N" };
    public Option<string?> GuaranteeDisk { get; } = new("--guarantee-disk") { Description = "Disk reserved for the container, e.g. 1G", HelpName = "SIZE" };
    public Option<int?> IoPrio { get; } = new("--ioprio") { Description = "I/O weight 0..7 (default 4)", HelpName = "0..7" };
    public Option<string?> IoLimit { get; } = new("--iolimit") { Description = "Disk bandwidth cap in bytes per second, e.g. 10M", HelpName = "SIZE/s" };
    public Option<long?> IopsLimit { get; } = new("--iopslimit") { Description = "Disk operations per second cap", HelpName = "N" };

    /// <summary>One option per beancounter (--numproc, --kmemsize, ...), in <see cref="Beancounters.All"/> order.</summary>
    public IReadOnlyList<Option<string?>> BeancounterOptions { get; }

    public void AddTo(Command command)
    {
        if (Plan is not null)
        {
            command.Options.Add(Plan);
        }

        command.Options.Add(Memory);
        command.Options.Add(Swap);
        command.Options.Add(Cpus);
        command.Options.Add(CpuLimit);
        command.Options.Add(CpuUnits);
        command.Options.Add(CpuMask);
        command.Options.Add(Processes);
        command.Options.Add(Disk);
        command.Options.Add(Mode);
        command.Options.Add(Kind);
        command.Options.Add(GuaranteeMemory);
        command.Options.Add(GuaranteeCpus);
        command.Options.Add(GuaranteeDisk);
        command.Options.Add(IoPrio);
        command.Options.Add(IoLimit);
        command.Options.Add(IopsLimit);
        foreach (var option in BeancounterOptions)
        {
            command.Options.Add(option);
        }
    }

    public string? GetPlan(ParseResult r) => Plan is null ? null : r.GetValue(Plan);

    /// <summary>The settings beyond memory/swap/cpus/processes/disk; null when none was given.</summary>
    public ResourceSettings? GetSettings(ParseResult r)
    {
        Dictionary<string, string>? beancounters = null;
        for (var i = 0; i < BeancounterOptions.Count; i++)
        {
            if (r.GetValue(BeancounterOptions[i]) is { } value)
            {
                (beancounters ??= new Dictionary<string, string>(StringComparer.Ordinal))[Beancounters.All[i].Name] = value;
            }
        }

        var settings = new ResourceSettings
        {
            Mode = r.GetValue(Mode),
            Kind = r.GetValue(Kind),
            GuaranteeMemory = r.GetValue(GuaranteeMemory),
            GuaranteeCpus = r.GetValue(GuaranteeCpus),
            GuaranteeDisk = r.GetValue(GuaranteeDisk),
            IoPrio = r.GetValue(IoPrio)?.ToString(CultureInfo.InvariantCulture),
            IoLimit = StripPerSecond(r.GetValue(IoLimit)),
            IopsLimit = r.GetValue(IopsLimit)?.ToString(CultureInfo.InvariantCulture),
            CpuMask = r.GetValue(CpuMask),
            Beancounters = beancounters,
        };
        return settings == new ResourceSettings() ? null : settings;
    }

    /// <summary>"10M/s" and "10M" mean the same; hakod takes the size.</summary>
    private static string? StripPerSecond(string? value) =>
        value is not null && value.EndsWith("/s", StringComparison.OrdinalIgnoreCase) ? value[..^2] : value;

    private static void CheckRange(OptionResult result, string name, int min, int max)
    {
        if (result.GetValueOrDefault<int?>() is { } value && (value < min || value > max))
        {
            result.AddError($"{name} {value.ToString(CultureInfo.InvariantCulture)} is out of range; give {min.ToString(CultureInfo.InvariantCulture)}..{max.ToString(CultureInfo.InvariantCulture)}");
        }
    }
}
