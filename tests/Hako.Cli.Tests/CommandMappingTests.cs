using System.CommandLine;
using Hako.Cli.Commands;
using Hako.Contracts;

namespace Hako.Cli.Tests;

public sealed class CommandMappingTests
{
    private static (T Command, ParseResult Result) Parse<T>(string commandLine)
        where T : Command
    {
        var root = HakoCli.BuildRoot(new TestCli().Environment());
        var result = root.Parse(commandLine);
        Assert.Empty(result.Errors);
        return ((T)result.CommandResult.Command, result);
    }

    [Fact]
    public void Create_WithEveryOption_MapsToRequest()
    {
        var (command, result) = Parse<CreateCommand>(
            "create web1 --template busybox --memory 256M --swap 0 --cpus 1 --cpulimit 50% --cpuunits 1000 --processes 200 " +
            "--disk 2G --hostname www --ip 10.0.3.20 --nameserver 1.1.1.1 --nameserver 9.9.9.9 --onboot --privileged --start");

        var request = command.ToRequest(result);

        Assert.Equal("web1", request.Name);
        Assert.Equal("busybox", request.Template);
        Assert.Equal("256M", request.Memory);
        Assert.Equal("0", request.Swap);
        Assert.Equal(1, request.Cpus);
        Assert.Equal("50%", request.CpuLimit);
        Assert.Equal(1000, request.CpuUnits);
        Assert.Equal(200, request.Processes);
        Assert.Equal("2G", request.Disk);
        Assert.Equal("www", request.Hostname);
        Assert.Equal("10.0.3.20", request.Ip);
        Assert.Equal(["1.1.1.1", "9.9.9.9"], request.Nameservers);
        Assert.True(request.OnBoot);
        Assert.True(request.Privileged);
        Assert.True(request.Start);
    }

    [Fact]
    public void Create_WithOnlyTemplate_LeavesDefaultsToHakod()
    {
        var (command, result) = Parse<CreateCommand>("create web1 -t busybox");

        var request = command.ToRequest(result);

        Assert.Equal(new CreateContainerRequest { Name = "web1", Template = "busybox" }, request);
    }

    [Fact]
    public void Create_DiskUnlimited_PassesWordThrough()
    {
        var (command, result) = Parse<CreateCommand>("create web1 -t busybox --disk unlimited -m 1.5G");

        var request = command.ToRequest(result);

        Assert.Equal("unlimited", request.Disk);
        Assert.Equal("1.5G", request.Memory);
    }

    [Fact]
    public void Set_MapsOnlyGivenOptions()
    {
        var (command, result) = Parse<SetCommand>("set web1 --cpulimit 50% --onboot false --nameserver 8.8.8.8 --nameserver 8.8.4.4");

        var request = command.ToRequest(result);

        Assert.Equal(new UpdateContainerRequest { CpuLimit = "50%", OnBoot = false, Nameservers = request.Nameservers }, request);
        Assert.Equal(["8.8.8.8", "8.8.4.4"], request.Nameservers);
    }

    [Fact]
    public void Set_OnbootTrue_IsTrue()
    {
        var (command, result) = Parse<SetCommand>("set web1 --onboot true --memory 512M --disk 10G --processes 100");

        var request = command.ToRequest(result);

        Assert.True(request.OnBoot);
        Assert.Equal("512M", request.Memory);
        Assert.Equal("10G", request.Disk);
        Assert.Equal(100, request.Processes);
        Assert.Null(request.Hostname);
    }

    [Fact]
    public void Set_WithoutOptions_IsUsageError()
    {
        var (command, result) = Parse<SetCommand>("set web1");

        var ex = Assert.Throws<CliException>(() => command.ToRequest(result));

        Assert.Equal(ExitCodes.Usage, ex.ExitCode);
    }

    [Fact]
    public void Stop_DefaultsToCleanShutdownWithin30Seconds()
    {
        var (command, result) = Parse<StopCommand>("stop web1");

        Assert.Equal(new StopRequest { Force = false, TimeoutSeconds = 30 }, command.ToRequest(result));
    }

    [Fact]
    public void Stop_ForceAndTimeout_MapToRequest()
    {
        var (command, result) = Parse<StopCommand>("stop web1 --force --timeout 5");

        Assert.Equal(new StopRequest { Force = true, TimeoutSeconds = 5 }, command.ToRequest(result));
    }

    [Fact]
    public void Exec_TakesEverythingAfterDoubleDash_AsTheCommand()
    {
        var (command, result) = Parse<ExecCommand>("exec web1 -- ls -la --color /etc");

        Assert.Equal(["ls", "-la", "--color", "/etc"], command.GetCommand(result));
    }

    [Fact]
    public void Enter_RunsALoginShell()
    {
        var (command, result) = Parse<ExecCommand>("enter web1");

        Assert.Equal(["/bin/sh", "-l"], command.GetCommand(result));
    }

    [Fact]
    public void TemplateImport_SendsAbsolutePath()
    {
        var (command, result) = Parse<TemplateImportCommand>("template import deb12 rootfs.tar.gz");

        var request = command.ToRequest(result);

        Assert.Equal("deb12", request.Name);
        Assert.True(Path.IsPathRooted(request.Path));
        Assert.Equal(Path.Join(Environment.CurrentDirectory, "rootfs.tar.gz"), request.Path);
    }

    [Fact]
    public void LxcAttach_Arguments_ClearEnvironmentAndSeparateCommand()
    {
        var arguments = LxcAttach.BuildArguments("/var/lib/hako/lxc", "web1", ["ls", "-l"], term: "xterm");

        Assert.Equal(
            ["-P", "/var/lib/hako/lxc", "-n", "web1", "--clear-env",
             "--set-var", "PATH=/usr/sbin:/usr/bin:/sbin:/bin", "--set-var", "HOME=/root", "--set-var", "TERM=xterm",
             "--", "ls", "-l"],
            arguments);
    }
}
