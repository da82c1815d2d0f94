using System.Text.Json;
using System.Text.Json.Serialization;
using Hako.Client;

namespace Hako.Cli;

/// <summary>One remote hakod as `hako remote add` stored it: its URL, token, and the pinned certificate.</summary>
internal sealed record RemoteEntry
{
    public required string Url { get; init; }
    public required string Token { get; init; }
    /// <summary>"sha256:..."; null only for a plain-HTTP loopback hakod (--insecure-http).</summary>
    public string? Fingerprint { get; init; }
}

internal sealed record RemoteFile
{
    public SortedDictionary<string, RemoteEntry> Remotes { get; init; } = new(StringComparer.Ordinal);
}

[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(RemoteFile))]
internal sealed partial class RemotesJsonContext : JsonSerializerContext;

/// <summary>
/// The remotes file, like incus's config.yml remotes: `$HAKO_CONFIG_DIR/remotes.json`, else
/// `$XDG_CONFIG_HOME/hako/remotes.json`, else `~/.config/hako/remotes.json`; mode 0600 (it holds tokens).
/// </summary>
internal sealed class Remotes
{
    public const string RemoteVariable = "HAKO_REMOTE";

    private Remotes(string path, RemoteFile file)
    {
        Path = path;
        File = file;
    }

    public string Path { get; }

    public RemoteFile File { get; }

    public static string Location(Func<string, string?> getVariable)
    {
        if (getVariable("HAKO_CONFIG_DIR") is { Length: > 0 } dir)
        {
            return System.IO.Path.Combine(dir, "remotes.json");
        }

        var config = getVariable("XDG_CONFIG_HOME") is { Length: > 0 } xdg
            ? xdg
            : System.IO.Path.Combine(getVariable("HOME") is { Length: > 0 } home ? home : "/root", ".config");
        return System.IO.Path.Combine(config, "hako", "remotes.json");
    }

    public static Remotes Load(Func<string, string?> getVariable)
    {
        var path = Location(getVariable);
        if (!System.IO.File.Exists(path))
        {
            return new Remotes(path, new RemoteFile());
        }

        try
        {
            var file = JsonSerializer.Deserialize(System.IO.File.ReadAllText(path), RemotesJsonContext.Default.RemoteFile);
            return new Remotes(path, file ?? new RemoteFile());
        }
        catch (JsonException e)
        {
            throw new CliException($"{path} is not a valid remotes file ({e.Message}); fix or remove it");
        }
    }

    public HakoEndpoint Endpoint(string name) =>
        File.Remotes.TryGetValue(name, out var r)
            ? HakoEndpoint.ForUrl(new Uri(r.Url), r.Token, r.Fingerprint)
            : throw new CliException($"No remote named '{name}'; add it with: hako remote add {name} https://HOST:PORT --token T (see hako remote list)");

    /// <summary>Written to a temp file created 0600, then renamed over the old one.</summary>
    public void Save()
    {
        var dir = System.IO.Path.GetDirectoryName(Path)!;
        Directory.CreateDirectory(dir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var temp = Path + ".tmp";
        System.IO.File.Delete(temp);
        using (var f = new FileStream(temp, new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.Write,
            UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
        }))
        {
            JsonSerializer.Serialize(f, File, RemotesJsonContext.Default.RemoteFile);
        }

        System.IO.File.Move(temp, Path, overwrite: true);
    }
}
