using System.Net;
using System.Net.Http.Json;
using Hako.Contracts;
using Hako.Integration.Tests.Infrastructure;

namespace Hako.Integration.Tests.Hostile;

/// <summary>
/// Hostile names, sizes and addresses through the real HTTP API: each is a 400 problem with the rule (never a
/// 500, never a path, config line or command built from it), and the operator-level switches refuse privileged
/// and unlimited-disk containers unless hakod was started with them.
/// </summary>
public sealed class BadInputHostileTests(NodeFixture fx) : IClassFixture<NodeFixture>
{
    private static readonly string SixtyFour = "a" + new string('b', 63);

    private HakodNode Node => fx.Node;

    private async Task<ProblemInfo> Expect(HttpResponseMessage r, HttpStatusCode status, string code)
    {
        var body = await r.Content.ReadAsStringAsync();
        Assert.True(r.StatusCode == status, $"expected {(int)status}, got {(int)r.StatusCode}: {body}");
        var p = System.Text.Json.JsonSerializer.Deserialize(body, HakoJsonContext.Default.ProblemInfo)!;
        Assert.Equal("application/problem+json", r.Content.Headers.ContentType?.MediaType);
        Assert.Equal(code, p.Code);
        return p;
    }

    public static TheoryData<string> HostileNames => new() { "web1\n", "wéb1", "..", "a/b", "a%2Fb", SixtyFour, "web1\0", " web1", "Web1" };

    [SkippableTheory]
    [MemberData(nameof(HostileNames))]
    public async Task Create_HostileName_Is400_AndLeavesNothing(string name)
    {
        Skip.If(fx.SkipReason is not null, fx.SkipReason);
        var p = await Expect(await Node.TryCreateAsync(new CreateContainerRequest { Name = name, Template = "busybox" }), HttpStatusCode.BadRequest, "InvalidArgument");
        Assert.Contains("1-63 lower-case letters", p.Detail);
        Assert.DoesNotContain(await Node.ListAsync(), c => c.Name == name);
        var lxc = Path.Combine(Node.DataDir, "lxc");
        Assert.Empty(Directory.Exists(lxc) ? Directory.EnumerateFileSystemEntries(lxc).Where(d => Path.GetFileName(d) != "ok1") : []);
    }

    [SkippableTheory]
    [InlineData("/v1/containers/web1%0A")]
    [InlineData("/v1/containers/w%C3%A9b1")]
    [InlineData("/v1/containers/a%2Fb")]
    [InlineData("/v1/containers/a%2F..%2F..%2Fetc")]
    [InlineData("/v1/plans/a%2Fb")]
    [InlineData("/v1/containers/abbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb")]
    public async Task RouteName_Hostile_Is400(string url)
    {
        Skip.If(fx.SkipReason is not null, fx.SkipReason);
        var p = await Expect(await Node.Http.GetAsync(url), HttpStatusCode.BadRequest, "InvalidArgument");
        Assert.Contains("The name in the URL", p.Detail);
    }

    /// <summary>A ".." segment (plain or %2E%2E) is resolved away by URL rules before routing: no handler ever sees it.</summary>
    [SkippableTheory]
    [InlineData("/v1/containers/%2E%2E")]
    [InlineData("/v1/templates/%2E%2E/content?hash=x")]
    public async Task RouteName_DotDotSegment_NeverReachesAHandler(string url)
    {
        Skip.If(fx.SkipReason is not null, fx.SkipReason);
        var p = await Expect(await Node.Http.PutAsync(url, new ByteArrayContent([1, 2, 3])), HttpStatusCode.NotFound, "NotFound");
        Assert.Contains("No such endpoint", p.Detail);
    }

    [SkippableFact]
    public async Task RouteName_HostileOnAWritingRoute_Is400()
    {
        Skip.If(fx.SkipReason is not null, fx.SkipReason);
        await Expect(await Node.Http.PutAsync("/v1/templates/a%2F..%2Fb/content?hash=x", new ByteArrayContent([1, 2, 3])), HttpStatusCode.BadRequest, "InvalidArgument");
        await Expect(await Node.Http.PutAsync("/v1/migrations/incoming/a%2F..%2Fx/files", new ByteArrayContent([1, 2, 3])), HttpStatusCode.BadRequest, "InvalidArgument");
        await Expect(await Node.Http.PostAsync("/v1/containers/..%2F..%2Fx/exec/stream",
            JsonContent.Create(new ExecRequest { Command = ["id"] }, HakoJsonContext.Default.ExecRequest)), HttpStatusCode.BadRequest, "InvalidArgument");
    }

