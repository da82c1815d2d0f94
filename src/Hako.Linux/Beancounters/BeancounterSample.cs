using Hako.Core.Resources;

namespace Hako.Linux.Beancounters;

/// <summary>
/// One counter as measured, in the parameter's unit (items, bytes or 4 KiB pages, rounded up). A null
/// <see cref="Held"/> means the kernel gives no number for it here (see <see cref="BeancounterKernelMap"/>).
/// <see cref="KernelMaxHeld"/> and <see cref="KernelFailCnt"/> are set only where the kernel itself keeps them; for the
/// others hakod keeps maxheld and failcnt (held ≥ limit) across its own restarts.
/// </summary>
public readonly record struct BeancounterReading(long? Held, long? KernelMaxHeld = null, long? KernelFailCnt = null);

/// <summary>Every beancounter of one container at one moment.</summary>
public sealed class BeancounterSample
{
    private readonly BeancounterReading[] _readings;

    internal BeancounterSample(string group, int initPid, BeancounterReading[] readings) =>
        (Group, InitPid, _readings) = (group, initPid, readings);

    public string Group { get; }

    public int InitPid { get; }

    public BeancounterReading this[UbcResource resource] => _readings[(int)resource];

    /// <summary>The readings in DESIGN.md §3 order.</summary>
    public IEnumerable<(UbcResource Resource, BeancounterReading Reading)> Readings =>
        UbcParameters.All.Select(p => (p.Resource, _readings[(int)p.Resource]));
}
