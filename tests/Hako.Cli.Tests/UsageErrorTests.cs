namespace Hako.Cli.Tests;

public sealed class UsageErrorTests
{
    [Theory]
    [InlineData("")]
    [InlineData("frobnicate")]
    [InlineData("create web1")]
    [InlineData("create web1 --template busybox --cpus two")]
    [InlineData("stop web1 --timeout soon")]
    [InlineData("start")]
    [InlineData("exec web1")]
    [InlineData("set web1")]
    [InlineData("set web1 --onboot maybe")]
    [InlineData("template")]
    [InlineData("list --no-such-option")]
    [InlineData("create web1 -t busybox --ioprio 8")]
    [InlineData("create web1 -t busybox --cpuunits 7")]
    [InlineData("set web1 --cpuunits 500001")]
    [InlineData("create web1 -t busybox --mode vswap")]
    [InlineData("set web1 --kind cheap")]
    [InlineData("set web1 --iopslimit lots")]
    [InlineData("plan")]
    [InlineData("plan show")]
    [InlineData("plan split 0")]
    [InlineData("plan split ten")]
    [InlineData("validate")]
    [InlineData("ubc web1 web2")]
    public async Task BadCommandLine_ExitsWith2_AndSaysWhy(string commandLine)
    {
        var args = commandLine.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        // The socket does not exist: a usage error must be reported before any request is tried.
        var run = await new TestCli("/nonexistent/hako.sock").RunAsync(args);

        Assert.Equal(2, run.ExitCode);
        Assert.StartsWith("error: ", run.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("hakod is not running", run.Stderr, StringComparison.Ordinal);
        Assert.Equal("", run.Stdout);
    }

    [Fact]
    public async Task Help_ExitsWith0()
    {
        var run = await new TestCli().RunAsync("create", "--help");

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("--cpulimit", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("8..500000", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("--numproc", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("--guarantee-memory", run.Stdout, StringComparison.Ordinal);
    }
}
