using System.Globalization;
using System.Text;
using System.Text.Json;
using Hako.Contracts;
using static Hako.Cli.Tests.Samples;

namespace Hako.Cli.Tests;

/// <summary>plan, ubc, validate and the resource warnings, end to end against a fake hakod.</summary>
public sealed class ResourceCommandTests
{
    private const string Header =
        "       uid  resource                     held              maxheld              barrier                limit              failcnt";

    private static string Row(string uid, string resource, long held, long maxheld, long barrier, long limit, long failcnt) =>
        string.Create(CultureInfo.InvariantCulture, $"{uid,10}  {resource,-12} {held,20} {maxheld,20} {barrier,20} {limit,20} {failcnt,20}");

    /// <summary>A report as hakod makes it: its own Version line and header, then the rows.</summary>
    private static BeancounterReport Report(string container, string uid, params (string Resource, long Held, long FailCnt, string Enforcement)[] rows)
    {
        var text = new StringBuilder("Version: 2.5\n").Append(Header).Append('\n');
        for (var i = 0; i < rows.Length; i++)
        {
            text.Append(Row(i == 0 ? uid + ":" : "", rows[i].Resource, rows[i].Held, rows[i].Held, 1000, long.MaxValue, rows[i].FailCnt)).Append('\n');
        }

        return new BeancounterReport
        {
            Container = container,
            Text = text.ToString(),
            Rows = rows.Select(r => new BeancounterRowInfo
            {
                Resource = r.Resource, Held = r.Held, MaxHeld = r.Held, Barrier = 1000, Limit = long.MaxValue, FailCnt = r.FailCnt, Enforcement = r.Enforcement,
            }).ToList(),
        };
    }

    private static PlanInfo Plan(string name = "basic", bool builtIn = true) => new()
    {
        Name = name,
        Description = "Small web site",
        Kind = "guaranteed",
        Mode = "ubc",
        Guarantees = new ResourceGuarantees { MemoryBytes = 256 * M, Cpus = 0.5, DiskBytes = 2048 * M },
        Limits = new ResourceLimits { MemoryBytes = 256 * M, SwapBytes = 0, Cpus = 1, DiskBytes = 2048 * M, IoPrio = 4, IoLimitBytesPerSecond = 10 * M },
        Beancounters = new Dictionary<string, string> { ["kmemsize"] = "14M:16M", ["numproc"] = "240:240", ["physpages"] = "0:256M" },
        BuiltIn = builtIn,
        Containers = ["web1", "web2"],
    };

    [Fact]
    public async Task Create_WithPlanAndBeancounters_PostsThem_AndPrintsEachWarningOnce()
    {
        await using var hakod = await FakeHakod.StartAsync();
        var warning = "[numfile] numfile 1000 < 32 x avnumproc 120 = 3840";
        hakod.On("POST", "/v1/containers", 202, Operation("running", 0) with { Warnings = [warning] }, HakoJsonContext.Default.OperationInfo)
             .On("GET", "/v1/operations/op-1/wait", 200, Operation() with { Warnings = [warning] }, HakoJsonContext.Default.OperationInfo)
             .On("GET", "/v1/containers/web1", 200, Container() with { Warnings = [warning, "[tcprcvbuf] gap too small"] }, HakoJsonContext.Default.ContainerInfo);

        var run = await new TestCli(hakod.SocketPath).RunAsync(
            "create", "web1", "-t", "busybox", "--plan", "basic", "--mode", "ubc", "--numproc", "240:240", "--kmemsize", "14M:16M", "--iolimit", "10M");

        Assert.Equal(0, run.ExitCode);
        Assert.Equal("Container web1 created (10.0.3.11)\n", run.Stdout);
        Assert.Equal($"warning: {warning}\nwarning: [tcprcvbuf] gap too small\n", run.Stderr);
        using var body = JsonDocument.Parse(hakod.Single("POST", "/v1/containers").Body);
        Assert.Equal("basic", body.RootElement.GetProperty("plan").GetString());
        var resources = body.RootElement.GetProperty("resources");
        Assert.Equal("ubc", resources.GetProperty("mode").GetString());
        Assert.Equal("10M", resources.GetProperty("ioLimit").GetString());
        Assert.Equal("240:240", resources.GetProperty("beancounters").GetProperty("numproc").GetString());
        Assert.Equal("14M:16M", resources.GetProperty("beancounters").GetProperty("kmemsize").GetString());
    }

