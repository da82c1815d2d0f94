namespace Hako.Capacity.Tests;

/// <summary>Finds the shared Bitbrains trace next to the repository, as the issue asks.</summary>
internal static class TestData
{
    /// <summary>The trace directory, or null with the reason it is missing.</summary>
    public static (string? Path, string Reason) Bitbrains()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(System.IO.Path.Combine(dir.FullName, "Hako.sln")))
        {
            dir = dir.Parent;
        }
        if (dir is null)
        {
            return (null, $"no Hako.sln above {AppContext.BaseDirectory}");
        }
        var trace = System.IO.Path.GetFullPath(System.IO.Path.Combine(dir.FullName, "..", "shared", "data", "bitbrains-rnd-2013-7"));
        return Directory.Exists(trace) ? (trace, "") : (null, $"Bitbrains trace not found at {trace}");
    }

    private static readonly Lazy<Hako.Capacity.Backtest.Trace?> Parsed = new(() =>
        Bitbrains().Path is { } p ? Hako.Capacity.Backtest.BitbrainsTraceReader.Read(p) : null);

    /// <summary>The trace parsed once per test run (skips the test when it is missing).</summary>
    public static Hako.Capacity.Backtest.Trace BitbrainsTrace()
    {
        var (path, reason) = Bitbrains();
        Skip.If(path is null, reason);
        return Parsed.Value!;
    }
}
