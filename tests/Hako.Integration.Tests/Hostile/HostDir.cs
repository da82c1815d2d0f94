using System.Security.Cryptography;

namespace Hako.Integration.Tests.Hostile;

/// <summary>
/// A directory on the host that a hostile tenant points its symlinks at, holding one canary file with a unique
/// content: nothing may appear in it, the canary must not change, and its content must never show up in a container.
/// </summary>
public sealed class HostDir : IDisposable
{
    public HostDir()
    {
        Path = Directory.CreateTempSubdirectory("hako-hostile-").FullName;
        Canary = $"HAKO-HOSTILE-CANARY-{Guid.NewGuid():N}";
        File.WriteAllText(CanaryPath, Canary + "\n");
        CanarySha256 = Hash();
    }

    public string Path { get; }

    public string Canary { get; }

    public string CanaryPath => System.IO.Path.Join(Path, "canary");

    public string CanarySha256 { get; }

    private string Hash() => Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(CanaryPath)));

    /// <summary>Only the canary is there, unchanged, with its own mode and owner.</summary>
    public void AssertUntouched()
    {
        Assert.Equal(["canary"], Directory.GetFileSystemEntries(Path).Select(System.IO.Path.GetFileName));
        Assert.Equal(CanarySha256, Hash());
    }

    /// <summary>Files below <paramref name="tree"/> whose bytes hold the canary; symlinks are never followed (.NET's own recursion follows them).</summary>
    public List<string> FilesHoldingCanary(string tree)
    {
        var found = new List<string>();
        var pending = new Stack<string>([tree]);
        while (pending.Count > 0)
        {
            var dir = pending.Pop();
            if (!Directory.Exists(dir) || new DirectoryInfo(dir).LinkTarget is not null)
            {
                continue;
            }

            // The tenant's loop keeps renaming and removing entries while this walks: what vanished is skipped.
            try
            {
                foreach (var entry in new DirectoryInfo(dir).EnumerateFileSystemInfos("*", new EnumerationOptions { AttributesToSkip = 0, IgnoreInaccessible = true }))
                {
                    try
                    {
                        if (entry.LinkTarget is not null)
                        {
                            continue;
                        }

                        if (entry is DirectoryInfo)
                        {
                            pending.Push(entry.FullName);
                        }
                        else if (entry is FileInfo { Length: < (1 << 20) } f && File.ReadAllText(f.FullName).Contains(Canary, StringComparison.Ordinal))
                        {
                            found.Add(f.FullName);
                        }
                    }
                    catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
                    {
                    }
                }
            }
            catch (DirectoryNotFoundException)
            {
            }
        }

        return found;
    }

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
