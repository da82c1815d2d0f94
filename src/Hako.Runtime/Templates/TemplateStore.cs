using System.Security.Cryptography;
using System.Text.Json;
using Hako.Contracts;
using Hako.Core.Errors;
using Hako.Core.Validation;
using Hako.Linux.Files;

namespace Hako.Runtime.Templates;

/// <summary>
/// Templates on disk: each is <c>&lt;dataDir&gt;/templates/&lt;name&gt;/rootfs</c>, prepared once for the
/// shared unprivileged id range and then used read-only as every container's overlay lowerdir,
/// plus <c>template.json</c> so the store describes itself. A template is built in a
/// <c>.tmp-&lt;name&gt;-&lt;random&gt;</c> directory and renamed into place only when complete, so a crash
/// never leaves a half template under its real name.
/// </summary>
public sealed partial class TemplateStore
{
    public const int DefaultUidBase = 100000;

    /// <summary>Ids a container sees: 0..65535, mapped to uidBase..uidBase+65535 on the host.</summary>
    public const int UidRange = 65536;

    private const string MetadataFile = "template.json";
    private const string StagingPrefix = ".tmp-";
    private const string RemovingPrefix = ".rm-";

    private readonly TimeProvider _time;

    public TemplateStore(string dataDir, int uidBase = DefaultUidBase, TimeProvider? time = null)
    {
        if (uidBase <= 0)
        {
            throw HakoException.Invalid($"Uid shift base {uidBase} is invalid; use the start of the unprivileged range, e.g. {DefaultUidBase}");
        }

        TemplatesDir = Path.Join(Path.GetFullPath(dataDir), "templates");
        UidBase = uidBase;
        _time = time ?? TimeProvider.System;
    }

    public string TemplatesDir { get; }

    public int UidBase { get; }

    public bool Exists(string name) =>
        Names.CheckName(name, "Template name") is null && File.Exists(Path.Join(TemplateDir(name), MetadataFile));

    /// <summary>The template, or null when there is none by that name.</summary>
    public Template? Get(string name) => Exists(name) ? Read(name) : null;

    public IReadOnlyList<Template> List()
    {
        if (!Directory.Exists(TemplatesDir))
        {
            return [];
        }

        return Directory.EnumerateDirectories(TemplatesDir)
            .Select(Path.GetFileName)
            .OfType<string>()
            .Where(n => !n.StartsWith('.') && Exists(n))
            .Order(StringComparer.Ordinal)
            .Select(Read)
            .ToList();
    }

    /// <summary>
    /// Deletes a template. The caller (hakod) has checked that no container uses it. The directory is
    /// renamed away first, so an interrupted delete never leaves a partial template under the name.
    /// </summary>
    public void Remove(string name)
    {
        if (!Exists(name))
        {
            throw HakoException.NotFound($"Template '{name}' does not exist; see the list of templates");
        }

        var doomed = Path.Join(TemplatesDir, $"{RemovingPrefix}{name}-{RandomSuffix()}");
        Directory.Move(TemplateDir(name), doomed);
        Directory.Delete(doomed, recursive: true);
    }

    /// <summary>
    /// Deletes staging and half-deleted directories left by a crash. Call it when hakod starts,
    /// before any build runs (it would delete a build in progress). Returns how many it removed.
    /// </summary>
    public int RemoveLeftovers()
    {
        if (!Directory.Exists(TemplatesDir))
        {
            return 0;
        }

        var leftovers = Directory.EnumerateDirectories(TemplatesDir)
            .Where(d => Path.GetFileName(d) is { } n && (n.StartsWith(StagingPrefix) || n.StartsWith(RemovingPrefix)))
            .ToList();
        foreach (var d in leftovers)
        {
            Directory.Delete(d, recursive: true);
        }

        return leftovers.Count;
    }

    private string TemplateDir(string name) => Path.Join(TemplatesDir, name);

    private Template Read(string name)
    {
        var path = Path.Join(TemplateDir(name), MetadataFile);
        Template? t;
        try
        {
            t = JsonSerializer.Deserialize(File.ReadAllText(path), TemplateJsonContext.Default.Template);
        }
        catch (JsonException e)
        {
            throw new HakoException(ErrorCode.Internal,
                $"Metadata of template '{name}' ({path}) is unreadable: {e.Message}; remove the template and build or import it again", e);
        }

        if (t is null || t.Name != name)
        {
            throw new HakoException(ErrorCode.Internal,
                $"Metadata of template '{name}' ({path}) names '{t?.Name}'; remove the template and build or import it again");
        }

        return t with { RootfsPath = Path.Join(TemplateDir(name), "rootfs") };
    }

