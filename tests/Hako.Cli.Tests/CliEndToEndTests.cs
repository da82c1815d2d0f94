using System.Text.Json;
using Hako.Contracts;
using static Hako.Cli.Tests.Samples;

namespace Hako.Cli.Tests;

/// <summary>The whole `hako` command in-process against a fake hakod on a temp unix socket.</summary>
public sealed class CliEndToEndTests
{
    [Fact]
    public async Task Create_PostsRequest_Waits_AndPrintsAddress()
    {
        await using var hakod = await FakeHakod.StartAsync();
        hakod.On("POST", "/v1/containers", 202, Operation("running", 0), HakoJsonContext.Default.OperationInfo)
             .On("GET", "/v1/operations/op-1/wait", 200, Operation(), HakoJsonContext.Default.OperationInfo)
             .On("GET", "/v1/containers/web1", 200, Container(), HakoJsonContext.Default.ContainerInfo);

        var run = await new TestCli(hakod.SocketPath).RunAsync(
            "create", "web1", "--template", "busybox", "--cpulimit", "50%", "--nameserver", "1.1.1.1", "--nameserver", "9.9.9.9");

        Assert.Equal(0, run.ExitCode);
        Assert.Equal("Container web1 created (10.0.3.11)\n", run.Stdout);
        Assert.Equal("", run.Stderr);
        using var body = JsonDocument.Parse(hakod.Single("POST", "/v1/containers").Body);
        Assert.Equal("50%", body.RootElement.GetProperty("cpuLimit").GetString());
        Assert.Equal(["1.1.1.1", "9.9.9.9"], body.RootElement.GetProperty("nameservers").EnumerateArray().Select(e => e.GetString()));
        Assert.False(body.RootElement.TryGetProperty("memory", out _));
    }

