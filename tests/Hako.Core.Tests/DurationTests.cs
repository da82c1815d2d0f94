using Hako.Core.Errors;
using Hako.Core.Units;

namespace Hako.Core.Tests;

public sealed class DurationTests
{
    private static readonly DateTimeOffset Now = DateTimeOffset.Parse("2026-11-26T12:00:00Z", System.Globalization.CultureInfo.InvariantCulture);

    [Theory]
    [InlineData("90s", 90)]
    [InlineData("15m", 15 * 60)]
    [InlineData("12h", 12 * 3600)]
    [InlineData("30d", 30 * 86400)]
    [InlineData("2w", 14 * 86400)]
    [InlineData(" 1H ", 3600)]
    public void TryParse_OneUnit_GivesTheDuration(string text, int seconds)
    {
        Assert.True(Duration.TryParse(text, out var d));
        Assert.Equal(TimeSpan.FromSeconds(seconds), d);
    }

    [Theory]
    [InlineData("")]
    [InlineData("30")]
    [InlineData("d")]
    [InlineData("-1h")]
    [InlineData("1y")]
    [InlineData("1h30m")]
    public void TryParse_AnythingElse_IsRefused(string text) => Assert.False(Duration.TryParse(text, out _));

    [Fact]
    public void ParseSince_TakesADurationAgoOrAnIsoTime()
    {
        Assert.Equal(Now.AddHours(-1), Duration.ParseSince("1h", Now, "since"));
        Assert.Equal(Now.AddHours(-3), Duration.ParseSince("2026-11-26T09:00:00Z", Now, "since"));
        Assert.Equal(Now.AddHours(-3), Duration.ParseSince("2026-11-26T09:00:00", Now, "since")); // no offset: UTC
    }

    [Fact]
    public void ParseSince_Garbage_SaysWhatToWrite()
    {
        var e = Assert.Throws<HakoException>(() => Duration.ParseSince("yesterday", Now, "--since"));
        Assert.Equal("--since 'yesterday' is neither a duration nor a time; use e.g. 30m, 1h, 7d or 2026-11-26T12:00:00Z", e.Message);
    }

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