    /// <summary>Rejects a bad or taken name before any work is done.</summary>
    private void CheckNewName(string name)
    {
        if (Names.CheckName(name, "Template name") is { } error)
        {
            throw HakoException.Invalid(error);
        }

        if (Directory.Exists(TemplateDir(name)))
        {
            throw new HakoException(ErrorCode.AlreadyExists,
                $"Template '{name}' already exists; choose another name or remove it first");
        }
    }

    private static string RandomSuffix() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));

    /// <summary>What a source-specific step learned about the rootfs it made.</summary>
    private sealed record RootfsFacts(string Origin, string Init, string HaltSignal, string? Description = null, string? Dropped = null);

    /// <summary>
    /// The shared part of every build: make a staging dir, let <paramref name="fill"/> create
    /// staging/rootfs (reporting 0..<paramref name="fillEnd"/>%), then shift ids, hash, write
    /// template.json and rename into place. Any failure deletes the staging dir.
    /// </summary>
    private async Task<Template> MakeAsync(string name, string source, int fillEnd,
        IProgress<(int Percent, string Step)>? progress, CancellationToken ct,
        Func<string, Task<RootfsFacts>> fill)
    {
        CheckNewName(name);
        Directory.CreateDirectory(TemplatesDir);
        var staging = Path.Join(TemplatesDir, $"{StagingPrefix}{name}-{RandomSuffix()}");
        Directory.CreateDirectory(staging);
        try
        {
            var rootfs = Path.Join(staging, "rootfs");
            var facts = await fill(rootfs);
            ct.ThrowIfCancellationRequested();

            var shiftEnd = fillEnd + ((99 - fillEnd) * 2 / 3);
            progress?.Report((fillEnd, "listing files"));
            var entries = await FileTree.ListAsync(rootfs, ct);
            IdShift.Shift(rootfs, entries, (uint)UidBase, UidRange,
                Scaled(progress, fillEnd, shiftEnd, $"shifting ownership to {UidBase}+"), ct);
            if (Template.CheckLxcValues(facts.Init, facts.HaltSignal) is [_, ..] bad)
            {
                throw new HakoException(ErrorCode.InvalidArgument, $"Template '{name}': {string.Join("; ", bad)}", bad);
            }

            var stats = TreeHash.Compute(rootfs, entries, Template.HashedFields(facts.Init, facts.HaltSignal, UidBase),
                Scaled(progress, shiftEnd, 99, "hashing"), ct);

            var template = new Template
            {
                Name = name,
                Source = source,
                Origin = facts.Origin,
                SizeBytes = stats.SizeBytes,
                Files = stats.Files,
                ContentHash = stats.ContentHash,
                CreatedAt = _time.GetUtcNow(),
                Init = facts.Init,
                HaltSignal = facts.HaltSignal,
                UidBase = UidBase,
                Description = facts.Description,
                Dropped = facts.Dropped,
            };
            await File.WriteAllTextAsync(Path.Join(staging, MetadataFile),
                JsonSerializer.Serialize(template, TemplateJsonContext.Default.Template) + "\n", ct);

            ct.ThrowIfCancellationRequested();
            try
            {
                Directory.Move(staging, TemplateDir(name));
            }
            catch (IOException e) when (Directory.Exists(TemplateDir(name)))
            {
                throw new HakoException(ErrorCode.AlreadyExists,
                    $"Template '{name}' was created by another request while this one was building; use it or remove it first", e);
            }

            progress?.Report((100, "done"));
            return template with { RootfsPath = Path.Join(TemplateDir(name), "rootfs") };
        }
        catch
        {
            DeleteQuietly(staging);
            throw;
        }
    }

    private static void DeleteQuietly(string dir)
    {
        try
        {
            if (Directory.Exists(dir))
            {
                Directory.Delete(dir, recursive: true);
            }
        }
        catch (IOException)
        {
            // Left for RemoveLeftovers at the next start; the original error matters more.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    /// <summary>Maps a step's own 0..100 onto from..to of the whole operation.</summary>
    private static IProgress<int>? Scaled(IProgress<(int Percent, string Step)>? progress, int from, int to, string step) =>
        progress is null ? null : new SyncProgress(p => progress.Report((from + ((to - from) * p / 100), step)));

    /// <summary>Reports on the calling thread, unlike <see cref="Progress{T}"/> which posts to the thread pool.</summary>
    private sealed class SyncProgress(Action<int> report) : IProgress<int>
    {
        public void Report(int value) => report(value);
    }
}