    [Fact]
    public async Task Create_RefusedByValidation_PrintsEveryRule()
    {
        await using var hakod = await FakeHakod.StartAsync();
        hakod.OnProblem("POST", "/v1/containers", new ProblemInfo
        {
            Title = "Invalid settings",
            Status = 400,
            Code = "InvalidArgument",
            Detail = "Container web1 breaks 1 validation rule",
            Errors = ["[kmemsize] kmemsize.barrier 1M < 40K x avnumproc 120 + dcachesize.limit 2M = 6.7M"],
        });

        var run = await new TestCli(hakod.SocketPath).RunAsync("create", "web1", "-t", "busybox", "--mode", "ubc", "--kmemsize", "1M");

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("  - [kmemsize] kmemsize.barrier 1M", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Set_Plan_PatchesPlan_PrintsChangesAndWarnings()
    {
        await using var hakod = await FakeHakod.StartAsync();
        var before = Container() with { Plan = "basic", Beancounters = new Dictionary<string, string> { ["numproc"] = "240:240" } };
        var after = before with
        {
            Plan = "bigger",
            Limits = before.Limits with { MemoryBytes = 512 * M, IoPrio = 6 },
            Beancounters = new Dictionary<string, string> { ["numproc"] = "480:480", ["numfile"] = "9312" },
            Warnings = ["[numfile] numfile small"],
        };
        hakod.On("GET", "/v1/containers/web1", 200, before, HakoJsonContext.Default.ContainerInfo)
             .On("PATCH", "/v1/containers/web1", 200, after, HakoJsonContext.Default.ContainerInfo);

        var run = await new TestCli(hakod.SocketPath).RunAsync("set", "web1", "--plan", "bigger");

        Assert.Equal(0, run.ExitCode);
        Assert.Equal(
            "Container web1 updated:\n  memory: 256M -> 512M\n  plan: basic -> bigger\n  ioprio: 4 (default) -> 6\n" +
            "  numproc: 240:240 -> 480:480\n  numfile: unset -> 9312\n",
            run.Stdout);
        Assert.Equal("warning: [numfile] numfile small\n", run.Stderr);
        Assert.Equal("""{"plan":"bigger"}""", hakod.Single("PATCH", "/v1/containers/web1").Body);
    }

    [Fact]
    public async Task PlanList_PrintsTable_BuiltInFirst()
    {
        await using var hakod = await FakeHakod.StartAsync();
        hakod.On("GET", "/v1/plans", 200, new List<PlanInfo> { Plan("mine", builtIn: false) with { Containers = [], Limits = new ResourceLimits() }, Plan() },
            HakoJsonContext.Default.ListPlanInfo);

        var run = await new TestCli(hakod.SocketPath).RunAsync("plan", "list");

        Assert.Equal(0, run.ExitCode);
        Assert.Equal(
            "NAME   KIND        MODE  MEMORY     SWAP       CPUS  DISK       CONTAINERS  BUILT-IN\n" +
            "basic  guaranteed  ubc   256M       0          1     2G         2           yes\n" +
            "mine   guaranteed  ubc   unlimited  unlimited  all   unlimited  0           no\n",
            run.Stdout);
    }

    [Fact]
    public async Task PlanShow_PrintsGuaranteesLimitsAndBeancountersInVzctlSyntax()
    {
        await using var hakod = await FakeHakod.StartAsync();
        hakod.On("GET", "/v1/plans/basic", 200, Plan(), HakoJsonContext.Default.PlanInfo);

        var run = await new TestCli(hakod.SocketPath).RunAsync("plan", "show", "basic");

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("Name:         basic (built-in)\n", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("Guarantees:   memory 256M, cpus 0.5, disk 2G\n", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("I/O:          prio 4, bandwidth 10M/s, iops unlimited\n", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("Containers:   web1, web2\n", run.Stdout, StringComparison.Ordinal);
        // Canonical /proc/user_beancounters order, not the dictionary's.
        Assert.EndsWith(
            "Beancounters (vzctl syntax):\nPARAMETER  BARRIER:LIMIT\nnumproc    240:240\nkmemsize   14M:16M\nphyspages  0:256M\n",
            run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PlanCreate_PostsRequest()
    {
        await using var hakod = await FakeHakod.StartAsync();
        hakod.On("POST", "/v1/plans", 201, Plan("big", builtIn: false), HakoJsonContext.Default.PlanInfo);

        var run = await new TestCli(hakod.SocketPath).RunAsync("plan", "create", "big", "--base", "basic", "--memory", "1G", "--numproc", "480:480");

        Assert.Equal(0, run.ExitCode);
        Assert.StartsWith("Plan big created (guaranteed, ubc)", run.Stdout, StringComparison.Ordinal);
        using var body = JsonDocument.Parse(hakod.Single("POST", "/v1/plans").Body);
        Assert.Equal("big", body.RootElement.GetProperty("name").GetString());
        Assert.Equal("basic", body.RootElement.GetProperty("base").GetString());
        Assert.Equal("1G", body.RootElement.GetProperty("memory").GetString());
        Assert.Equal("480:480", body.RootElement.GetProperty("resources").GetProperty("beancounters").GetProperty("numproc").GetString());
    }

    [Fact]
    public async Task PlanRemove_BuiltIn_Exits1_WithDaemonMessage()
    {
        await using var hakod = await FakeHakod.StartAsync();
        hakod.OnProblem("DELETE", "/v1/plans/basic", new ProblemInfo { Title = "Conflict", Status = 409, Code = "Conflict", Detail = "Plan basic is built in" });

        var run = await new TestCli(hakod.SocketPath).RunAsync("plan", "remove", "basic");

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("Plan basic is built in", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PlanRemove_Deletes()
    {
        await using var hakod = await FakeHakod.StartAsync();
        hakod.On("DELETE", "/v1/plans/mine", 204);

        var run = await new TestCli(hakod.SocketPath).RunAsync("plan", "rm", "mine");

        Assert.Equal(0, run.ExitCode);
        Assert.Equal("Plan mine removed\n", run.Stdout);
    }

    [Fact]
    public async Task PlanSplit_NoSave_PostsCountAndPrintsThePlan()
    {
        await using var hakod = await FakeHakod.StartAsync();
        hakod.On("POST", "/v1/plans/split", 200, Plan("split-10", builtIn: false), HakoJsonContext.Default.PlanInfo);

        var run = await new TestCli(hakod.SocketPath).RunAsync("plan", "split", "10", "--no-save");

        Assert.Equal(0, run.ExitCode);
        Assert.StartsWith("Name:         split-10\n", run.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("Saved", run.Stdout, StringComparison.Ordinal);
        Assert.Equal("""{"count":10,"save":false}""", hakod.Single("POST", "/v1/plans/split").Body);
    }

    [Fact]
    public async Task Ubc_OneContainer_PrintsTextVerbatim()
    {
        await using var hakod = await FakeHakod.StartAsync();
        var report = Report("web1", "101", ("kmemsize", 2601812, 0, "accounted"), ("numproc", 12, 3, "enforced"));
        hakod.On("GET", "/v1/containers/web1/ubc", 200, report, HakoJsonContext.Default.BeancounterReport);

        var run = await new TestCli(hakod.SocketPath).RunAsync("ubc", "web1");

        Assert.Equal(0, run.ExitCode);
        Assert.Equal(report.Text, run.Stdout);
        Assert.Equal("", run.Stderr);
    }

    [Fact]
    public async Task Ubc_All_MergesReportsUnderOneVersionLineAndOneHeader()
    {
        await using var hakod = await FakeHakod.StartAsync();
        var a = Report("web1", "101", ("kmemsize", 100, 0, "accounted"), ("numproc", 12, 3, "enforced"));
        var b = Report("web2", "102", ("kmemsize", 200, 0, "accounted"), ("numproc", 7, 0, "enforced"));
        hakod.On("GET", "/v1/ubc", 200, new List<BeancounterReport> { a, b }, HakoJsonContext.Default.ListBeancounterReport);

        var run = await new TestCli(hakod.SocketPath).RunAsync("ubc");

        Assert.Equal(0, run.ExitCode);
        Assert.Equal(
            "Version: 2.5\n" + Header + "\n" +
            Row("101:", "kmemsize", 100, 100, 1000, long.MaxValue, 0) + "\n" +
            Row("", "numproc", 12, 12, 1000, long.MaxValue, 3) + "\n" +
            Row("102:", "kmemsize", 200, 200, 1000, long.MaxValue, 0) + "\n" +
            Row("", "numproc", 7, 7, 1000, long.MaxValue, 0) + "\n",
            run.Stdout);
    }

    [Fact]
    public async Task Ubc_NoRunningContainers_PrintsOnlyVersionAndHeader()
    {
        await using var hakod = await FakeHakod.StartAsync();
        hakod.On("GET", "/v1/ubc", 200, new List<BeancounterReport>(), HakoJsonContext.Default.ListBeancounterReport);

        var run = await new TestCli(hakod.SocketPath).RunAsync("ubc");

        Assert.Equal("Version: 2.5\n" + Header + "\n", run.Stdout);
    }

    [Fact]
    public async Task Ubc_Enforcement_AddsAColumnPerRow()
    {
        await using var hakod = await FakeHakod.StartAsync();
        var a = Report("web1", "101", ("kmemsize", 100, 0, "accounted"), ("numproc", 12, 3, "enforced"));
        var b = Report("web2", "102", ("numiptent", 0, 0, "unavailable"));
        hakod.On("GET", "/v1/ubc", 200, new List<BeancounterReport> { a, b }, HakoJsonContext.Default.ListBeancounterReport);

        var run = await new TestCli(hakod.SocketPath).RunAsync("ubc", "-v");

        var lines = run.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(0, run.ExitCode);
        Assert.Equal(5, lines.Length);
        Assert.Equal("Version: 2.5", lines[0]);
        Assert.Equal(Header + "  enforcement", lines[1]);
        Assert.Equal(Row("101:", "kmemsize", 100, 100, 1000, long.MaxValue, 0) + "  accounted", lines[2]);
        Assert.Equal(Row("", "numproc", 12, 12, 1000, long.MaxValue, 3) + "  enforced", lines[3]);
        Assert.Equal(Row("102:", "numiptent", 0, 0, 1000, long.MaxValue, 0) + "  unavailable", lines[4]);
    }

    [Fact]
    public async Task Ubc_Json_PrintsTheReport()
    {
        await using var hakod = await FakeHakod.StartAsync();
        hakod.On("GET", "/v1/containers/web1/ubc", 200, Report("web1", "101", ("numproc", 12, 3, "enforced")), HakoJsonContext.Default.BeancounterReport);

        var run = await new TestCli(hakod.SocketPath).RunAsync("ubc", "web1", "--json");

        using var json = JsonDocument.Parse(run.Stdout);
        Assert.Equal("enforced", json.RootElement.GetProperty("rows")[0].GetProperty("enforcement").GetString());
        Assert.Equal(3, json.RootElement.GetProperty("rows")[0].GetProperty("failCnt").GetInt64());
    }

    private static ValidationReport Findings(params (string Severity, string Rule, string Message)[] findings) => new()
    {
        Container = "web1",
        Findings = findings.Select(f => new ValidationFinding { Severity = f.Severity, Rule = f.Rule, Message = f.Message }).ToList(),
    };

    [Fact]
    public async Task Validate_WithErrors_PrintsEachFinding_AndExits1()
    {
        await using var hakod = await FakeHakod.StartAsync();
        hakod.On("POST", "/v1/containers/web1/validate", 200,
            Findings(("warning", "numfile", "numfile 1000 < 3840"), ("error", "kmemsize", "kmemsize.barrier 1M < 6.7M")),
            HakoJsonContext.Default.ValidationReport);

        var run = await new TestCli(hakod.SocketPath).RunAsync("validate", "web1");

        Assert.Equal(1, run.ExitCode);
        Assert.Equal("error: [kmemsize] kmemsize.barrier 1M < 6.7M\nwarning: [numfile] numfile 1000 < 3840\n", run.Stdout);
    }

    [Fact]
    public async Task Validate_WarningsOnly_Exits0()
    {
        await using var hakod = await FakeHakod.StartAsync();
        hakod.On("POST", "/v1/containers/web1/validate", 200, Findings(("warning", "numfile", "numfile 1000 < 3840")),
            HakoJsonContext.Default.ValidationReport);

        var run = await new TestCli(hakod.SocketPath).RunAsync("validate", "web1");

        Assert.Equal(0, run.ExitCode);
        Assert.Equal("warning: [numfile] numfile 1000 < 3840\n", run.Stdout);
    }

    [Fact]
    public async Task Validate_Clean_Exits0_AndSaysSo()
    {
        await using var hakod = await FakeHakod.StartAsync();
        hakod.On("POST", "/v1/containers/web1/validate", 200, Findings(), HakoJsonContext.Default.ValidationReport);

        var run = await new TestCli(hakod.SocketPath).RunAsync("validate", "web1");

        Assert.Equal(0, run.ExitCode);
        Assert.Equal("Container web1: settings pass every validation rule\n", run.Stdout);
    }

    [Fact]
    public async Task Validate_Json_WithErrors_Exits1()
    {
        await using var hakod = await FakeHakod.StartAsync();
        hakod.On("POST", "/v1/containers/web1/validate", 200, Findings(("error", "kmemsize", "too small")), HakoJsonContext.Default.ValidationReport);

        var run = await new TestCli(hakod.SocketPath).RunAsync("validate", "web1", "--json");

        Assert.Equal(1, run.ExitCode);
        using var json = JsonDocument.Parse(run.Stdout);
        Assert.False(json.RootElement.GetProperty("valid").GetBoolean());
        Assert.Equal("kmemsize", json.RootElement.GetProperty("findings")[0].GetProperty("rule").GetString());
    }

    [Fact]
    public async Task Start_PrintsOperationWarnings()
    {
        await using var hakod = await FakeHakod.StartAsync();
        hakod.On("POST", "/v1/containers/web1/start", 202, Operation("running", 0) with { Kind = "container.start" }, HakoJsonContext.Default.OperationInfo)
             .On("GET", "/v1/operations/op-1/wait", 200, Operation() with { Warnings = ["memory limits oversold 1.4x"] }, HakoJsonContext.Default.OperationInfo);

        var run = await new TestCli(hakod.SocketPath).RunAsync("start", "web1");

        Assert.Equal(0, run.ExitCode);
        Assert.Equal("Container web1 started\n", run.Stdout);
        Assert.Equal("warning: memory limits oversold 1.4x\n", run.Stderr);
    }
}
