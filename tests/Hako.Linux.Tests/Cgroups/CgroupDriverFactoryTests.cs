using Hako.Contracts;
using Hako.Core.Errors;
using Hako.Linux.Cgroups;
using Hako.Linux.Tests.TestSupport;

namespace Hako.Linux.Tests.Cgroups;

public sealed class CgroupDriverFactoryTests
{
    [Fact]
    public void Detect_OnV1Tree_IsV1() => Assert.Equal("v1", CgroupDriverFactory.Detect(FixtureTree.PathOf("cgroup-v1")).Version);

    [Fact]
    public void Detect_OnV2Tree_IsV2() => Assert.Equal("v2", CgroupDriverFactory.Detect(FixtureTree.PathOf("cgroup-v2")).Version);

    [Fact]
    public void Detect_OnEmptyTree_RefusesEveryUseAsUnsupported()
    {
        var root = Directory.CreateTempSubdirectory("hako-nocgroup-").FullName;
        try
        {
            var driver = CgroupDriverFactory.Detect(root);
            Assert.Equal("none", driver.Version);
            Assert.False(driver.SwapLimitSupported);
            var uses = new Action[]
            {
                () => driver.LxcConfigLines(new ResourceLimits(), null),
                () => driver.Apply("hako-node1/web1", new ResourceLimits(), null),
                () => driver.ReadStats("hako-node1/web1"),
                () => driver.IsPopulated("hako-node1/web1"),
            };
            foreach (var use in uses)
            {
                var e = Assert.Throws<HakoException>(use);
                Assert.Equal(ErrorCode.Unsupported, e.Code);
                Assert.Contains(root, e.Message, StringComparison.Ordinal);
            }
        }
        finally
        {
            Directory.Delete(root);
        }
    }

    [SkippableFact]
    public void Detect_OnThisHost_FindsADriver()
    {
        Skip.IfNot(Directory.Exists(CgroupDriverFactory.DefaultRoot), "no /sys/fs/cgroup on this host");
        Assert.NotEqual("none", CgroupDriverFactory.Detect().Version);
    }
}
