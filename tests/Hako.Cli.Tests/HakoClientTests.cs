using Hako.Client;
using Hako.Contracts;
using static Hako.Cli.Tests.Samples;

namespace Hako.Cli.Tests;

public sealed class HakoClientTests
{
    [Fact]
    public async Task ProblemJson_BecomesHakoApiException_WithCodeAndEveryError()
    {
        await using var hakod = await FakeHakod.StartAsync();
        hakod.OnProblem("POST", "/v1/containers", new ProblemInfo
        {
            Title = "Not enough resources",
            Status = 507,
            Code = "InsufficientResources",
            Detail = "Node hn1 cannot guarantee 64G of memory for web1",
            Errors = ["memory: 64G asked, 20G free", "disk: 900G asked, 200G free"],
        });
        using var client = new HakoClient(HakoEndpoint.ForSocket(hakod.SocketPath));

        var ex = await Assert.ThrowsAsync<HakoApiException>(() =>
            client.CreateContainerAsync(new CreateContainerRequest { Name = "web1", Template = "busybox", Memory = "64G" }));

        Assert.Equal("InsufficientResources", ex.Code);
        Assert.Equal(507, ex.Status);
        Assert.Equal("Not enough resources", ex.Title);
        Assert.Equal("Node hn1 cannot guarantee 64G of memory for web1", ex.Message);
        Assert.Equal(["memory: 64G asked, 20G free", "disk: 900G asked, 200G free"], ex.Errors);
    }

    [Fact]
    public async Task ErrorWithoutProblemBody_GetsCodeFromStatus()
    {
        await using var hakod = await FakeHakod.StartAsync();
        hakod.On("DELETE", "/v1/templates/busybox", 409, "in use", "text/plain");
        using var client = new HakoClient(HakoEndpoint.ForSocket(hakod.SocketPath));

        var ex = await Assert.ThrowsAsync<HakoApiException>(() => client.DeleteTemplateAsync("busybox"));

        Assert.Equal("Conflict", ex.Code);
        Assert.Equal(409, ex.Status);
    }

    [Fact]
    public async Task Requests_UseApiPathsAndCamelCaseJson()
    {
        await using var hakod = await FakeHakod.StartAsync();
        hakod.On("POST", "/v1/containers/web1/stop", 202, Operation("running", 0), HakoJsonContext.Default.OperationInfo);
        using var client = new HakoClient(HakoEndpoint.ForSocket(hakod.SocketPath));

        await client.StopContainerAsync("web1", new StopRequest { Force = true, TimeoutSeconds = 5 });

        Assert.Equal("""{"force":true,"timeoutSeconds":5}""", hakod.Single("POST", "/v1/containers/web1/stop").Body);
    }

    [Fact]
    public async Task WaitAsync_CallsWaitUntilTheOperationEnds()
    {
        await using var hakod = await FakeHakod.StartAsync();
        hakod.On("GET", "/v1/operations/op-1/wait", 200, Operation("running", 40), HakoJsonContext.Default.OperationInfo)
             .On("GET", "/v1/operations/op-1/wait", 200, Operation("succeeded"), HakoJsonContext.Default.OperationInfo);
        using var client = new HakoClient(HakoEndpoint.ForSocket(hakod.SocketPath));

        var operation = await client.WaitAsync("op-1", TimeSpan.FromMinutes(1));

        Assert.Equal("succeeded", operation.Status);
        Assert.Equal(2, hakod.Requests.Count);
        Assert.All(hakod.Requests, r => Assert.Matches(@"^\?timeout=\d+$", r.Query));
    }

    [Fact]
    public async Task WaitAsync_FailedOperation_ThrowsItsError()
    {
        await using var hakod = await FakeHakod.StartAsync();
        var error = new ProblemInfo { Title = "Template missing", Status = 404, Code = "NotFound", Detail = "Template 'debian-13' does not exist" };
        hakod.On("GET", "/v1/operations/op-1/wait", 200, Operation("failed", 10, error: error), HakoJsonContext.Default.OperationInfo);
        using var client = new HakoClient(HakoEndpoint.ForSocket(hakod.SocketPath));

        var ex = await Assert.ThrowsAsync<HakoApiException>(() => client.WaitAsync("op-1"));

        Assert.Equal("NotFound", ex.Code);
        Assert.Equal("Template 'debian-13' does not exist", ex.Message);
    }

    [Fact]
    public async Task WatchAsync_ReportsEachStateToTheCallback()
    {
        await using var hakod = await FakeHakod.StartAsync();
        hakod.On("GET", "/v1/operations/op-1", 200, Operation("running", 10, "Unpacking"), HakoJsonContext.Default.OperationInfo)
             .On("GET", "/v1/operations/op-1", 200, Operation("running", 70, "Shifting uids"), HakoJsonContext.Default.OperationInfo)
             .On("GET", "/v1/operations/op-1", 200, Operation("succeeded", 100, "Done"), HakoJsonContext.Default.OperationInfo);
        using var client = new HakoClient(HakoEndpoint.ForSocket(hakod.SocketPath));
        var seen = new List<string>();

        await client.WatchAsync("op-1", op => seen.Add($"{op.Progress} {op.Step}"), TimeSpan.FromMilliseconds(10));

        Assert.Equal(["10 Unpacking", "70 Shifting uids", "100 Done"], seen);
    }

    [Fact]
    public async Task TcpEndpoint_SendsBearerToken()
    {
        await using var hakod = await FakeHakod.StartAsync(tcp: true);
        hakod.On("GET", "/v1/containers", 200, [Container()], HakoJsonContext.Default.ListContainerInfo);
        var endpoint = HakoEndpoint.Resolve(null, name => name switch
        {
            "HAKO_URL" => hakod.TcpUrl!.ToString(),
            "HAKO_TOKEN" => "s3cret",
            _ => null,
        });
        using var client = new HakoClient(endpoint);

        var containers = await client.ListContainersAsync();

        Assert.False(endpoint.IsLocal);
        Assert.Equal("web1", Assert.Single(containers).Name);
        Assert.Equal("Bearer s3cret", hakod.Single("GET", "/v1/containers").Authorization);
    }

    [Fact]
    public void Resolve_PrefersOptionThenSocketVariableThenUrlThenDefault()
    {
        Assert.Equal("/a.sock", HakoEndpoint.Resolve("/a.sock", _ => "/b.sock").SocketPath);
        Assert.Equal("/b.sock", HakoEndpoint.Resolve(null, n => n == "HAKO_SOCKET" ? "/b.sock" : "http://x:1").SocketPath);
        Assert.Equal(new Uri("http://x:1"), HakoEndpoint.Resolve(null, n => n == "HAKO_URL" ? "http://x:1" : null).Url);
        Assert.Equal("/run/hako/hako.sock", HakoEndpoint.Resolve(null, _ => null).SocketPath);
    }
}
