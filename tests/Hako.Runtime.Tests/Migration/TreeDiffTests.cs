using Hako.Runtime.Migration;

namespace Hako.Runtime.Tests.Migration;

public sealed class TreeDiffTests
{
    private static TreeEntry F(string path, long size = 10, ulong inode = 1, string m = "1.0", string c = "1.0", char type = 'f') =>
        new(path, type, size, inode, m, c);

    [Fact]
    public void Parse_ReadsFindOutput_WithTheRootAsDot_AndNamesWithSpacesAndNewlines()
    {
        var output = "d 4096 2 1764165600.1000000000 1764165600.2000000000\0\0" +
                     "f 12 4711 1764165600.1234567890 1764165601.0000000000\0etc/my file\nx\0" +
                     "c 0 99 1.0 1.0\0etc/deleted\0";
        var entries = TreeScan.Parse(output);
        Assert.Equal([".", "etc/my file\nx", "etc/deleted"], entries.Select(e => e.Path));
        Assert.Equal(('f', 12L, 4711UL), (entries[1].Type, entries[1].Size, entries[1].Inode));
        Assert.Equal("1764165601.0000000000", entries[1].CTime);
        Assert.Equal('c', entries[2].Type);
    }

    [Fact]
    public void FirstPass_SendsEverything_InScanOrder()
    {
        var plan = TreeDiff.Compute(null, [F(".", type: 'd', size: 4096), F("etc", type: 'd', size: 4096), F("etc/hostname", size: 6)]);
        Assert.Equal([".", "etc", "etc/hostname"], plan.Send);
        Assert.Empty(plan.Delete);
        Assert.Equal((3 * TreeDiff.HeaderBytes) + 6, plan.Bytes);
    }

    [Fact]
    public void LaterPass_SendsOnlyWhatChanged_AnyOfSizeInodeMtimeCtime()
    {
        TreeEntry[] before = [F("a"), F("b"), F("c"), F("d"), F("e")];
        TreeEntry[] now = [F("a"), F("b", size: 11), F("c", inode: 2), F("d", m: "2.0"), F("e", c: "2.0")];
        var plan = TreeDiff.Compute(before.ToDictionary(e => e.Path), now);
        Assert.Equal(["b", "c", "d", "e"], plan.Send);
        Assert.Empty(plan.Delete);
    }

    [Fact]
    public void Deletions_AreListed_OnlyTheTopmostOfADeletedTree()
    {
        TreeEntry[] before = [F("keep"), F("gone"), F("dir", type: 'd'), F("dir/x"), F("dir/sub", type: 'd'), F("dir/sub/y")];
        var plan = TreeDiff.Compute(before.ToDictionary(e => e.Path), [F("keep")]);
        Assert.Equal(["dir", "gone"], plan.Delete);
        Assert.True(plan.IsEmpty is false);
        Assert.Empty(plan.Send);
    }

    [Fact]
    public void TypeChange_DeletesFirst_ThenSends()
    {
        var plan = TreeDiff.Compute(new[] { F("x") }.ToDictionary(e => e.Path), [F("x", type: 'd', size: 4096), F("x/inner")]);
        Assert.Equal(["x"], plan.Delete);
        Assert.Equal(["x", "x/inner"], plan.Send);
    }

    [Fact]
    public void Unchanged_IsEmpty()
    {
        TreeEntry[] tree = [F("."), F("a")];
        Assert.True(TreeDiff.Compute(tree.ToDictionary(e => e.Path), tree).IsEmpty);
    }

    [Theory]
    [InlineData("etc/passwd", true)]
    [InlineData("a b/c", true)]
    [InlineData("../etc/passwd", false)]
    [InlineData("a/../../b", false)]
    [InlineData("/etc/passwd", false)]
    [InlineData(".", false)]
    [InlineData("a//b", false)]
    [InlineData("", false)]
    public void IsPlainRelative_RefusesAnythingThatCouldLeaveTheRoot(string path, bool safe) =>
        Assert.Equal(safe, Hako.Linux.Files.RootedDirectory.IsPlainRelative(path));

    [Fact]
    public void Sent_ForgetsAnEntryPackedAsAnotherTypeThanScanned_AndEverythingBelowIt()
    {
        // Scanned as a directory holding two files; by the time it was read, "a" was a symlink (the tenant's swap).
        TreeEntry[] scan = [F("."), new("a", 'd', 0, 5, "1", "1"), F("a/evil"), F("a/old"), F("b")];
        var plan = TreeDiff.Compute(null, scan);
        var packed = new Hako.Runtime.Archives.PackResult(
            new Dictionary<string, (char, ulong)> { ["a"] = ('l', 9), ["b"] = ('f', 1) }, ["a/evil"], 0);

        var sent = TreeDiff.Sent(scan, plan, packed);

        Assert.Equal([".", "b"], sent.Keys.Order(StringComparer.Ordinal));
        // The next pass sends "a" and all below it again, whatever it is then.
        Assert.Equal(["a", "a/evil", "a/old"], TreeDiff.Compute(sent, scan).Send);
    }
}

public sealed class PassPlannerTests
{
    private static readonly PassPlanner Planner = new() { SmallEnoughBytes = 1000, ShrinkRatio = 0.8, MaxLivePasses = 5 };

    [Fact]
    public void AfterTheFirstPass_ASmallRest_Freezes() => Assert.True(Planner.ShouldFreeze(1, 1000, 50_000));

    [Fact]
    public void AfterTheFirstPass_ALargeRest_CopiesAgain_EvenIfLarger() => Assert.False(Planner.ShouldFreeze(1, 60_000, 50_000));

    [Fact]
    public void ShrinkingRest_CopiesAgain() => Assert.False(Planner.ShouldFreeze(2, 10_000, 50_000));

    [Fact]
    public void RestThatStopsShrinking_Freezes() => Assert.True(Planner.ShouldFreeze(2, 45_000, 50_000));

    [Fact]
    public void AfterMaxPasses_Freezes() => Assert.True(Planner.ShouldFreeze(5, 5_000, 50_000));
}
