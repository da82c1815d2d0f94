using Hako.Linux.Processes;

namespace Hako.Runtime.Tests.Templates;

/// <summary>A temp directory deleted with everything in it when the test ends.</summary>
internal sealed class TempDir : IDisposable
{
    public TempDir() => Directory.CreateDirectory(Path);

    public string Path { get; } = System.IO.Path.Join(System.IO.Path.GetTempPath(), "hako-test-" + Guid.NewGuid().ToString("N")[..12]);

    public string Sub(string relative) => System.IO.Path.Join(Path, relative);

    public void Dispose()
    {
        if (Directory.Exists(Path))
        {
            Directory.Delete(Path, recursive: true);
        }
    }
}

internal static class TestHost
{
    public const string NeedsRoot = "needs root: templates are chowned into the unprivileged uid range";

    public static bool IsRoot => Environment.UserName == "root";

    /// <summary>`stat` of the path itself (symlinks not followed): "uid:gid octal-mode type".</summary>
    public static async Task<string> StatAsync(string path) =>
        (await ProcessRunner.CheckAsync("stat", ["-c", "%u:%g %a %F", path])).Trim();

    public static Task RunAsync(string file, params string[] args) => ProcessRunner.CheckAsync(file, args);

    /// <summary>Names left in a templates dir, including staging leftovers.</summary>
    public static string[] Leftovers(string dataDir)
    {
        var templates = Path.Join(dataDir, "templates");
        return Directory.Exists(templates)
            ? Directory.GetFileSystemEntries(templates).Select(Path.GetFileName).OfType<string>().Order().ToArray()
            : [];
    }
}

/// <summary>Collects progress on the reporting thread, in order.</summary>
internal sealed class ProgressLog : IProgress<(int Percent, string Step)>
{
    public List<(int Percent, string Step)> Reports { get; } = [];

    public void Report((int Percent, string Step) value) => Reports.Add(value);
}
