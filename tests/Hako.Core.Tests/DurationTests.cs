using Hako.Core.Errors;
using Hako.Core.Units;

namespace Hako.Core.Tests;

public sealed class DurationTests
{
    [Theory]
    [InlineData("90s", 90)]
    [InlineData("5m", 300)]
    [InlineData("1.5h", 5400)]
    [InlineData("30d", 2592000)]
    [InlineData("2w", 1209600)]
    public void Parse_Units(string text, double seconds) => Assert.Equal(TimeSpan.FromSeconds(seconds), Duration.Parse(text, "x"));

    [Theory]
    [InlineData("")]
    [InlineData("5")]
    [InlineData("m")]
    [InlineData("-5m")]
    [InlineData("0s")]
    [InlineData("5y")]
    [InlineData("99999d")]
    public void Parse_Bad_SaysTheForms(string text) =>
        Assert.Contains("30s, 5m, 24h, 30d or 2w", Assert.Throws<HakoException>(() => Duration.Parse(text, "--since")).Message);

    [Theory]
    [InlineData(300, "5m")]
    [InlineData(86400, "1d")]
    [InlineData(90, "90s")]
    [InlineData(5400, "90m")]
    public void Format_ShortestExact(double seconds, string text) => Assert.Equal(text, Duration.Format(TimeSpan.FromSeconds(seconds)));
}
