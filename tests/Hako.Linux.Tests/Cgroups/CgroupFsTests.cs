using Hako.Contracts;
using Hako.Core.Errors;
using Hako.Linux.Cgroups;
using Hako.Linux.Tests.TestSupport;

namespace Hako.Linux.Tests.Cgroups;

public sealed class CgroupFsTests
{
    private static readonly CgroupFs V1 = new(FixtureTree.PathOf("cgroup-v1"), CgroupVersion.V1);
    private static readonly CgroupFs V2 = new(FixtureTree.PathOf("cgroup-v2"), CgroupVersion.V2);

    [Theory]
    [InlineData("9223372036854771712", null)] // v1 memory.limit_in_bytes when unlimited
    [InlineData("9223372036854775807", null)]
    [InlineData("max", null)]
    [InlineData("-1", null)] // v1 cpu.cfs_quota_us
    [InlineData("33554432", 33554432L)]
    [InlineData("0", 0L)]
    public void ParseLimit_ReadsKernelSpellingsOfUnlimited(string text, long? expected) =>
        Assert.Equal(expected, CgroupFs.ParseLimit(text + "\n", "test"));

    [Theory]
    [InlineData("memory/g/memory.limit_in_bytes", "-1")]
    [InlineData("memory/g/memory.memsw.limit_in_bytes", "-1")]
    [InlineData("cpu/g/cpu.cfs_quota_us", "-1")]
    [InlineData("pids/g/pids.max", "max")] // v1 pids.max rejects -1 with EINVAL
    public void FormatLimit_OnV1_UsesEachFilesSpellingOfUnlimited(string file, string expected) =>
        Assert.Equal(expected, V1.FormatLimit(null, file));

    [Theory]
    [InlineData("g/memory.max")]
    [InlineData("g/memory.swap.max")]
    [InlineData("g/pids.max")]
    public void FormatLimit_OnV2_UsesMax(string file) => Assert.Equal("max", V2.FormatLimit(null, file));

    [Fact]
    public void WriteLimitThenRead_RoundTripsUnlimitedAndValues()
    {
        using var v1Tree = FixtureTree.Copy("cgroup-v1");
        var v1 = new CgroupFs(v1Tree.Root, CgroupVersion.V1);
        using var v2Tree = FixtureTree.Copy("cgroup-v2");
        var v2 = new CgroupFs(v2Tree.Root, CgroupVersion.V2);
        foreach (var (fs, file) in new[]
                 {
                     (v1, "memory/hako-node1/web1/memory.limit_in_bytes"),
                     (v1, "pids/hako-node1/web1/pids.max"),
                     (v1, "cpu/hako-node1/web1/cpu.cfs_quota_us"),
                     (v2, "hako-node1/web1/memory.max"),
                     (v2, "hako-node1/web1/pids.max"),
                 })
        {
            foreach (var value in new long?[] { null, 1234, null, 0 })
            {
                fs.WriteLimit(file, value);
                Assert.True(fs.TryReadLimit(file, out var read));
                Assert.Equal(value, read);
            }
        }
    }

    [Fact]
    public void Write_ReplacesTheWholeFile()
    {
        using var tree = FixtureTree.Copy("cgroup-v1");
        var fs = new CgroupFs(tree.Root, CgroupVersion.V1);
        fs.Write("memory/hako-node1/web1/memory.limit_in_bytes", "4096");
        Assert.Equal("4096", tree.Read("memory/hako-node1/web1/memory.limit_in_bytes"));
    }

    [Fact]
    public void Write_ToMissingCgroup_IsNotFoundAndCreatesNothing()
    {
        using var tree = FixtureTree.Copy("cgroup-v1");
        var fs = new CgroupFs(tree.Root, CgroupVersion.V1);
        var e = Assert.Throws<HakoException>(() => fs.Write("memory/hako-node1/nope/memory.limit_in_bytes", "1"));
        Assert.Equal(ErrorCode.NotFound, e.Code);
        Assert.Contains("is the container running", e.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(tree.Root, "memory/hako-node1/nope")));
    }

    [Fact]
    public void Write_ToMissingFileOfExistingCgroup_IsUnsupportedAndCreatesNothing()
    {
        using var tree = FixtureTree.Copy("cgroup-v2");
        var fs = new CgroupFs(tree.Root, CgroupVersion.V2);
        var e = Assert.Throws<HakoException>(() => fs.Write("hako-node1/web1/io.max", "8:0 wbps=1"));
        Assert.Equal(ErrorCode.Unsupported, e.Code);
        Assert.False(File.Exists(Path.Combine(tree.Root, "hako-node1/web1/io.max")));
    }

    [Fact]
    public void ReadKeyValues_ParsesV1OomControl()
    {
        // Real file: "oom_kill_disable 0\nunder_oom 0\noom_kill 1"
        var values = V1.ReadKeyValues("memory/hako-node1/web1/memory.oom_control");
        Assert.NotNull(values);
        Assert.Equal(0, values["oom_kill_disable"]);
        Assert.Equal(0, values["under_oom"]);
        Assert.Equal(1, values["oom_kill"]);
    }

    [Fact]
    public void ReadKeyValues_ParsesPidsEvents() =>
        Assert.Equal(1, CgroupFs.Value(V1.ReadKeyValues("pids/hako-node1/web1/pids.events"), "max"));

    [Fact]
    public void Reads_OfMissingFiles_AreNull()
    {
        Assert.Null(V1.ReadString("memory/hako-node1/nope/memory.stat"));
        Assert.Null(V1.ReadLong("memory/hako-node1/web1/memory.nope"));
        Assert.Null(V1.ReadKeyValues("memory/hako-node1/web1/memory.nope"));
        Assert.False(V1.TryReadLimit("memory/hako-node1/web1/memory.nope", out _));
    }

    [Fact]
    public void ReadLong_OfGarbage_SaysWhichFile()
    {
        using var tree = FixtureTree.Copy("cgroup-v1");
        tree.Write("memory/hako-node1/web1/memory.failcnt", "lots\n");
        var fs = new CgroupFs(tree.Root, CgroupVersion.V1);
        var e = Assert.Throws<HakoException>(() => fs.ReadLong("memory/hako-node1/web1/memory.failcnt"));
        Assert.Contains("memory.failcnt", e.Message, StringComparison.Ordinal);
    }
}
