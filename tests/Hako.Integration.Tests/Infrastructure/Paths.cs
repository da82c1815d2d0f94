namespace Hako.Integration.Tests.Infrastructure;

internal static class Paths
{
    /// <summary>The repo root: the folder holding Hako.sln above the test's bin folder.</summary>
    public static string Repo { get; } = FindRepo();

    /// <summary>hakod.dll built in the same configuration as this test assembly (test.sh builds the whole solution).</summary>
    public static string Hakod => Built(Path.Combine("src", "Hako.Daemon"), "hakod.dll");

    /// <summary>
    /// How to run the hako CLI: $HAKO_TEST_CLI (e.g. the Native AOT build, out/hako) if set, else
    /// `dotnet hako.dll` built like hakod.
    /// </summary>
    public static string[] Cli => Environment.GetEnvironmentVariable("HAKO_TEST_CLI") is { Length: > 0 } cli
        ? [cli]
        : ["dotnet", Built(Path.Combine("src", "Hako.Cli"), "hako.dll")];

    private static string Built(string project, string file)
    {
        var config = AppContext.BaseDirectory.Contains("/Release/", StringComparison.Ordinal) ? "Release" : "Debug";
        var path = Path.Combine(Repo, project, "bin", config, "net10.0", file);
        return File.Exists(path) ? path : throw new FileNotFoundException($"{path} is missing; build the solution first (./test.sh does)");
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
