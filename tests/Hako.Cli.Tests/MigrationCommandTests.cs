using System.CommandLine;
using Hako.Cli.Commands;
using Hako.Cli.Output;
using Hako.Contracts;

namespace Hako.Cli.Tests;

public sealed class MigrationCommandTests
{
    private static (T Command, ParseResult Result) Parse<T>(string commandLine)
        where T : Command
    {
        var result = HakoCli.BuildRoot(new TestCli().Environment()).Parse(commandLine);
        Assert.Empty(result.Errors);
        return ((T)result.CommandResult.Command, result);
    }

    [Fact]
    public void Migrate_MapsTargetAndFlags()
    {
        var (command, result) = Parse<MigrateCommand>("migrate web1 node2 --offline --criu --ip 10.1.2.30");
        var request = command.ToRequest(result);
        Assert.Equal("node2", request.Target);
        Assert.True(request.Offline);
        Assert.True(request.RequireCriu);
        Assert.Equal("10.1.2.30", request.Ip);
    }

    [Fact]
    public void NodeAdd_MapsNameUrlAndToken()
    {
        var (command, result) = Parse<NodeAddCommand>("node add node2 http://192.0.2.11:8443 --token abc");
        var request = command.ToRequest(result);
        Assert.Equal(("node2", "http://192.0.2.11:8443", "abc"), (request.Name, request.Url, request.Token));
    }

    [Fact]
    public void NodeAdd_WithoutToken_IsAUsageError()
    {
        var result = HakoCli.BuildRoot(new TestCli().Environment()).Parse("node add node2 http://192.0.2.11:8443");
        Assert.NotEmpty(result.Errors);
    }

    [Fact]
    public void Report_ShowsPassesDataAgainstTheContainerTemplateDowntimeAndNotes()
    {
        var text = MigrationViews.RenderReport(new MigrationInfo
        {
            Container = "web1", Source = "a", Target = "b", Mode = "live", Phase = "done",
            BytesSent = (52L << 20) + (2L << 20), TemplateBytes = 2L << 20, TemplateSent = true, ContainerBytes = 50L << 20,
            Passes = [new MigrationPass { Number = 1, Bytes = 50L << 20, Live = true }, new MigrationPass { Number = 2, Bytes = 2L << 20 }],
            DowntimeMilliseconds = 180, Notes = ["CRIU unavailable on a: vdso; moved stateless (container restarted on the target)"],
        });
        Assert.Contains("passes:     2 (1: 50M, 2 frozen: 2M)", text);
        Assert.Contains("52M of container data (104% of the container's own 50M)", text);
        Assert.Contains("template:   sent (2M)", text);
        Assert.Contains("downtime:   180 ms", text);
        Assert.Contains("note:       CRIU unavailable on a", text);
    }
}
