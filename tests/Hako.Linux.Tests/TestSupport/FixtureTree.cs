namespace Hako.Linux.Tests.TestSupport;

/// <summary>The fixture trees under Fixtures/ (copied to the output directory), and writable copies of them.</summary>
internal sealed class FixtureTree : IDisposable
{
    private FixtureTree(string root) => Root = root;

    public string Root { get; }

    public static string PathOf(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", name);

    /// <summary>A private copy of a fixture tree in a temp directory, deleted on dispose.</summary>
    public static FixtureTree Copy(string name)
    {
        var source = PathOf(name);
        var target = Path.Combine(Path.GetTempPath(), $"hako-{name}-{Guid.NewGuid():N}");
        foreach (var dir in Directory.EnumerateDirectories(source, "*", SearchOption.AllDirectories))
        {
            Directory.CreateDirectory(Path.Combine(target, Path.GetRelativePath(source, dir)));
        }

        Directory.CreateDirectory(target);
        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            File.Copy(file, Path.Combine(target, Path.GetRelativePath(source, file)));
        }

        return new FixtureTree(target);
    }

    public string Read(string relative) => File.ReadAllText(Path.Combine(Root, relative));

    public void Write(string relative, string text) => File.WriteAllText(Path.Combine(Root, relative), text);

    public void Dispose() => Directory.Delete(Root, recursive: true);
}
