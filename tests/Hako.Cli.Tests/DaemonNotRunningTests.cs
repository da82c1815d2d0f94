namespace Hako.Cli.Tests;

public sealed class DaemonNotRunningTests
{
    [Theory]
    [InlineData("list")]
    [InlineData("node")]
    [InlineData("start", "web1")]
    [InlineData("exec", "web1", "--", "true")]
    public async Task Command_WithNoSocket_Exits1_NamingPathAndHowToStartHakod(params string[] command)
    {
        var socket = Path.Join(Path.GetTempPath(), "hako-missing-" + Guid.NewGuid().ToString("N"), "hako.sock");

        var run = await new TestCli().RunAsync(["--socket", socket, .. command]);

        Assert.Equal(1, run.ExitCode);
        Assert.Contains($"error: hakod is not running (no socket at {socket})", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("./run.sh", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("hakod --data-dir /var/lib/hako &", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("HAKO_SOCKET", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HakoSocketVariable_IsUsed_WhenNoOption()
    {
        var socket = "/nonexistent/from-env.sock";

        var run = await new TestCli(socket).RunAsync("list");

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("no socket at /nonexistent/from-env.sock", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StaleSocketFile_IsReportedAsNotRunning()
    {
        var directory = Directory.CreateTempSubdirectory("hako-stale-").FullName;
        try
        {
            var socket = Path.Join(directory, "hako.sock");
            // Bind then close: the socket file stays but nobody listens (hakod crashed).
            using (var listener = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.Unix,
                System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Unspecified))
            {
                listener.Bind(new System.Net.Sockets.UnixDomainSocketEndPoint(socket));
            }

            var run = await new TestCli(socket).RunAsync("list");

            Assert.Equal(1, run.ExitCode);
            Assert.Contains("hakod is not running", run.Stderr, StringComparison.Ordinal);
            Assert.Contains(socket, run.Stderr, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task Version_WithoutDaemon_StillPrintsClientVersion()
    {
        var run = await new TestCli("/nonexistent/hako.sock").RunAsync("version");

        Assert.Equal(0, run.ExitCode);
        Assert.StartsWith("hako ", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("hakod is not running", run.Stderr, StringComparison.Ordinal);
    }
}