    [SkippableTheory]
    [InlineData("99999999999999999999P", null)]
    [InlineData(null, "99999999999999999999P")]
    [InlineData("99999999999999999999999999999999999T", null)]
    [InlineData("9223372036854775807", null)]
    [InlineData(null, "8388608T")]
    public async Task Create_HugeSize_Is400TooBig(string? disk, string? memory)
    {
        Skip.If(fx.SkipReason is not null, fx.SkipReason);
        var p = await Expect(await Node.TryCreateAsync(new CreateContainerRequest { Name = "huge1", Template = "busybox", Disk = disk, Memory = memory }),
            HttpStatusCode.BadRequest, "InvalidArgument");
        Assert.Contains("is too big; the most Hako takes is 1024T", p.Detail);
    }

    [SkippableTheory]
    [InlineData("1.2.3")]
    [InlineData("010.1.1.1")]
    [InlineData("127.1")]
    [InlineData("0x7f.0.0.1")]
    public async Task Create_LegacyAddress_Is400(string address)
    {
        Skip.If(fx.SkipReason is not null, fx.SkipReason);
        var p = await Expect(await Node.TryCreateAsync(new CreateContainerRequest { Name = "addr1", Template = "busybox", Ip = address }),
            HttpStatusCode.BadRequest, "InvalidArgument");
        Assert.Contains("four decimal numbers", p.Detail);
        p = await Expect(await Node.TryCreateAsync(new CreateContainerRequest { Name = "addr1", Template = "busybox", Nameservers = [address] }),
            HttpStatusCode.BadRequest, "InvalidArgument");
        Assert.Contains("four decimal numbers", p.Detail);
    }

    [SkippableTheory]
    [InlineData("web1.example\nevil")]
    [InlineData("a..b")]
    [InlineData("wéb.example")]
    [InlineData("-web.example")]
    public async Task Create_And_Set_HostileHostname_Is400(string hostname)
    {
        Skip.If(fx.SkipReason is not null, fx.SkipReason);
        var p = await Expect(await Node.TryCreateAsync(new CreateContainerRequest { Name = "host1", Template = "busybox", Hostname = hostname }),
            HttpStatusCode.BadRequest, "InvalidArgument");
        Assert.Contains("at most 253", p.Detail);

        await EnsureOk1();
        await Expect(await Node.Http.PatchAsync("/v1/containers/ok1",
            JsonContent.Create(new UpdateContainerRequest { Hostname = hostname }, HakoJsonContext.Default.UpdateContainerRequest)), HttpStatusCode.BadRequest, "InvalidArgument");
        await Expect(await Node.Http.PatchAsync("/v1/containers/ok1",
            JsonContent.Create(new UpdateContainerRequest { Nameservers = ["1.2.3"] }, HakoJsonContext.Default.UpdateContainerRequest)), HttpStatusCode.BadRequest, "InvalidArgument");
        Assert.Equal("ok1", (await Node.ShowAsync("ok1")).Hostname);
    }

    [SkippableTheory]
    [InlineData("0\n")]
    [InlineData(" 0")]
    [InlineData("0\nlxc.mount.entry = / host none bind")]
    public async Task Create_CpuMaskWithMoreThanDigits_Is400(string mask)
    {
        Skip.If(fx.SkipReason is not null, fx.SkipReason);
        var p = await Expect(await Node.TryCreateAsync(new CreateContainerRequest { Name = "mask1", Template = "busybox", Resources = new ResourceSettings { CpuMask = mask } }),
            HttpStatusCode.BadRequest, "InvalidArgument");
        Assert.Contains("--cpumask", p.Detail);
    }

    [SkippableFact]
    public async Task OtherNames_PlanTemplateAndPeer_Are400()
    {
        Skip.If(fx.SkipReason is not null, fx.SkipReason);
        await Expect(await Node.PostAsync("/v1/plans", new CreatePlanRequest { Name = "plan\n" }, HakoJsonContext.Default.CreatePlanRequest),
            HttpStatusCode.BadRequest, "InvalidArgument");
        await Expect(await Node.PostAsync("/v1/templates/build", new BuildTemplateRequest { Name = "busybox\n" }, HakoJsonContext.Default.BuildTemplateRequest),
            HttpStatusCode.BadRequest, "InvalidArgument");
        await Expect(await Node.PostAsync("/v1/nodes", new AddNodeRequest { Name = "..", Url = "http://127.0.0.1:1", Token = "x" }, HakoJsonContext.Default.AddNodeRequest),
            HttpStatusCode.BadRequest, "InvalidArgument");
        await Expect(await Node.PostAsync("/v1/migrations/incoming/check", Incoming() with { Name = "web1\n" }, HakoJsonContext.Default.IncomingContainer),
            HttpStatusCode.BadRequest, "InvalidArgument");
        await Expect(await Node.PostAsync("/v1/migrations/incoming/check", Incoming() with { Nameservers = ["1.1.1.1\noptions x"] }, HakoJsonContext.Default.IncomingContainer),
            HttpStatusCode.BadRequest, "InvalidArgument");
        await Expect(await Node.PostAsync("/v1/migrations/incoming/check", Incoming() with { Template = "../../etc" }, HakoJsonContext.Default.IncomingContainer),
            HttpStatusCode.BadRequest, "InvalidArgument");
    }