    [Fact]
    public async Task Create_Privileged_WarnsOnStderr()
    {
        await using var hakod = await FakeHakod.StartAsync();
        hakod.On("POST", "/v1/containers", 202, Operation("running", 0), HakoJsonContext.Default.OperationInfo)
             .On("GET", "/v1/operations/op-1/wait", 200, Operation(), HakoJsonContext.Default.OperationInfo)
             .On("GET", "/v1/containers/web1", 200, Container() with { Privileged = true }, HakoJsonContext.Default.ContainerInfo);

        var run = await new TestCli(hakod.SocketPath).RunAsync("create", "web1", "-t", "busybox", "--privileged");

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("warning: web1 is privileged: root in the container is root on the host", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FailedOperation_Exits1_WithMessageAndEachError()
    {
        await using var hakod = await FakeHakod.StartAsync();
        var error = new ProblemInfo
        {
            Title = "Invalid settings",
            Status = 400,
            Code = "InvalidArgument",
            Detail = "Container web1 has 2 invalid settings",
            Errors = ["Memory '5X' is not a size; use e.g. 256M", "CPU limit '150%%' is not a percentage; use e.g. 50%"],
        };
        hakod.On("POST", "/v1/containers", 202, Operation("running", 0), HakoJsonContext.Default.OperationInfo)
             .On("GET", "/v1/operations/op-1/wait", 200, Operation("failed", error: error), HakoJsonContext.Default.OperationInfo);

        var run = await new TestCli(hakod.SocketPath).RunAsync("create", "web1", "-t", "busybox", "--memory", "5X");

        Assert.Equal(1, run.ExitCode);
        Assert.Equal(
            "error: Container web1 has 2 invalid settings\n" +
            "  - Memory '5X' is not a size; use e.g. 256M\n" +
            "  - CPU limit '150%%' is not a percentage; use e.g. 50%\n",
            run.Stderr);
        Assert.Equal("", run.Stdout);
    }

    [Fact]
    public async Task List_Json_PrintsIndentedWireJson()
    {
        await using var hakod = await FakeHakod.StartAsync();
        hakod.On("GET", "/v1/containers", 200, [Container("web1"), Container("web2")], HakoJsonContext.Default.ListContainerInfo);

        var run = await new TestCli(hakod.SocketPath).RunAsync("ls", "--json");

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("\n  {\n    \"name\": \"web1\",", run.Stdout, StringComparison.Ordinal);
        var parsed = JsonSerializer.Deserialize(run.Stdout, HakoJsonContext.Default.ListContainerInfo)!;
        Assert.Equal(["web1", "web2"], parsed.Select(c => c.Name));
        Assert.Equal(256 * M, parsed[0].Limits.MemoryBytes);
    }

    [Fact]
    public async Task List_PrintsTable()
    {
        await using var hakod = await FakeHakod.StartAsync();
        hakod.On("GET", "/v1/containers", 200, [Container("web1")], HakoJsonContext.Default.ListContainerInfo);

        var run = await new TestCli(hakod.SocketPath).RunAsync("list");

        Assert.Equal(0, run.ExitCode);
        Assert.StartsWith("NAME  STATE    IPV4       TEMPLATE  MEMORY    DISK\nweb1  running  10.0.3.11  busybox   12M/256M  5.1M/2G\n", run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Set_PatchesAndPrintsWhatChanged()
    {
        await using var hakod = await FakeHakod.StartAsync();
        var before = Container();
        var after = before with { Limits = before.Limits with { MemoryBytes = 512 * M } };
        hakod.On("GET", "/v1/containers/web1", 200, before, HakoJsonContext.Default.ContainerInfo)
             .On("PATCH", "/v1/containers/web1", 200, after, HakoJsonContext.Default.ContainerInfo);

        var run = await new TestCli(hakod.SocketPath).RunAsync("set", "web1", "--memory", "512M");

        Assert.Equal(0, run.ExitCode);
        Assert.Equal("Container web1 updated:\n  memory: 256M -> 512M\n", run.Stdout);
        Assert.Equal("""{"memory":"512M"}""", hakod.Single("PATCH", "/v1/containers/web1").Body);
    }

    [Fact]
    public async Task Stop_PostsStopRequest_AndPrintsOneLine()
    {
        await using var hakod = await FakeHakod.StartAsync();
        hakod.On("POST", "/v1/containers/web1/stop", 202, Operation("running", 0), HakoJsonContext.Default.OperationInfo)
             .On("GET", "/v1/operations/op-1/wait", 200, Operation(), HakoJsonContext.Default.OperationInfo);

        var run = await new TestCli(hakod.SocketPath).RunAsync("stop", "web1", "--timeout", "10");

        Assert.Equal(0, run.ExitCode);
        Assert.Equal("Container web1 stopped\n", run.Stdout);
        Assert.Equal("""{"force":false,"timeoutSeconds":10}""", hakod.Single("POST", "/v1/containers/web1/stop").Body);
    }

    [Fact]
    public async Task DestroyForce_SendsForceQuery()
    {
        await using var hakod = await FakeHakod.StartAsync();
        hakod.On("DELETE", "/v1/containers/web1", 202, Operation("running", 0), HakoJsonContext.Default.OperationInfo)
             .On("GET", "/v1/operations/op-1/wait", 200, Operation(), HakoJsonContext.Default.OperationInfo);

        var run = await new TestCli(hakod.SocketPath).RunAsync("destroy", "web1", "--force");

        Assert.Equal(0, run.ExitCode);
        Assert.Equal("?force=true", hakod.Single("DELETE", "/v1/containers/web1").Query);
        Assert.Equal("Container web1 destroyed\n", run.Stdout);
    }

    [Fact]
    public async Task Exec_OnStoppedContainer_Exits1_WithHowToStart()
    {
        await using var hakod = await FakeHakod.StartAsync();
        hakod.On("GET", "/v1/containers/web1", 200, Container(state: "stopped"), HakoJsonContext.Default.ContainerInfo);

        var run = await new TestCli(hakod.SocketPath).RunAsync("exec", "web1", "--", "ls");

        Assert.Equal(1, run.ExitCode);
        Assert.Equal("error: Container web1 is not running; start it with: hako start web1\n", run.Stderr);
    }

    [Fact]
    public async Task Exec_WithoutLocalAttach_StreamsThroughTheApi_AndReturnsCommandExitCode()
    {
        await using var hakod = await FakeHakod.StartAsync();
        // Frames: kind, 4-byte big-endian length, payload; stdout "out\n" in two pieces, stderr "err\n", exit 3.
        const string frames = "\u0001\0\0\0\u0002ou" + "\u0001\0\0\0\u0002t\n" + "\u0002\0\0\0\u0004err\n" + "\u0003\0\0\0\u0004\0\0\0\u0003";
        hakod.On("GET", "/v1/containers/web1", 200, Container(lxcPath: null), HakoJsonContext.Default.ContainerInfo)
             .On("POST", "/v1/containers/web1/exec/stream", 200, frames, ExecStream.ContentType);

        var run = await new TestCli(hakod.SocketPath).RunAsync("exec", "web1", "--", "sh", "-c", "exit 3");

        Assert.Equal(3, run.ExitCode);
        Assert.Equal("out\n", run.Stdout);
        Assert.Equal("err\n", run.Stderr);
        Assert.Equal("""{"command":["sh","-c","exit 3"]}""", hakod.Single("POST", "/v1/containers/web1/exec/stream").Body);
    }

    [Fact]
    public async Task Exec_StreamEndingInAnErrorFrame_ExitsWithTheProblem()
    {
        await using var hakod = await FakeHakod.StartAsync();
        const string problem = """{"title":"Internal","status":500,"detail":"lxc-attach broke","code":"Internal"}""";
        var frames = "\u0001\0\0\0\u0003hi\n" + "\u0004\0\0\0" + (char)problem.Length + problem;
        hakod.On("GET", "/v1/containers/web1", 200, Container(lxcPath: null), HakoJsonContext.Default.ContainerInfo)
             .On("POST", "/v1/containers/web1/exec/stream", 200, frames, ExecStream.ContentType);

        var run = await new TestCli(hakod.SocketPath).RunAsync("exec", "web1", "--", "ls");

        Assert.NotEqual(0, run.ExitCode);
        Assert.Equal("hi\n", run.Stdout);
        Assert.Contains("lxc-attach broke", run.Stderr, StringComparison.Ordinal);
    }

    [SkippableFact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public async Task Exec_OnTheNode_RunsLxcAttachWithInheritedStdio()
    {
        Skip.IfNot(File.Exists("/bin/sh"), "needs /bin/sh to stand in for lxc-attach");
        await using var hakod = await FakeHakod.StartAsync();
        hakod.On("GET", "/v1/containers/web1", 200, Container(), HakoJsonContext.Default.ContainerInfo);
        // A fake lxc-attach that records its arguments and exits 7.
        var bin = Directory.CreateTempSubdirectory("hako-bin-").FullName;
        try
        {
            var record = Path.Join(bin, "args");
            var script = Path.Join(bin, "lxc-attach");
            await File.WriteAllTextAsync(script, $"#!/bin/sh\nprintf '%s\\n' \"$@\" > {record}\nexit 7\n");
            File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);

            var run = await new TestCli(hakod.SocketPath).Set("PATH", bin).Set("TERM", null).RunAsync("exec", "web1", "--", "ls", "-l");

            Assert.Equal(7, run.ExitCode);
            Assert.Equal(
                ["-P", "/var/lib/hako/lxc", "-n", "web1", "--clear-env", "--set-var", "PATH=/usr/sbin:/usr/bin:/sbin:/bin",
                 "--set-var", "HOME=/root", "--", "ls", "-l"],
                (await File.ReadAllLinesAsync(record)));
            Assert.DoesNotContain(hakod.Requests, r => r.Path.EndsWith("/exec", StringComparison.Ordinal));
        }
        finally
        {
            Directory.Delete(bin, recursive: true);
        }
    }

    [Fact]
    public async Task TemplateBuild_NotATerminal_PrintsStepLines()
    {
        await using var hakod = await FakeHakod.StartAsync();
        var template = new TemplateInfo { Name = "busybox", Source = "busybox", SizeBytes = 2 * M, Files = 402 };
        hakod.On("POST", "/v1/templates/build", 202, Operation("running", 0) with { Kind = "template.build" }, HakoJsonContext.Default.OperationInfo)
             .On("GET", "/v1/operations/op-1", 200, Operation("running", 20, "Copying busybox"), HakoJsonContext.Default.OperationInfo)
             .On("GET", "/v1/operations/op-1", 200, Operation("succeeded", 100, "Done"), HakoJsonContext.Default.OperationInfo)
             .On("GET", "/v1/templates/busybox", 200, template, HakoJsonContext.Default.TemplateInfo);

        var run = await new TestCli(hakod.SocketPath).RunAsync("template", "build", "busybox");

        Assert.Equal(0, run.ExitCode);
        Assert.Equal("[ 20%] Copying busybox\n[100%] Done\nTemplate busybox built (2M, 402 files)\n", run.Stdout);
        Assert.Equal("""{"name":"busybox"}""", hakod.Single("POST", "/v1/templates/build").Body);
    }

    [Fact]
    public async Task TemplateBuild_OnATerminal_DrawsProgressBar()
    {
        await using var hakod = await FakeHakod.StartAsync();
        var template = new TemplateInfo { Name = "busybox", Source = "busybox", SizeBytes = 2 * M, Files = 402 };
        hakod.On("POST", "/v1/templates/build", 202, Operation("running", 0), HakoJsonContext.Default.OperationInfo)
             .On("GET", "/v1/operations/op-1", 200, Operation("running", 50, "Copying busybox"), HakoJsonContext.Default.OperationInfo)
             .On("GET", "/v1/operations/op-1", 200, Operation("succeeded", 100, "Done"), HakoJsonContext.Default.OperationInfo)
             .On("GET", "/v1/templates/busybox", 200, template, HakoJsonContext.Default.TemplateInfo);

        var run = await new TestCli(hakod.SocketPath, terminal: true).RunAsync("template", "build", "busybox");

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("Building busybox", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("100%", run.Stdout, StringComparison.Ordinal);
        Assert.EndsWith("Template busybox built (2M, 402 files)\n", run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NotFound_Exits1_WithDaemonMessage()
    {
        await using var hakod = await FakeHakod.StartAsync();
        hakod.OnProblem("GET", "/v1/containers/nope", new ProblemInfo { Title = "Not found", Status = 404, Code = "NotFound", Detail = "Container 'nope' does not exist" });

        var run = await new TestCli(hakod.SocketPath).RunAsync("show", "nope");

        Assert.Equal(1, run.ExitCode);
        Assert.Equal("error: Container 'nope' does not exist\n", run.Stderr);
    }
}
