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
}
