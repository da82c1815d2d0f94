using Hako.Core.Errors;
using Hako.Core.Units;

namespace Hako.Core.Tests;

public sealed class SizeTests
{
    [Theory]
    [InlineData("512", 512L)]
    [InlineData("64K", 65536L)]
    [InlineData("256M", 268435456L)]
    [InlineData("2G", 2147483648L)]
    [InlineData("1.5G", 1610612736L)]
    [InlineData("2GiB", 2147483648L)]
    [InlineData("10P", 40960L)]
    public void Parse_WithSuffix_ReturnsBytes(string text, long expected) =>
        Assert.Equal(expected, Size.Parse(text, "Memory"));

    [Fact]
    public void Parse_Unlimited_ReturnsNull() => Assert.Null(Size.Parse("unlimited", "Disk"));

    [Theory]
    [InlineData("5X")]
    [InlineData("-1G")]
    [InlineData("")]
    [InlineData("G")]
    public void Parse_Garbage_ThrowsWithHint(string text)
    {
        var e = Assert.Throws<HakoException>(() => Size.Parse(text, "Disk quota"));
        Assert.Contains("is not a size; use e.g.", e.Message);
    }

    [Theory]
    [InlineData(268435456L, "256M")]
    [InlineData(1610612736L, "1.5G")]
    [InlineData(100L, "100")]
    public void Format_RoundNumbers(long bytes, string expected) => Assert.Equal(expected, Size.Format(bytes));

    [Theory]
    [InlineData("99999999999999999999P")]
    [InlineData("99999999999999999999999999999999T")]
    [InlineData("9223372036854775807")]
    [InlineData("8388608T")]
    [InlineData("1025T")]
    public void Parse_Huge_IsRefusedAsTooBig_NeverOverflows(string text)
    {
        var e = Assert.Throws<HakoException>(() => Size.Parse(text, "--disk"));
        Assert.Contains("is too big; the most Hako takes is 1024T", e.Message);
    }

    [Fact]
    public void Parse_TheMaximum_IsAccepted() => Assert.Equal(Size.Max, Size.Parse("1024T", "--disk"));

    [Theory]
    [InlineData("1e9")]
    [InlineData("+5G")]
    [InlineData("1.2.3G")]
    [InlineData("٣G")]
    [InlineData("5G\n5G")]
    [InlineData(".")]
    public void Parse_OddForms_AreNotSizes(string text)
    {
        var e = Assert.Throws<HakoException>(() => Size.Parse(text, "--disk"));
        Assert.Contains("is not a size", e.Message);
    }
}
