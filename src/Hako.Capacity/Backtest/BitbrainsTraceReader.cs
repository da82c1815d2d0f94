using System.Globalization;

namespace Hako.Capacity.Backtest;

/// <summary>
/// Reads the Bitbrains GWA-T-12 per-VM CSV files (one file per VM, named by VM id).
/// </summary>
/// <remarks>
/// Format traps, from the trace's README: the separator is ';' followed by a TAB; the
/// "Timestamp [ms]" column holds Unix seconds; samples are every 300 s with per-VM phase offsets
/// and gaps; a row with "CPU capacity provisioned [MHZ]" = 0 means the VM was absent (demand 0).
/// Header: <c>Timestamp [ms];	CPU cores;	CPU capacity provisioned [MHZ];	CPU usage [MHZ];	CPU usage [%];
/// Memory capacity provisioned [KB];	Memory usage [KB];	...</c>. Units stay the trace's: CPU in
/// MHz, memory in KB.
/// </remarks>
public static class BitbrainsTraceReader
{
    private const int BucketSeconds = 300;

    /// <summary>Every <c>*.csv</c> in <paramref name="directory"/>, in VM id order.</summary>
    public static Trace Read(string directory)
    {
        if (!Directory.Exists(directory))
        {
            throw new DirectoryNotFoundException($"Bitbrains trace directory '{directory}' does not exist; pass the folder holding 1.csv, 2.csv, ...");
        }
        var files = Directory.GetFiles(directory, "*.csv")
            .OrderBy(f => int.TryParse(Path.GetFileNameWithoutExtension(f), out var id) ? id : int.MaxValue)
            .ThenBy(f => f, StringComparer.Ordinal)
            .ToList();
        if (files.Count == 0)
        {
            throw new FileNotFoundException($"No *.csv files in '{directory}'; is it the Bitbrains 'Rnd' or 'fastStorage' month folder?");
        }
        var rows = new Row[files.Count][];
        Parallel.For(0, files.Count, i => rows[i] = ReadRows(files[i]));

        long first = long.MaxValue, last = long.MinValue;
        foreach (var r in rows)
        {
            if (r.Length > 0)
            {
                first = Math.Min(first, r[0].Time);
                last = Math.Max(last, r[^1].Time);
            }
        }
        if (first == long.MaxValue)
        {
            throw new InvalidDataException($"The files in '{directory}' hold no samples.");
        }
        var origin = first / BucketSeconds * BucketSeconds;
        var count = (int)((last - origin) / BucketSeconds) + 1;
        var tenants = new TenantTrace[files.Count];
        for (var i = 0; i < files.Count; i++)
        {
            var aligner = new BucketAligner(origin, BucketSeconds, count);
            foreach (var row in rows[i])
            {
                if (row.CpuProvisioned == 0)
                {
                    // VM absent: no demand, nothing provisioned.
                    aligner.Set(row.Time, 0, 0, 0, 0);
                }
                else
                {
                    aligner.Set(row.Time, row.Cpu, row.CpuProvisioned, row.Memory, row.MemoryProvisioned);
                }
            }
            tenants[i] = aligner.Build(Path.GetFileNameWithoutExtension(files[i]));
        }
        return new Trace(DateTimeOffset.FromUnixTimeSeconds(origin), TimeSpan.FromSeconds(BucketSeconds), count, tenants);
    }

    internal readonly record struct Row(long Time, double CpuProvisioned, double Cpu, double MemoryProvisioned, double Memory);

    /// <summary>The rows of one VM file, sorted by time.</summary>
    internal static Row[] ReadRows(string path)
    {
        var rows = new List<Row>(9000);
        using var reader = new StreamReader(path);
        var lineNumber = 0;
        Span<Range> fields = stackalloc Range[12];
        while (reader.ReadLine() is { } line)
        {
            lineNumber++;
            if (lineNumber == 1 || line.Length == 0)
            {
                continue; // header
            }
            var span = line.AsSpan();
            var n = span.Split(fields, ';');
            if (n < 7)
            {
                throw new InvalidDataException($"{path}:{lineNumber}: expected at least 7 ';'-separated fields, found {n}.");
            }
            rows.Add(new Row(
                (long)Parse(span[fields[0]], path, lineNumber),
                Parse(span[fields[2]], path, lineNumber),
                Parse(span[fields[3]], path, lineNumber),
                Parse(span[fields[5]], path, lineNumber),
                Parse(span[fields[6]], path, lineNumber)));
        }
        rows.Sort((a, b) => a.Time.CompareTo(b.Time));
        return [.. rows];
    }

    private static double Parse(ReadOnlySpan<char> field, string path, int line)
    {
        // Fields start with the TAB that follows ';'; memory sizes use exponents ("2.097152E7").
        if (!double.TryParse(field.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || double.IsNaN(value))
        {
            throw new InvalidDataException($"{path}:{line}: '{field.Trim().ToString()}' is not a number.");
        }
        return value;
    }
}
