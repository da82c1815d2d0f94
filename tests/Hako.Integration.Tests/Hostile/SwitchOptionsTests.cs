using Hako.Core.Errors;
using Hako.Daemon.Options;

namespace Hako.Integration.Tests.Hostile;

/// <summary>hakod's operator switches: off by default, on by flag or JSON config, and the upload cap parsed strictly.</summary>
public sealed class SwitchOptionsTests
{

    [Fact]
    public void Switches_AreOffByDefault()
    {
        var o = new HakodOptions();
        Assert.False(o.AllowPrivileged);
        Assert.False(o.AllowUnlimitedDisk);
        Assert.Equal(8L << 30, o.MaxTemplateSizeBytes);
    }

    [Fact]
    public void Switches_AreOnWithTheirFlags()
    {
        var o = HakodOptions.Parse(["--node-name", "n1", "--allow-privileged", "--allow-unlimited-disk", "--max-template-size", "512M"]);
        Assert.True(o.AllowPrivileged);
        Assert.True(o.AllowUnlimitedDisk);
        Assert.Equal(512L << 20, o.MaxTemplateSizeBytes);
    }

    [Fact]
    public void Switches_AreOnFromTheJsonConfig()
    {
        var file = Path.Combine(Path.GetTempPath(), $"hakod-switches-{Environment.ProcessId}.json");
        File.WriteAllText(file, """{ "nodeName": "n1", "allowPrivileged": true, "allowUnlimitedDisk": true }""");
        try
        {
            var o = HakodOptions.Parse(["--config", file]);
            Assert.True(o.AllowPrivileged);
            Assert.True(o.AllowUnlimitedDisk);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Theory]
    [InlineData("99999999999999999999P", "too big")]
    [InlineData("unlimited", "not unlimited")]
    [InlineData("lots", "is not a size")]
    public void MaxTemplateSize_Bad_IsRefusedAtStart(string value, string expected)
    {
        var e = Assert.Throws<HakoException>(() => HakodOptions.Parse(["--node-name", "n1", "--max-template-size", value]));
        Assert.Contains(e.Errors!, m => m.Contains(expected, StringComparison.Ordinal));
    }
}
