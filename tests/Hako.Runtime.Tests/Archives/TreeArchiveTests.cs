using System.Formats.Tar;
using Hako.Contracts;
using Hako.Core.Errors;
using Hako.Linux.Files;
using Hako.Linux.Processes;
using Hako.Runtime.Archives;

namespace Hako.Runtime.Tests.Archives;

/// <summary>Hako's tar carries what an overlay upper dir holds, byte-exact, and refuses every way out of the target root.</summary>
public sealed class TreeArchiveTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("hako-archive-").FullName;
    private readonly string _src;
    private readonly string _dst;
    private readonly string _host;

    public TreeArchiveTests()
    {
        _src = Path.Join(_dir, "src");
        _dst = Path.Join(_dir, "dst");
        _host = Path.Join(_dir, "host");
        Directory.CreateDirectory(_src);
        Directory.CreateDirectory(_dst);
        Directory.CreateDirectory(_host);
        File.WriteAllText(Path.Join(_host, "canary"), "host secret");
    }

    public void Dispose() => Directory.Delete(_dir, true);

    private static async Task<string> Stat(string path, string format = "%u %g %a %F %h %t:%T %Y") =>
        (await ProcessRunner.CheckAsync("stat", ["-c", format, path])).Trim();

    private async Task<(PackResult Pack, ExtractResult Extract)> RoundTripAsync(IEnumerable<string>? paths = null, ExtractPolicy? policy = null, bool live = false)
    {
        using var buffer = new MemoryStream();
        PackResult pack;
        using (var src = RootedDirectory.Open(_src))
        {
            pack = paths is null
                ? await TreeArchive.PackTreeAsync(src, buffer)
                : await TreeArchive.PackAsync(src, paths, buffer, live);
        }

        buffer.Position = 0;
        using var dst = RootedDirectory.Open(_dst);
        return (pack, await TreeArchive.ExtractAsync(buffer, dst, policy ?? ExtractPolicy.Migration));
    }

    [SkippableFact]
    public async Task RoundTrip_KeepsOwnersModesXattrsWhiteoutsOpaqueDirsHardLinksSymlinksAndMtimes()
    {
        Skip.IfNot(Environment.UserName == "root", "mknod, chown and trusted.* xattrs need root");
        Directory.CreateDirectory(Path.Join(_src, "opaque", "sub"));
        await File.WriteAllTextAsync(Path.Join(_src, "file"), "hello");
        await File.WriteAllTextAsync(Path.Join(_src, "empty"), "");
        await ProcessRunner.CheckAsync("chown", ["100000:100007", Path.Join(_src, "file")]);
        await ProcessRunner.CheckAsync("chmod", ["4750", Path.Join(_src, "file")]);
        await ProcessRunner.CheckAsync("ln", [Path.Join(_src, "file"), Path.Join(_src, "opaque", "link")]);
        await ProcessRunner.CheckAsync("mknod", [Path.Join(_src, "whiteout"), "c", "0", "0"]);
        await ProcessRunner.CheckAsync("setfattr", ["-n", "trusted.overlay.opaque", "-v", "y", Path.Join(_src, "opaque")]);
        // A binary value with NULs and high bytes (a v2 security.capability has the same shape).
        await ProcessRunner.CheckAsync("setfattr", ["-n", "trusted.hako.bin", "-v", "0x0001ff00fe", Path.Join(_src, "file")]);
        File.CreateSymbolicLink(Path.Join(_src, "abs"), _host);
        await ProcessRunner.CheckAsync("touch", ["-h", "-d", "2020-01-02 03:04:05.123456789", Path.Join(_src, "abs")]);
        await ProcessRunner.CheckAsync("touch", ["-d", "2021-01-02 03:04:05.987654321", Path.Join(_src, "opaque")]);

        await RoundTripAsync();

        Assert.Equal("100000 100007 4750 regular file 2 0:0 " + await Stat(Path.Join(_src, "file"), "%Y"), await Stat(Path.Join(_dst, "file")));
        Assert.Equal(await Stat(Path.Join(_dst, "file"), "%i"), await Stat(Path.Join(_dst, "opaque", "link"), "%i"));
        Assert.Equal("hello", await File.ReadAllTextAsync(Path.Join(_dst, "file")));
        Assert.Equal(0, new FileInfo(Path.Join(_dst, "empty")).Length);
        Assert.StartsWith("0 0 644 character special file 1 0:0", await Stat(Path.Join(_dst, "whiteout")));
        Assert.Equal("y", (await ProcessRunner.CheckAsync("getfattr", ["--only-values", "-n", "trusted.overlay.opaque", Path.Join(_dst, "opaque")])).Trim());
        Assert.Contains("0x0001ff00fe", await ProcessRunner.CheckAsync("getfattr", ["-e", "hex", "-n", "trusted.hako.bin", Path.Join(_dst, "file")]));
        Assert.Equal(_host, new FileInfo(Path.Join(_dst, "abs")).LinkTarget);
        Assert.Equal(await Stat(Path.Join(_src, "abs"), "%y"), await Stat(Path.Join(_dst, "abs"), "%y"));
        Assert.Equal(await Stat(Path.Join(_src, "opaque"), "%y"), await Stat(Path.Join(_dst, "opaque"), "%y"));
        Assert.Single(Directory.GetFiles(_host)); // the absolute symlink was stored, never followed
    }

    [SkippableFact]
    public async Task Pack_OfAPathUnderASymlink_SkipsItLive_AndFailsFrozen_NeverReadingTheHost()
    {
        Skip.IfNot(Environment.UserName == "root", "reads as root like hakod");
        File.CreateSymbolicLink(Path.Join(_src, "a"), _host);

        var (pack, extract) = await RoundTripAsync(["a", "a/canary"], live: true);

        Assert.Equal(["a/canary"], pack.Skipped);
        Assert.Equal('l', pack.Packed["a"].Type);
        Assert.Equal(1, extract.Entries);
        Assert.False(File.Exists(Path.Join(_dst, "canary")));
        var e = await Assert.ThrowsAsync<HakoException>(() => RoundTripAsync(["a/canary"], live: false));
        Assert.Equal(ErrorCode.Conflict, e.Code);
    }

    [SkippableFact]
    public async Task Extract_ReplacesASymlinkWhereTheArchiveHasADirectory_AndWritesBelowIt()
    {
        Skip.IfNot(Environment.UserName == "root", "chown needs root");
        Directory.CreateDirectory(Path.Join(_src, "a"));
        await File.WriteAllTextAsync(Path.Join(_src, "a", "evil"), "tenant");
        File.CreateSymbolicLink(Path.Join(_dst, "a"), _host); // left by an earlier pass

        await RoundTripAsync(["a", "a/evil"]);

        Assert.Null(new DirectoryInfo(Path.Join(_dst, "a")).LinkTarget);
        Assert.Equal("tenant", await File.ReadAllTextAsync(Path.Join(_dst, "a", "evil")));
        Assert.Equal(["canary"], Directory.GetFiles(_host).Select(Path.GetFileName));
    }

    [SkippableFact]
    public async Task Extract_OfAnEntryBelowASymlinkOnTheTarget_IsRefusedAndWritesNothingOnTheHost()
    {
        Skip.IfNot(Environment.UserName == "root", "chown needs root");
        File.CreateSymbolicLink(Path.Join(_dst, "a"), _host);
        using var archive = new MemoryStream();
        await using (var w = new TarWriter(archive, TarEntryFormat.Pax, leaveOpen: true))
        {
            var e = new PaxTarEntry(TarEntryType.RegularFile, "a/evil") { DataStream = new MemoryStream("x"u8.ToArray()) };
            await w.WriteEntryAsync(e);
        }

        archive.Position = 0;
        using var dst = RootedDirectory.Open(_dst);
        var error = await Assert.ThrowsAsync<HakoException>(() => TreeArchive.ExtractAsync(archive, dst, ExtractPolicy.Migration));

        Assert.Equal(ErrorCode.InvalidArgument, error.Code);
        Assert.Equal(["canary"], Directory.GetFiles(_host).Select(Path.GetFileName));
    }

    [Theory]
    [InlineData("../x", TarEntryType.RegularFile, null)]
    [InlineData("/etc/x", TarEntryType.RegularFile, null)]
    [InlineData("ok/../../x", TarEntryType.Directory, null)]
    [InlineData("hard", TarEntryType.HardLink, "../../etc/passwd")]
    [InlineData("hard", TarEntryType.HardLink, "/etc/passwd")]
    public async Task Extract_OfAnEscapingEntry_IsRefused(string name, TarEntryType type, string? link)
    {
        using var archive = new MemoryStream();
        await using (var w = new TarWriter(archive, TarEntryFormat.Pax, leaveOpen: true))
        {
            var e = new PaxTarEntry(type, name);
            if (link is not null)
            {
                e.LinkName = link;
            }

            await w.WriteEntryAsync(e);
        }

        archive.Position = 0;
        using var dst = RootedDirectory.Open(_dst);
        var error = await Assert.ThrowsAsync<HakoException>(() => TreeArchive.ExtractAsync(archive, dst, ExtractPolicy.Migration));

        Assert.Equal(ErrorCode.InvalidArgument, error.Code);
        Assert.Empty(Directory.GetFileSystemEntries(_dst));
    }

    [SkippableFact]
    public async Task RoundTrip_OfALargeFile_StreamsWithSmallMemoryAndKeepsHoles()
    {
        Skip.IfNot(Environment.UserName == "root", "chown needs root");
        var big = Path.Join(_src, "big");
        await using (var f = new FileStream(big, FileMode.CreateNew))
        {
            var chunk = new byte[1 << 20];
            Random.Shared.NextBytes(chunk);
            for (var i = 0; i < 256; i++)
            {
                await f.WriteAsync(chunk);
            }

            f.SetLength(f.Length + (512L << 20)); // a 512 MB hole at the end
        }

        var before = GC.GetTotalAllocatedBytes(precise: true);
        var pipe = new System.IO.Pipelines.Pipe(new System.IO.Pipelines.PipeOptions(pauseWriterThreshold: 4 << 20, resumeWriterThreshold: 2 << 20, minimumSegmentSize: 128 << 10));
        using (var src = RootedDirectory.Open(_src))
        using (var dst = RootedDirectory.Open(_dst))
        {
            var pack = Task.Run(async () =>
            {
                await using var sink = pipe.Writer.AsStream();
                await TreeArchive.PackAsync(src, ["big"], sink, live: false);
            });
            await TreeArchive.ExtractAsync(pipe.Reader.AsStream(), dst, ExtractPolicy.Migration);
            await pack;
        }

        // A file held whole would allocate at least its 768 MB; streaming allocates buffers only.
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - before;
        Assert.True(allocated < 64L << 20, $"{allocated >> 20} MB allocated to move a 768 MB file");
        Assert.Equal(new FileInfo(big).Length, new FileInfo(Path.Join(_dst, "big")).Length);
        var sums = await ProcessRunner.CheckAsync("sha256sum", [big, Path.Join(_dst, "big")]);
        var lines = sums.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(lines[0].Split(' ')[0], lines[1].Split(' ')[0]);
        var blocks = long.Parse(await Stat(Path.Join(_dst, "big"), "%b"));
        Assert.True(blocks * 512 < 300L << 20, $"the hole was written out ({blocks * 512 >> 20} MB allocated)");
    }

    [SkippableFact]
    public async Task TemplatePolicy_DropsDevicesCapabilitiesAndForeignSetuid_KeepsWhiteoutsOut()
    {
        Skip.IfNot(Environment.UserName == "root", "mknod and security.capability need root");
        await ProcessRunner.CheckAsync("mknod", [Path.Join(_src, "sda"), "b", "8", "0"]);
        await File.WriteAllTextAsync(Path.Join(_src, "suid"), "x");
        await ProcessRunner.CheckAsync("chmod", ["4755", Path.Join(_src, "suid")]);
        await File.WriteAllTextAsync(Path.Join(_src, "ping"), "x");
        await ProcessRunner.CheckAsync("setcap", ["cap_net_raw+ep", Path.Join(_src, "ping")]);
        await File.WriteAllTextAsync(Path.Join(_src, "shifted-suid"), "x");
        await ProcessRunner.CheckAsync("chown", ["100000:100000", Path.Join(_src, "shifted-suid")]);
        await ProcessRunner.CheckAsync("chmod", ["4755", Path.Join(_src, "shifted-suid")]);

        var (_, result) = await RoundTripAsync(policy: ExtractPolicy.Template(100000, 65536, ownersMustBeInRange: false));

        Assert.False(File.Exists(Path.Join(_dst, "sda")));
        Assert.Equal(1, result.DroppedDevices);
        Assert.Equal(1, result.DroppedCapabilities);
        Assert.Equal(1, result.DroppedSetIdBits);
        Assert.StartsWith("0 0 755 ", await Stat(Path.Join(_dst, "suid")));
        Assert.StartsWith("100000 100000 4755 ", await Stat(Path.Join(_dst, "shifted-suid")));
        Assert.DoesNotContain("cap_net_raw", await ProcessRunner.CheckAsync("getcap", [Path.Join(_dst, "ping")]));
    }

    [SkippableFact]
    public async Task TemplatePolicy_WithOwnersOutsideTheRange_IsRefused()
    {
        Skip.IfNot(Environment.UserName == "root", "chown needs root");
        await File.WriteAllTextAsync(Path.Join(_src, "root-owned"), "x");

        var e = await Assert.ThrowsAsync<HakoException>(() => RoundTripAsync(policy: ExtractPolicy.Template(100000, 65536, ownersMustBeInRange: true)));

        Assert.Equal(ErrorCode.InvalidArgument, e.Code);
        Assert.Contains("outside 100000-165535", e.Message);
    }
}
