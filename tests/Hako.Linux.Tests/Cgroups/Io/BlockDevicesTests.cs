using Hako.Linux.Cgroups.Io;
using Hako.Linux.Tests.TestSupport;

namespace Hako.Linux.Tests.Cgroups.Io;

/// <summary>Against Fixtures/sys-block (see its SOURCES.md).</summary>
public sealed class BlockDevicesTests
{
    private static readonly string Sys = FixtureTree.PathOf("sys-block");

    [Fact]
    public void LoopDeviceOf_BoundImage_IsItsMajorMinor() =>
        Assert.Equal("7:3", BlockDevices.LoopDeviceOf("/var/lib/hako/private/web1.img", Sys));

    [Fact]
    public void LoopDeviceOf_ImageWithoutLoop_IsNull() =>
        Assert.Null(BlockDevices.LoopDeviceOf("/var/lib/hako/private/db1.img", Sys));

    [Theory]
    [InlineData("7:3", "none")]
    [InlineData("254:0", "mq-deadline")]
    [InlineData("253:0", null)]
    [InlineData("9:9", null)]
    public void Scheduler_IsTheBracketedName(string device, string? scheduler) =>
        Assert.Equal(scheduler, BlockDevices.Scheduler(device, Sys));
}
