using System.CommandLine;
using Hako.Cli.Commands;
using Hako.Cli.Output;
using Hako.Contracts;

namespace Hako.Cli.Tests;

/// <summary>Issue 3 options (plans, modes, guarantees, I/O, beancounters) → API requests.</summary>
public sealed class ResourceMappingTests
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
    public void Create_ResourceOptions_MapToPlanAndResourceSettings()
    {
        var (command, result) = Parse<CreateCommand>(
            "create web1 -t busybox --plan basic --mode ubc --kind guaranteed --guarantee-memory 128M --guarantee-cpus 0.5 " +
            "--guarantee-disk 1G --ioprio 6 --iolimit 10M/s --iopslimit 500 --cpumask 0-1 --cpuunits 8 " +
            "--numproc 240:240 --kmemsize 14M:16M --privvmpages unlimited --physpages 0:256M --numfile 9312");

        var request = command.ToRequest(result);

        Assert.Equal("basic", request.Plan);
        Assert.Equal(8, request.CpuUnits);
        var settings = Assert.IsType<ResourceSettings>(request.Resources);
        Assert.Equal("ubc", settings.Mode);
        Assert.Equal("guaranteed", settings.Kind);
        Assert.Equal("128M", settings.GuaranteeMemory);
        Assert.Equal("0.5", settings.GuaranteeCpus);
        Assert.Equal("1G", settings.GuaranteeDisk);
        Assert.Equal("6", settings.IoPrio);
        Assert.Equal("10M", settings.IoLimit);
        Assert.Equal("500", settings.IopsLimit);
        Assert.Equal("0-1", settings.CpuMask);
        Assert.Equal(
            new Dictionary<string, string>
            {
                ["numproc"] = "240:240",
                ["kmemsize"] = "14M:16M",
                ["privvmpages"] = "unlimited",
                ["physpages"] = "0:256M",
                ["numfile"] = "9312",
            },
            settings.Beancounters);
    }

    [Fact]
    public void Create_EveryBeancounterOption_IsKeyedByItsLowerCaseName()
    {
        var names = new[]
        {
            "numproc", "numtcpsock", "numothersock", "vmguarpages", "kmemsize", "tcpsndbuf", "tcprcvbuf", "othersockbuf",
            "dgramrcvbuf", "oomguarpages", "privvmpages", "lockedpages", "shmpages", "physpages", "swappages", "numfile",
            "numflock", "numpty", "numsiginfo", "dcachesize", "numiptent",
        };
        var line = "create web1 -t busybox " + string.Join(' ', names.Select((n, i) => $"--{n} {i}:{i + 1}"));
        var (command, result) = Parse<CreateCommand>(line);

        var beancounters = command.ToRequest(result).Resources!.Beancounters!;

        Assert.Equal(21, beancounters.Count);
        for (var i = 0; i < names.Length; i++)
        {
            Assert.Equal($"{i}:{i + 1}", beancounters[names[i]]);
        }

        Assert.Equal(names, Beancounters.All.Select(p => p.Name));
    }

    [Fact]
    public void Create_IoLimitWithoutPerSecond_PassesThrough()
    {
        var (command, result) = Parse<CreateCommand>("create web1 -t busybox --iolimit 512K");

        Assert.Equal(new ResourceSettings { IoLimit = "512K" }, command.ToRequest(result).Resources);
    }

    [Fact]
    public void Set_PlanAlone_IsAChange()
    {
        var (command, result) = Parse<SetCommand>("set web1 --plan bigger");

        Assert.Equal(new UpdateContainerRequest { Plan = "bigger" }, command.ToRequest(result));
    }

    [Fact]
    public void Set_OneBeancounter_SendsOnlyIt()
    {
        var (command, result) = Parse<SetCommand>("set web1 --numproc 400:400");

        var request = command.ToRequest(result);

        Assert.Null(request.Memory);
        Assert.Null(request.Plan);
        Assert.Null(request.Resources!.Mode);
        Assert.Equal(new Dictionary<string, string> { ["numproc"] = "400:400" }, request.Resources.Beancounters);
    }

    [Fact]
    public void PlanCreate_MapsBaseAndResourceOptions()
    {
        var (command, result) = Parse<PlanCreateCommand>(
            "plan create big --base basic --description Bigger --memory 1G --swap 512M --cpus 2 --kind best-effort --guarantee-memory 512M --tcpsndbuf 1M:2M");

        var request = command.ToRequest(result);

        Assert.Equal("big", request.Name);
        Assert.Equal("basic", request.Base);
        Assert.Equal("Bigger", request.Description);
        Assert.Equal("1G", request.Memory);
        Assert.Equal("512M", request.Swap);
        Assert.Equal(2, request.Cpus);
        Assert.Equal("best-effort", request.Resources!.Kind);
        Assert.Equal("512M", request.Resources.GuaranteeMemory);
        Assert.Equal("1M:2M", request.Resources.Beancounters!["tcpsndbuf"]);
    }

    [Fact]
    public void PlanCreate_HasNoPlanOption()
    {
        var root = HakoCli.BuildRoot(new TestCli().Environment());

        Assert.NotEmpty(root.Parse("plan create big --plan basic").Errors);
    }

    [Theory]
    [InlineData("plan split 10", 10, null, true)]
    [InlineData("plan split 100 --name hundred --no-save", 100, "hundred", false)]
    public void PlanSplit_MapsCountNameAndSave(string line, int count, string? name, bool save)
    {
        var (command, result) = Parse<PlanSplitCommand>(line);

        Assert.Equal(new SplitPlanRequest { Count = count, Name = name, Save = save }, command.ToRequest(result));
    }
}
