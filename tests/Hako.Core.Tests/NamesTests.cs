using Hako.Core.Validation;

namespace Hako.Core.Tests;

public sealed class NamesTests
{
    [Theory]
    [InlineData("web1")]
    [InlineData("a")]
    [InlineData("customer-42-db")]
    public void CheckName_Valid(string name) => Assert.Null(Names.CheckName(name));

    [Theory]
    [InlineData("Web1")]
    [InlineData("1web")]
    [InlineData("web-")]
    [InlineData("web_1")]
    [InlineData("web.1")]
    [InlineData("")]
    public void CheckName_Invalid_SaysWhatToUse(string name) => Assert.Contains("e.g. web1", Names.CheckName(name));

    [Theory]
    [InlineData("web1.example.test", true)]
    [InlineData("web1", true)]
    [InlineData("-bad.example", false)]
    [InlineData("under_score", false)]
    public void CheckHostname(string host, bool ok) => Assert.Equal(ok, Names.CheckHostname(host) is null);

    [Theory]
    [InlineData("web1\n")]
    [InlineData("web1\r")]
    [InlineData("wéb1")]
    [InlineData("ｗeb1")]
    [InlineData("..")]
    [InlineData("a..b")]
    [InlineData("a/b")]
    [InlineData("a%2Fb")]
    [InlineData("web 1")]
    [InlineData("web1\0")]
    public void CheckName_HostileInput_IsRefused(string name) => Assert.NotNull(Names.CheckName(name));

    [Fact]
    public void CheckName_SixtyThreeCharacters_IsTheMost()
    {
        Assert.Null(Names.CheckName("a" + new string('b', 62)));
        Assert.Contains("1-63", Names.CheckName("a" + new string('b', 63)));
    }

    [Fact]
    public void CheckName_RefusedValue_IsShownWithControlCharactersEscaped() =>
        Assert.Contains("web1\\u000a", Names.CheckName("web1\n"));

    [Theory]
    [InlineData("web1.example.test\n")]
    [InlineData("web1..example")]
    [InlineData(".example")]
    [InlineData("example.")]
    [InlineData("wéb.example")]
    [InlineData("a-.example")]
    public void CheckHostname_HostileInput_IsRefused(string host) => Assert.NotNull(Names.CheckHostname(host));

    [Fact]
    public void CheckHostname_LabelsOf63_AndTotalOf253_AreTheMost()
    {
        var label = new string('a', 63);
        Assert.Null(Names.CheckHostname(label));
        Assert.NotNull(Names.CheckHostname(label + "a"));
        var longest = string.Join('.', label, label, label, new string('b', 61)); // 63*3 + 61 + 3 dots = 253
        Assert.Equal(253, longest.Length);
        Assert.Null(Names.CheckHostname(longest));
        Assert.NotNull(Names.CheckHostname(longest + "b"));
    }
}
