namespace Hako.Integration.Tests.Infrastructure;

internal static class Paths
{
    /// <summary>The repo root: the folder holding Hako.sln above the test's bin folder.</summary>
    public static string Repo { get; } = FindRepo();

    /// <summary>hakod.dll built in the same configuration as this test assembly (test.sh builds the whole solution).</summary>
    public static string Hakod
    {
        get
        {
            var config = AppContext.BaseDirectory.Contains("/Release/", StringComparison.Ordinal) ? "Release" : "Debug";
            var path = Path.Combine(Repo, "src", "Hako.Daemon", "bin", config, "net10.0", "hakod.dll");
            return File.Exists(path) ? path : throw new FileNotFoundException($"{path} is missing; build the solution first (./test.sh does)");
        }
    }

    private static string FindRepo()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Hako.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new DirectoryNotFoundException("Hako.sln not found above " + AppContext.BaseDirectory);
    }
}