    [SkippableFact]
    public async Task PrivilegedAndUnlimitedDisk_AreRefusedByDefault_NamingTheSwitch()
    {
        Skip.If(fx.SkipReason is not null, fx.SkipReason);
        var p = await Expect(await Node.TryCreateAsync(new CreateContainerRequest { Name = "priv9", Template = "busybox", Privileged = true }),
            HttpStatusCode.Forbidden, "PermissionDenied");
        Assert.Contains("--allow-privileged", p.Detail);
        p = await Expect(await Node.TryCreateAsync(new CreateContainerRequest { Name = "unl9", Template = "busybox", Disk = "unlimited" }),
            HttpStatusCode.Forbidden, "PermissionDenied");
        Assert.Contains("--allow-unlimited-disk", p.Detail);
        Assert.DoesNotContain(await Node.ListAsync(), c => c.Name is "priv9" or "unl9");

        p = await Expect(await Node.PostAsync("/v1/plans", new CreatePlanRequest { Name = "nolimit", Disk = "unlimited" }, HakoJsonContext.Default.CreatePlanRequest),
            HttpStatusCode.Forbidden, "PermissionDenied");
        Assert.Contains("--allow-unlimited-disk", p.Detail);

        await EnsureOk1();
        await Expect(await Node.Http.PatchAsync("/v1/containers/ok1",
            JsonContent.Create(new UpdateContainerRequest { Disk = "unlimited" }, HakoJsonContext.Default.UpdateContainerRequest)), HttpStatusCode.BadRequest, "InvalidArgument");

        // A migration peer cannot bring either in.
        p = await Expect(await Node.PostAsync("/v1/migrations/incoming/check", Incoming() with { Privileged = true }, HakoJsonContext.Default.IncomingContainer),
            HttpStatusCode.Forbidden, "PermissionDenied");
        Assert.Contains("--allow-privileged", p.Detail);
        p = await Expect(await Node.PostAsync("/v1/migrations/incoming/check", Incoming() with { OverridesJson = """{"disk":"unlimited"}""" }, HakoJsonContext.Default.IncomingContainer),
            HttpStatusCode.Forbidden, "PermissionDenied");
        Assert.Contains("--allow-unlimited-disk", p.Detail);

        var node = (await Node.Http.GetFromJsonAsync("/v1/node", HakoJsonContext.Default.NodeInfo))!;
        Assert.False(node.AllowPrivileged);
        Assert.False(node.AllowUnlimitedDisk);
    }

    [SkippableFact]
    public async Task PrivilegedAndUnlimitedDisk_AreTaken_WhenTheOperatorSwitchesThemOn()
    {
        Skip.If(fx.SkipReason is not null, fx.SkipReason);
        await using var node = new HakodNode();
        node.ExtraArgs.AddRange(["--allow-privileged", "--allow-unlimited-disk"]);
        await node.StartAsync();
        await node.BuildBusyboxAsync();
        var info = (await node.Http.GetFromJsonAsync("/v1/node", HakoJsonContext.Default.NodeInfo))!;
        Assert.True(info.AllowPrivileged);
        Assert.True(info.AllowUnlimitedDisk);
        await node.CreateAsync(new CreateContainerRequest { Name = "both1", Template = "busybox", Privileged = true, Disk = "unlimited" });
        var c = await node.ShowAsync("both1");
        Assert.True(c.Privileged);
        await node.DestroyAsync("both1");
    }

    private async Task EnsureOk1()
    {
        if ((await Node.ListAsync()).All(c => c.Name != "ok1"))
        {
            await Node.CreateAsync(new CreateContainerRequest { Name = "ok1", Template = "busybox", Disk = "64M" });
        }
    }

    private IncomingContainer Incoming() => new()
    {
        Name = "mig1", SourceNode = "peer1", Template = "busybox", TemplateHash = "x", Hostname = "mig1", OverridesJson = "{}",
    };
}
