using Hako.Daemon.Options;

namespace Hako.Integration.Tests.Network;

public sealed class AntiSpoofOptionsTests
{
    [Fact]
    public void AntiSpoof_IsOnByDefault_AndOffWithTheFlagOrTheConfigFile()
    {
        Assert.True(HakodOptions.Parse(["--data-dir", "/tmp/x"]).AntiSpoof);
        Assert.False(HakodOptions.Parse(["--no-antispoof"]).AntiSpoof);

        var config = Path.GetTempFileName();
        try
        {
            File.WriteAllText(config, """{ "antiSpoof": false }""");
            Assert.False(HakodOptions.Parse(["--config", config]).AntiSpoof);
            File.WriteAllText(config, """{ "bridge": "hkx0" }""");
            Assert.True(HakodOptions.Parse(["--config", config]).AntiSpoof);
        }
        finally
        {
            File.Delete(config);
        }
    }
}
