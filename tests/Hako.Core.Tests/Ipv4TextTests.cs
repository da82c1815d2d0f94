using Hako.Core.Network;

namespace Hako.Core.Tests;

public sealed class Ipv4TextTests
{
    [Theory]
    [InlineData("192.0.2.53")]
    [InlineData("0.0.0.0")]
    [InlineData("255.255.255.255")]
    [InlineData("10.0.0.1")]
    public void TryParse_FourDecimalOctets_IsAccepted(string text)
    {
        Assert.True(Ipv4Text.TryParse(text, out var ip));
        Assert.Equal(text, ip.ToString());
    }

    [Theory]
    [InlineData("1.2.3")]        // IPAddress.Parse: 1.2.0.3
    [InlineData("127.1")]        // 127.0.0.1
    [InlineData("010.1.1.1")]    // octal 8.1.1.1
    [InlineData("0x7f.0.0.1")]   // hex
    [InlineData("2130706433")]   // one number
    [InlineData("1.2.3.256")]
    [InlineData("1.2.3.4.5")]
    [InlineData("1.2.3.4\n")]
    [InlineData(" 1.2.3.4")]
    [InlineData("1.2.3.-4")]
    [InlineData("١.٢.٣.٤")]
    [InlineData("")]
    public void TryParse_LegacyOrOddForms_AreRefused(string text) => Assert.False(Ipv4Text.TryParse(text, out _));

    [Theory]
    [InlineData("192.0.2.53", true)]
    [InlineData("2001:db8::53", true)]
    [InlineData("::ffff:192.0.2.1", true)]
    [InlineData("fe80::1%eth0", false)]
    [InlineData("1.2.3", false)]
    [InlineData("2001:db8::53\noptions rotate", false)]
    [InlineData("[2001:db8::1]", false)]
    public void IsNameserver(string text, bool ok) => Assert.Equal(ok, Ipv4Text.IsNameserver(text));
}
