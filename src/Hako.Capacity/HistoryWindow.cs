using System.Runtime.CompilerServices;

namespace Hako.Capacity;

/// <summary>
/// The recorded buckets of every container, aligned to bucket indexes and kept between snapshots,
/// so that a new snapshot costs one pass over the series instead of re-aligning every record.
/// hakod appends the buckets the usage store gained, forgets those that left the window, and
/// builds a snapshot whenever the history or a commitment changed. A container whose buckets and
/// window did not change keeps its filled series (the same arrays), so after a create or a
/// <c>set</c> only the commitments are new, and <see cref="Planning.NodeModel.Prepare"/> reuses
/// the statistics of those arrays. <see cref="SnapshotBuilder.Build"/> is this from scratch;
/// the rules are on <see cref="SnapshotBuilder"/>. Not thread-safe: the caller serializes.
/// </summary>
public sealed class HistoryWindow
{
    private readonly Dictionary<string, Track> _tracks = new(StringComparer.Ordinal);
    private readonly long _bucketTicks;

    public HistoryWindow(TimeSpan bucketLength)
    {
        if (bucketLength <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(bucketLength), bucketLength, "The bucket length must be positive.");
        }
        BucketLength = bucketLength;
        _bucketTicks = bucketLength.Ticks;
    }

    public TimeSpan BucketLength { get; }

    /// <summary>The containers that have a record.</summary>
    public IEnumerable<string> Names => _tracks.Keys;

    /// <summary>
    /// Records buckets of <paramref name="name"/>, in any order. A bucket recorded again keeps
    /// each metric's newest finite value; NaN = that metric was not recorded.
    /// </summary>
    /// <returns>Whether any bucket was recorded.</returns>
    public bool Append(string name, IEnumerable<BucketMean> buckets)
    {
        ArgumentNullException.ThrowIfNull(buckets);
        Track? track = null;
        foreach (var b in buckets)
        {
            if (track is null && !_tracks.TryGetValue(name, out track))
            {
                _tracks[name] = track = new Track();
            }
            track.Set(Index(b.Start), b.Cpu, b.Memory);
        }
        return track is not null;
    }

    /// <summary>The start of the newest recorded bucket of <paramref name="name"/>, if it has any.</summary>
    public DateTimeOffset? Last(string name) =>
        _tracks.TryGetValue(name, out var t) && t.Length > 0 ? Time(t.Start + t.Length - 1) : null;

    /// <summary>Forgets every bucket of <paramref name="name"/>.</summary>
    public bool Forget(string name) => _tracks.Remove(name);

    /// <summary>Forgets the buckets that start before <paramref name="start"/>.</summary>
    /// <returns>Whether any bucket was forgotten.</returns>
    public bool ForgetBefore(DateTimeOffset start)
    {
        // The first bucket index whose start is at or after `start`.
        var aligned = SnapshotBuilder.Align(start, BucketLength);
        var keep = Index(aligned) + (aligned < start ? 1 : 0);
        var changed = false;
        foreach (var track in _tracks.Values)
        {
            changed |= track.DropBefore(keep);
        }
        return changed;
    }

    /// <summary>
    /// The snapshot of <paramref name="containers"/> over [<paramref name="windowStart"/>,
    /// <paramref name="end"/>), exactly as <see cref="SnapshotBuilder"/> describes it.
    /// </summary>
    public BuiltSnapshot Build(
        ResourceVector capacity,
        IReadOnlyList<ContainerCommitments> containers,
        IReadOnlyList<PlanSpec> plans,
        DateTimeOffset windowStart,
        DateTimeOffset end)
    {
        ArgumentNullException.ThrowIfNull(containers);
        ArgumentNullException.ThrowIfNull(plans);
        var last = Index(SnapshotBuilder.Align(end, BucketLength)); // exclusive: the bucket holding `end` is not complete
        var from = Index(SnapshotBuilder.Align(windowStart, BucketLength));
        var first = last;
        var tracks = new Track?[containers.Count];
        for (var i = 0; i < containers.Count; i++)
        {
            tracks[i] = _tracks.GetValueOrDefault(containers[i].Name);
            if (tracks[i]?.FirstAtOrAfter(from) is { } f && f < first)
            {
                first = f;
            }
        }
        var n = (int)(last - first);
        var series = new Filled?[containers.Count];
        var cpu = new Memory<double>[containers.Count];
        var memory = new Memory<double>[containers.Count];
        var infos = new ContainerHistoryInfo[containers.Count];
        var limits = new ResourceVector[containers.Count];
        for (var i = 0; i < containers.Count; i++)
        {
            var c = containers[i];
            limits[i] = new ResourceVector(Finite(c.Limit.Cpu, capacity.Cpu), Finite(c.Limit.Memory, capacity.Memory));
            series[i] = tracks[i]?.Fill(first, n);
            if (series[i] is { } own)
            {
                (cpu[i], memory[i]) = (own.Cpu, own.Memory);
                infos[i] = new ContainerHistoryInfo(c.Name, own.FirstOwn > 0 ? HistorySource.OwnBackfilled : HistorySource.Own, own.Recorded, n - own.Recorded, null);
            }
            else
            {
                (cpu[i], memory[i]) = (new double[n], new double[n]);
                infos[i] = new ContainerHistoryInfo(c.Name, HistorySource.Limit, 0, n, null);
            }
        }

        // Containers without a record of their own: copy their plan's busiest container, else the limit.
        for (var i = 0; i < containers.Count; i++)
        {
            if (series[i] is not null)
            {
                continue;
            }
            var peerCpu = Busiest(containers, series, c => c.CpuMean, containers[i].Plan);
            var peerMemory = Busiest(containers, series, c => c.MemoryMean, containers[i].Plan);
            if (peerCpu >= 0 && peerMemory >= 0)
            {
                CopyCapped(cpu[peerCpu].Span, cpu[i].Span, limits[i].Cpu);
                CopyCapped(memory[peerMemory].Span, memory[i].Span, limits[i].Memory);
                infos[i] = infos[i] with { Source = HistorySource.PlanHistory, SourceContainer = containers[peerMemory].Name };
            }
            else
            {
                cpu[i].Span.Fill(limits[i].Cpu);
                memory[i].Span.Fill(limits[i].Memory);
            }
        }

        var usages = new ContainerUsage[containers.Count];
        for (var i = 0; i < containers.Count; i++)
        {
            usages[i] = new ContainerUsage
            {
                Name = containers[i].Name,
                Plan = containers[i].Plan,
                Guarantee = containers[i].Guarantee,
                Limit = limits[i],
                Cpu = cpu[i],
                Memory = memory[i],
            };
        }
        var snapshot = new NodeSnapshot
        {
            Capacity = capacity,
            Containers = usages,
            Plans = plans,
            Start = Time(first),
            BucketLength = BucketLength,
        };
        return new BuiltSnapshot(snapshot, infos, BucketLength * n);
    }

    private long Index(DateTimeOffset time) => (time.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / _bucketTicks;

    private DateTimeOffset Time(long index) => DateTimeOffset.UnixEpoch.AddTicks(index * _bucketTicks);

    private static double Finite(double limit, double capacity) => double.IsFinite(limit) ? limit : capacity;

    private static int Busiest(IReadOnlyList<ContainerCommitments> containers, Filled?[] series, Func<Filled, double> mean, string? plan)
    {
        var best = -1;
        var bestMean = double.NegativeInfinity;
        for (var j = 0; j < containers.Count; j++)
        {
            if (series[j] is { } own && string.Equals(containers[j].Plan, plan, StringComparison.Ordinal) && mean(own) > bestMean)
            {
                (best, bestMean) = (j, mean(own));
            }
        }
        return best;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void CopyCapped(ReadOnlySpan<double> source, Span<double> target, double cap)
    {
        for (var t = 0; t < source.Length; t++)
        {
            target[t] = Math.Min(source[t], cap);
        }
    }

    /// <summary>
    /// One container's series over a window: gaps carry the last value, the buckets before its
    /// first record hold its recorded peak, a metric never recorded stays 0. The series are views
    /// of longer buffers, so that when the window slides they can grow at the end in place: a
    /// view is never written to once made.
    /// </summary>
    private sealed class Filled(long first, int buckets, double[] cpu, double[] memory, int offset, int recorded, int firstCpu, int firstMemory)
    {
        private double? _cpuMean;
        private double? _memoryMean;

        public long First { get; } = first;
        public int Buckets { get; } = buckets;
        public long End => First + Buckets;
        public double[] CpuBuffer { get; } = cpu;
        public double[] MemoryBuffer { get; } = memory;
        public int Offset { get; } = offset;
        public Memory<double> Cpu => CpuBuffer.AsMemory(Offset, Buckets);
        public Memory<double> Memory => MemoryBuffer.AsMemory(Offset, Buckets);

        /// <summary>Buckets with a record of its own in the window.</summary>
        public int Recorded { get; } = recorded;

        /// <summary>Each metric's first bucket with a record (the length when never recorded).</summary>
        public int FirstCpu { get; } = firstCpu;
        public int FirstMemory { get; } = firstMemory;

        /// <summary>The first bucket with a record of its own.</summary>
        public int FirstOwn => Math.Min(FirstCpu, FirstMemory);

        public double CpuMean => _cpuMean ??= Mean(Cpu.Span);
        public double MemoryMean => _memoryMean ??= Mean(Memory.Span);

        /// <summary>The mean as Enumerable.Average computes it (a plain sum in order).</summary>
        private static double Mean(ReadOnlySpan<double> series)
        {
            var sum = 0.0;
            foreach (var v in series)
            {
                sum += v;
            }
            return series.IsEmpty ? 0 : sum / series.Length;
        }
    }

    /// <summary>
    /// One container's recorded buckets on absolute bucket indexes [Start, Start + Length), in
    /// arrays from <c>_offset</c>: NaN = not recorded; <c>_present</c> = a record exists (even
    /// with no finite value), which extends the node's history like any record.
    /// </summary>
    private sealed class Track
    {
        private double[] _cpu = [];
        private double[] _memory = [];
        private bool[] _present = [];
        private int _offset;
        private Filled? _filled;

        /// <summary>The smallest index recorded since the last fill.</summary>
        private long _changedFrom = long.MaxValue;

        /// <summary>Every index below this was forgotten since the last fill.</summary>
        private long _forgottenTo = long.MinValue;

        public long Start { get; private set; }
        public int Length { get; private set; }

        public void Set(long index, double cpu, double memory)
        {
            if (Length == 0)
            {
                Start = index;
                Reserve(0, 1);
            }
            else if (index < Start)
            {
                Reserve((int)(Start - index), (int)(Start - index) + Length);
                Start = index;
            }
            else if (index >= Start + Length)
            {
                Reserve(0, (int)(index - Start) + 1);
            }
            var slot = _offset + (int)(index - Start);
            if (double.IsFinite(cpu))
            {
                _cpu[slot] = Math.Max(0, cpu);
            }
            if (double.IsFinite(memory))
            {
                _memory[slot] = Math.Max(0, memory);
            }
            _present[slot] = true;
            _changedFrom = Math.Min(_changedFrom, index);
        }

        public bool DropBefore(long index)
        {
            var drop = (int)Math.Clamp(index - Start, 0, Length);
            if (drop == 0)
            {
                return false;
            }
            (Start, _offset, Length) = (Start + drop, _offset + drop, Length - drop);
            _forgottenTo = Start;
            return true;
        }

        /// <summary>The first index ≥ <paramref name="index"/> with a record.</summary>
        public long? FirstAtOrAfter(long index)
        {
            for (var i = (int)Math.Clamp(index - Start, 0, Length); i < Length; i++)
            {
                if (_present[_offset + i])
                {
                    return Start + i;
                }
            }
            return null;
        }

        /// <summary>The filled series over [first, first + n), or null without any finite value in it.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public Filled? Fill(long first, int n)
        {
            if (_filled is { } f && f.First == first && f.Buckets == n && _changedFrom >= f.End && _forgottenTo <= first)
            {
                return f;
            }
            var from = (int)Math.Clamp(Start - first, 0, n);
            var to = (int)Math.Clamp(Start + Length - first, from, n);
            var recorded = 0;
            for (var t = from; t < to; t++)
            {
                var slot = _offset + (int)(first - Start) + t;
                recorded += double.IsNaN(_cpu[slot]) && double.IsNaN(_memory[slot]) ? 0 : 1;
            }
            _filled = recorded == 0 ? null : Slide(first, n, recorded) ?? Refill(first, n, recorded, from, to);
            (_changedFrom, _forgottenTo) = (long.MaxValue, long.MinValue);
            return _filled;
        }

        /// <summary>
        /// The last filled series moved forward: the same values from <paramref name="first"/> on,
        /// then the new buckets. Only when that is what a refill gives: nothing changed inside the
        /// old window, nothing forgotten inside the new one, and each metric recorded in its first
        /// bucket (otherwise the peak is written before the first record, and that may change).
        /// </summary>
        private Filled? Slide(long first, int n, int recorded)
        {
            if (_filled is not { } f || first < f.First || first >= f.End || first + n < f.End || _changedFrom < f.End || _forgottenTo > first || first < Start
                || first >= Start + Length || f.FirstCpu != 0 || f.FirstMemory != 0
                || double.IsNaN(_cpu[_offset + (int)(first - Start)]) || double.IsNaN(_memory[_offset + (int)(first - Start)]))
            {
                return null;
            }
            var (cpu, memory, offset) = (f.CpuBuffer, f.MemoryBuffer, f.Offset + (int)(first - f.First));
            var kept = (int)(f.End - first);
            if (offset + n > cpu.Length)
            {
                (cpu, memory) = (Buffer(n), Buffer(n));
                Array.Copy(f.CpuBuffer, offset, cpu, 0, kept);
                Array.Copy(f.MemoryBuffer, offset, memory, 0, kept);
                offset = 0;
            }
            for (var t = kept; t < n; t++)
            {
                var (c, m) = Raw(first + t);
                cpu[offset + t] = double.IsNaN(c) ? cpu[offset + t - 1] : c;
                memory[offset + t] = double.IsNaN(m) ? memory[offset + t - 1] : m;
            }
            return new Filled(first, n, cpu, memory, offset, recorded, 0, 0);
        }

        private Filled Refill(long first, int n, int recorded, int from, int to)
        {
            var (cpu, memory) = (Buffer(n), Buffer(n));
            if (to > from)
            {
                var source = _offset + (int)(first + from - Start);
                Array.Copy(_cpu, source, cpu, from, to - from);
                Array.Copy(_memory, source, memory, from, to - from);
            }
            return new Filled(first, n, cpu, memory, 0, recorded, FillGaps(cpu.AsSpan(0, n)), FillGaps(memory.AsSpan(0, n)));
        }

        private (double Cpu, double Memory) Raw(long index) => index >= Start && index < Start + Length
            ? (_cpu[_offset + (int)(index - Start)], _memory[_offset + (int)(index - Start)])
            : (double.NaN, double.NaN);

        /// <summary>A buffer for a series of <paramref name="n"/> buckets with room to slide (NaN = not recorded).</summary>
        private static double[] Buffer(int n)
        {
            var buffer = GC.AllocateUninitializedArray<double>(n + n / 8 + 16);
            Array.Fill(buffer, double.NaN);
            return buffer;
        }

        /// <summary>
        /// Carries the last value over gaps (NaN) and writes the series' peak before its first
        /// record. Returns that first record's index (the length when there is none: then all 0).
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static int FillGaps(Span<double> series)
        {
            var firstSeen = 0;
            while (firstSeen < series.Length && double.IsNaN(series[firstSeen]))
            {
                firstSeen++;
            }
            if (firstSeen == series.Length)
            {
                // This metric was never recorded (another one was): nothing known, leave 0.
                series.Clear();
                return series.Length;
            }
            var peak = 0.0;
            for (var t = firstSeen; t < series.Length; t++)
            {
                if (double.IsNaN(series[t]))
                {
                    series[t] = series[t - 1];
                }
                else
                {
                    peak = Math.Max(peak, series[t]);
                }
            }
            series[..firstSeen].Fill(peak);
            return firstSeen;
        }

        /// <summary>
        /// Room for <paramref name="before"/> new slots before Start and <paramref name="length"/>
        /// slots from the new start; new slots are empty. Call with Start and Length unchanged.
        /// </summary>
        private void Reserve(int before, int length)
        {
            if (before > _offset || _offset - before + length > _cpu.Length)
            {
                // Doubling while the history is short (the first read appends a whole window, one bucket at a
                // time), then an eighth more than needed: appending a bucket and forgetting the oldest copies rarely.
                var size = length < 8192 ? 2 * length : length + length / 8;
                var cpu = new double[size];
                var memory = new double[size];
                var present = new bool[size];
                Array.Copy(_cpu, _offset, cpu, before, Length);
                Array.Copy(_memory, _offset, memory, before, Length);
                Array.Copy(_present, _offset, present, before, Length);
                (_cpu, _memory, _present, _offset) = (cpu, memory, present, before);
            }
            // Slots before the old start and after the old end may hold forgotten buckets.
            Clear(_offset - before, before);
            Clear(_offset + Length, length - before - Length);
            _offset -= before;
            Length = length;
        }

        private void Clear(int slot, int count)
        {
            if (count > 0)
            {
                Array.Fill(_cpu, double.NaN, slot, count);
                Array.Fill(_memory, double.NaN, slot, count);
                Array.Clear(_present, slot, count);
            }
        }
    }
}
