using Hako.Core.Errors;

namespace Hako.Core.Resources;

/// <summary>
/// A complete set of beancounter settings: every parameter of DESIGN.md §3 has a value, and a parameter nobody
/// set is unlimited (as in the ve-vswap-*.conf-samples). Immutable; <see cref="With"/> returns a changed copy.
/// </summary>
public sealed class BeancounterSet : IEquatable<BeancounterSet>
{
    private readonly UbcLimit[] _values;

    private BeancounterSet(UbcLimit[] values, long? avNumProc) => (_values, AvNumProc) = (values, avNumProc);

    /// <summary>Every parameter unlimited.</summary>
    public static BeancounterSet Unlimited { get; } =
        new(Enumerable.Repeat(UbcLimit.None, UbcParameters.All.Count).ToArray(), null);

    /// <summary>
    /// vzctl's AVNUMPROC: the expected average number of processes, used only by validation. When unset,
    /// validation uses numproc.barrier / 2, as vzcfgvalidate does.
    /// </summary>
    public long? AvNumProc { get; }

    public UbcLimit this[UbcResource resource] => _values[(int)resource];

    /// <summary>The average process count validation uses: <see cref="AvNumProc"/>, else numproc.barrier / 2.</summary>
    public long EffectiveAvNumProc
    {
        get
        {
            if (AvNumProc is { } av)
            {
                return av;
            }

            var numproc = this[UbcResource.NumProc].Barrier;
            return numproc == UbcLimit.Unlimited ? UbcLimit.Unlimited : numproc / 2;
        }
    }

    public BeancounterSet With(UbcResource resource, UbcLimit value)
    {
        var copy = (UbcLimit[])_values.Clone();
        copy[(int)resource] = value;
        return new BeancounterSet(copy, AvNumProc);
    }

    public BeancounterSet WithAvNumProc(long? avNumProc) => new((UbcLimit[])_values.Clone(), avNumProc);

    /// <summary>The settings in DESIGN.md §3 order, with their parameters.</summary>
    public IEnumerable<(UbcParameter Parameter, UbcLimit Value)> Entries =>
        UbcParameters.All.Select(p => (p, this[p.Resource]));

    /// <summary>
    /// Applies vzctl-syntax settings (<c>kmemsize</c> → <c>14M:16M</c>; names case-insensitive, a leading
    /// <c>--</c> allowed, <c>avnumproc</c> accepted) on top of <paramref name="baseSet"/> (default: all unlimited).
    /// Reports every bad name and value at once.
    /// </summary>
    /// <exception cref="HakoException">InvalidArgument with one entry per problem in <see cref="HakoException.Errors"/>.</exception>
    public static BeancounterSet Parse(IEnumerable<KeyValuePair<string, string>> settings, BeancounterSet? baseSet = null)
    {
        var set = baseSet ?? Unlimited;
        var errors = new List<string>();
        foreach (var (name, text) in settings)
        {
            if (string.Equals(name.TrimStart('-'), "avnumproc", StringComparison.OrdinalIgnoreCase))
            {
                // AVNUMPROC is written barrier:limit in ve-*.conf files; only the barrier is used.
                var numproc = UbcParameters.Get(UbcResource.NumProc) with { Name = "avnumproc" };
                if (UbcLimit.TryParse(numproc, text, out var av, out var avError))
                {
                    set = set.WithAvNumProc(av.Barrier);
                }
                else
                {
                    errors.Add(avError);
                }
            }
            else if (!UbcParameters.TryFind(name, out var parameter))
            {
                errors.Add($"'{name}' is not a beancounter; use one of {string.Join(", ", UbcParameters.All.Select(p => p.Name))}");
            }
            else if (UbcLimit.TryParse(parameter, text, out var value, out var error))
            {
                set = set.With(parameter.Resource, value);
            }
            else
            {
                errors.Add(error);
            }
        }

        return errors.Count == 0 ? set
            : throw new HakoException(Contracts.ErrorCode.InvalidArgument,
                errors.Count == 1 ? errors[0] : $"{errors.Count} beancounter settings are invalid: {string.Join("; ", errors)}", errors);
    }

    /// <summary>vzctl syntax for every parameter, e.g. for <c>hako plan show</c> or a config file.</summary>
    public IReadOnlyDictionary<string, string> ToVzctl() =>
        Entries.ToDictionary(e => e.Parameter.Name, e => e.Value.ToVzctl(e.Parameter.Unit));

    public bool Equals(BeancounterSet? other) =>
        other is not null && AvNumProc == other.AvNumProc && _values.AsSpan().SequenceEqual(other._values);

    public override bool Equals(object? obj) => Equals(obj as BeancounterSet);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(AvNumProc);
        foreach (var v in _values)
        {
            hash.Add(v);
        }

        return hash.ToHashCode();
    }

    public override string ToString() =>
        string.Join(" ", Entries.Select(e => $"--{e.Parameter.Name} {e.Value.ToVzctl(e.Parameter.Unit)}"));
}
