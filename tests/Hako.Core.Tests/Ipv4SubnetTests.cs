using Hako.Core.Errors;
using Hako.Core.Network;

namespace Hako.Core.Tests;

public sealed class Ipv4SubnetTests
{
    private static readonly Ipv4Subnet Net = Ipv4Subnet.Parse("10.77.0.0/24");

    [Fact]
    public void Parse_NormalisesAndGivesGateway()
    {
        var s = Ipv4Subnet.Parse("10.77.0.9/24");
        Assert.Equal("10.77.0.0/24", s.ToString());
        Assert.Equal("10.77.0.1", s.Gateway.ToString());
        Assert.Equal(254, s.HostCount);
    }

    [Theory]
    [InlineData("10.77.0.0")]
    [InlineData("10.77.0.0/33")]
    [InlineData("fe80::/64")]
    [InlineData("banana/24")]
    public void Parse_Garbage_Throws(string cidr) =>
        Assert.Equal(Contracts.ErrorCode.InvalidArgument, Assert.Throws<HakoException>(() => Ipv4Subnet.Parse(cidr)).Code);

    [Fact]
    public void Allocate_SkipsGatewayAndTaken()
    {
        Assert.Equal("10.77.0.2", Net.Allocate(new HashSet<string>()));
        Assert.Equal("10.77.0.4", Net.Allocate(new HashSet<string> { "10.77.0.2", "10.77.0.3" }));
    }

    [Fact]
    public void Allocate_FullSubnet_ReturnsNull()
    {
        var small = Ipv4Subnet.Parse("10.1.1.0/30"); // .1 gateway, .2 the only host
        Assert.Null(small.Allocate(new HashSet<string> { "10.1.1.2" }));
    }

    [Theory]
    [InlineData("10.77.1.5", "outside")]
    [InlineData("10.77.0.1", "gateway")]
    [InlineData("10.77.0.255", "broadcast")]
    [InlineData("10.77.0.7", "already used")]
    [InlineData("10.77.0", "not an IPv4")]
    public void CheckRequested_Refuses(string ip, string why) =>
        Assert.Contains(why, Net.CheckRequested(ip, new HashSet<string> { "10.77.0.7" }));

    [Fact]
    public void CheckRequested_FreeAddress_IsFine() => Assert.Null(Net.CheckRequested("10.77.0.50", new HashSet<string>()));
}
