using System.Net;
using System.Text;
using Hako.Contracts;
using Hako.Integration.Tests.Infrastructure;

namespace Hako.Integration.Tests;

/// <summary>Every bad input gets a clear 4xx problem with a stable code, and leaves no trace.</summary>
public sealed class BadInputTests(NodeFixture fx) : IClassFixture<NodeFixture>
{
    private HakodNode Node => fx.Node;

    private async Task<ProblemInfo> Refused(CreateContainerRequest req, HttpStatusCode status, string code)
    {
        var r = await Node.TryCreateAsync(req);
        Assert.Equal(status, r.StatusCode);
        var p = await HakodNode.ProblemAsync(r);
        Assert.Equal(code, p.Code);
        Assert.DoesNotContain(await Node.ListAsync(), c => c.Name == req.Name);
        if (req.Name.Length > 0)
        {
            Assert.False(Directory.Exists(Path.Combine(Node.DataDir, "lxc", req.Name)));
            Assert.False(File.Exists(Path.Combine(Node.DataDir, "private", req.Name + ".img")));
        }
        return p;
    }

    [SkippableTheory]
    [InlineData("Web1")]
    [InlineData("-web")]
    [InlineData("web_1")]
    [InlineData("a.b")]
    [InlineData("")]
    public async Task Create_InvalidName_Is400(string name)
    {
        Skip.If(fx.SkipReason is not null, fx.SkipReason);
        var p = await Refused(new CreateContainerRequest { Name = name, Template = "busybox" }, HttpStatusCode.BadRequest, "InvalidArgument");
        Assert.Contains("lower-case letters", p.Detail);
    }

    [SkippableFact]
    public async Task Create_Duplicate_Is409AlreadyExists()
    {
        Skip.If(fx.SkipReason is not null, fx.SkipReason);
        await Node.CreateAsync(new CreateContainerRequest { Name = "dup1", Template = "busybox", Disk = "256M" });
        var r = await Node.TryCreateAsync(new CreateContainerRequest { Name = "dup1", Template = "busybox" });
        Assert.Equal(HttpStatusCode.Conflict, r.StatusCode);
        Assert.Equal("AlreadyExists", (await HakodNode.ProblemAsync(r)).Code);
        Assert.Single(await Node.ListAsync(), c => c.Name == "dup1");
        await Node.DestroyAsync("dup1");
    }

    [SkippableFact]
    public async Task Create_UnknownTemplate_Is400WithHint()
    {
        Skip.If(fx.SkipReason is not null, fx.SkipReason);
        var p = await Refused(new CreateContainerRequest { Name = "notpl", Template = "centos-5" }, HttpStatusCode.BadRequest, "InvalidArgument");
        Assert.Contains("hako template list", p.Detail);
    }

    [SkippableTheory]
    [InlineData("5X", null)]
    [InlineData("-1G", null)]
    [InlineData(null, "5X")]
    [InlineData(null, "-1G")]
    public async Task Create_BadSizes_Are400(string? memory, string? disk)
    {
        Skip.If(fx.SkipReason is not null, fx.SkipReason);
        var p = await Refused(new CreateContainerRequest { Name = "badsize", Template = "busybox", Memory = memory, Disk = disk },
            HttpStatusCode.BadRequest, "InvalidArgument");
        Assert.Contains("is not a size; use e.g.", p.Detail);
    }

    [SkippableFact]
    public async Task Create_ReportsEveryProblemAtOnce()
    {
        Skip.If(fx.SkipReason is not null, fx.SkipReason);
        var p = await Refused(new CreateContainerRequest { Name = "multi", Template = "nope", Memory = "5X", Disk = "-1G" },
            HttpStatusCode.BadRequest, "InvalidArgument");
        Assert.Equal(3, p.Errors!.Count);
    }

    [SkippableFact]
    public async Task Create_IpOutsideSubnetOrTaken_Is400()
    {
        Skip.If(fx.SkipReason is not null, fx.SkipReason);
        var outside = await Refused(new CreateContainerRequest { Name = "ipout", Template = "busybox", Ip = "198.51.100.10" }, HttpStatusCode.BadRequest, "InvalidArgument");
        Assert.Contains("outside the node's subnet", outside.Detail);

        await Node.CreateAsync(new CreateContainerRequest { Name = "iptaken1", Template = "busybox", Disk = "256M" });
        var ip = (await Node.ShowAsync("iptaken1")).Ip!;
        var taken = await Refused(new CreateContainerRequest { Name = "iptaken2", Template = "busybox", Ip = ip }, HttpStatusCode.BadRequest, "InvalidArgument");
        Assert.Contains("already used", taken.Detail);
        await Node.DestroyAsync("iptaken1");
    }

    [SkippableFact]
    public async Task Create_MemoryAboveNodeRam_Is400()
    {
        Skip.If(fx.SkipReason is not null, fx.SkipReason);
        var p = await Refused(new CreateContainerRequest { Name = "bigmem", Template = "busybox", Memory = "64T" }, HttpStatusCode.BadRequest, "InvalidArgument");
        Assert.Contains("more than this node's RAM", p.Detail);
    }

    [SkippableFact]
    public async Task Create_DiskAboveFreeSpace_Is400()
    {
        Skip.If(fx.SkipReason is not null, fx.SkipReason);
        var p = await Refused(new CreateContainerRequest { Name = "bigdisk", Template = "busybox", Disk = "900T" }, HttpStatusCode.BadRequest, "InvalidArgument");
        Assert.Contains("more than the free space", p.Detail);
    }

    [SkippableFact]
    public async Task MalformedJson_Is400Problem()
    {
        Skip.If(fx.SkipReason is not null, fx.SkipReason);
        var r = await Node.Http.PostAsync("/v1/containers", new StringContent("{\"name\": \"x\", ", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
        Assert.Equal("InvalidArgument", (await HakodNode.ProblemAsync(r)).Code);
    }

    [SkippableFact]
    public async Task UnknownContainer_Is404Problem()
    {
        Skip.If(fx.SkipReason is not null, fx.SkipReason);
        var r = await Node.Http.PostAsync("/v1/containers/ghost/start", null);
        Assert.Equal(HttpStatusCode.NotFound, r.StatusCode);
        Assert.Equal("NotFound", (await HakodNode.ProblemAsync(r)).Code);
    }

    [SkippableFact]
    public async Task TemplateInUse_CannotBeRemoved()
    {
        Skip.If(fx.SkipReason is not null, fx.SkipReason);
        await Node.CreateAsync(new CreateContainerRequest { Name = "tpluser", Template = "busybox", Disk = "256M" });
        var r = await Node.Http.DeleteAsync("/v1/templates/busybox");
        Assert.Equal(HttpStatusCode.Conflict, r.StatusCode);
        Assert.Contains("tpluser", (await HakodNode.ProblemAsync(r)).Detail);
        await Node.DestroyAsync("tpluser");
    }

    [SkippableFact]
    public async Task OpenApiDocument_IsServed()
    {
        Skip.If(fx.SkipReason is not null, fx.SkipReason);
        var doc = await Node.Http.GetStringAsync("/openapi/v1.json");
        Assert.Contains("/v1/containers", doc);
    }
}
